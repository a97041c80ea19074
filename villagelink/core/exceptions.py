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
    code: str = ErrorCode.INVALID

    def __init__(self, message: str, *, code: str | None = None, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or []

    @property
    def status(self) -> int:
        return STATUS.get(ErrorCode(self.code), 400)


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
