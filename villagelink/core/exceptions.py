"""One family of errors a person can act on. Each carries a code and a message that says what was wrong
and what to do; views, the API and commands turn them into answers in one place each."""

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"


STATUS = {ErrorCode.INVALID: 400, ErrorCode.FORBIDDEN: 403, ErrorCode.NOT_FOUND: 404, ErrorCode.CONFLICT: 409}


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
