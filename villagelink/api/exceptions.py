"""ApplicationError and scope refusals become JSON answers here, in one place."""

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from villagelink.core.exceptions import ApplicationError


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        body = {"code": str(exc.code), "detail": exc.message}
        if exc.details:
            body["problems"] = exc.details
        return Response(body, status=exc.status)
    return drf_exception_handler(exc, context)
