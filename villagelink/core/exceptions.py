"""One family of errors a person can act on. Each carries a code and a message that says what was wrong
and what to do; views, the API and commands turn them into answers in one place each."""

from enum import StrEnum

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    TOO_MANY = "too_many_requests"


STATUS = {
    ErrorCode.INVALID: 400,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.TOO_MANY: 429,
}


class ApplicationError(Exception):
    """`field` names the input the refusal is about (a form shows it beside that field); `field_errors`
    holds one message per input when several independent inputs were refused at once (`message` is the
    first of them, so an answer that shows one message shows what a single check would have)."""

    code: str = ErrorCode.INVALID

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: list[str] | None = None,
        field: str | None = None,
        field_errors: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or []
        self.field = field
        self.field_errors = field_errors or {}

    @property
    def status(self) -> int:
        return STATUS.get(ErrorCode(self.code), 400)


class Problems:
    """The problems of several independent inputs, gathered so that a person sees them all at once. Each is
    kept under its input's name (the first per input); `raise_if_any` raises the first one's error, with
    its code, carrying every input's message."""

    def __init__(self, error_class: type[ApplicationError] = ApplicationError):
        self.error_class = error_class
        self.found: list[tuple[str, str, str | None]] = []

    def add(self, field: str, message: str, *, code: str | None = None) -> None:
        if all(name != field for name, _message, _code in self.found):
            self.found.append((field, message, code))

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_if_any(self) -> None:
        if not self.found:
            return
        field, message, code = self.found[0]
        raise self.error_class(
            message,
            code=code,
            field=field,
            field_errors={name: text for name, text, _code in self.found},
        )


class OutOfScope(ApplicationError):
    """The object exists but lies outside the person's unit. Answered as 404, so nothing leaks."""

    code = ErrorCode.NOT_FOUND


def exception_handler(exc, context):
    """The API's one place where an ApplicationError becomes a JSON answer."""
    if isinstance(exc, ApplicationError):
        body: dict[str, object] = {"code": str(exc.code), "detail": exc.message}
        if exc.details:
            body["problems"] = exc.details
        return Response(body, status=exc.status)
    return drf_exception_handler(exc, context)
