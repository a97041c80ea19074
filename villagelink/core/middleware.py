from django.shortcuts import render

from .exceptions import ApplicationError


class ApplicationErrorMiddleware:
    """Turns an ApplicationError raised by a page into a page that shows the message, never a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ApplicationError):
            return render(
                request,
                "core/error.html",
                {"message": exception.message, "details": exception.details},
                status=exception.status,
            )
        return None
