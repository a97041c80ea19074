from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

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


class RejectNulBytesMiddleware:
    """A NUL byte in a query string or form value is never meaningful, and PostgreSQL refuses it in text: answer
    400 with a message instead of letting it reach a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for data in ([request.GET, request.POST] if request.method == "POST" else [request.GET])
            for key, values in data.lists()
        ):
            return render(
                request,
                "core/error.html",
                {
                    "title": _("Bad request"),
                    "message": _(
                        "The request holds a character that text cannot hold (NUL). Remove it and try again."
                    ),
                },
                status=400,
            )
        return self.get_response(request)


class PrivateResponsesMiddleware:
    """Pages and API answers that may hold personal data (a signed-in person's, a guest's order, anything under
    /api/, any answer to a POST) are never stored by a browser or a proxy: `Cache-Control: no-store, private`,
    unless the view set its own caching. Anonymous catalogue pages keep the browser's default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (
            (user is not None and user.is_authenticated)
            or request.path.startswith("/api/")
            or request.method not in ("GET", "HEAD")
            or (session is not None and session.accessed and not session.is_empty())
        ):
            response["Cache-Control"] = "no-store, private"
        return response


class LargeUploadBodiesMiddleware:
    """The API's import upload carries a report of up to VILLAGELINK_IMPORT_MAX_BYTES, base64-encoded in JSON:
    far above the 2.5 MB Django allows any other body. For that one address the body is read here within the
    import's own bound (a larger one is answered 413 before it is read); everywhere else the default holds."""

    PATHS = ("/api/v1/imports/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path in self.PATHS:
            limit = settings.VILLAGELINK_IMPORT_MAX_BYTES * 4 // 3 + 64 * 1024
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = limit + 1
            if length > limit:
                return JsonResponse(
                    {
                        "code": "too_large",
                        "detail": _("The file is larger than %(mb)d MB; split the report and send each part.")
                        % {"mb": settings.VILLAGELINK_IMPORT_MAX_BYTES // (1024 * 1024)},
                    },
                    status=413,
                )
            # Read within this bound; `HttpRequest.body` then returns it without its default 2.5 MB check.
            request._body = request.read(length)
        return self.get_response(request)
