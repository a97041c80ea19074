"""The error of imports: a refusal a person can act on (turned into an answer by `core.exceptions`)."""

from villagelink.core.exceptions import ApplicationError


class ImportError_(ApplicationError):
    pass
