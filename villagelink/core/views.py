"""The workspace a person lands in after logging in, and error pages: translated, on the site's layout,
without a traceback."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token


def _error(request, status: int, title: str, message: str):
    """The error page; under /api/ the same as JSON (`code`, `detail`), as every other API answer."""
    if request.path.startswith("/api/"):
        codes = {400: "invalid", 403: "forbidden", 404: "not_found", 413: "too_large", 500: "server_error"}
        return JsonResponse({"code": codes.get(status, "error"), "detail": message}, status=status)
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return _error(
            request,
            413,
            _("Too large"),
            _("The request is larger than %(mb).1f MB; send less at a time.")
            % {"mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)},
        )
    return _error(
        request, 400, _("Bad request"), _("The request could not be understood. Check the address.")
    )


@requires_csrf_token
def permission_denied(request, exception=None):
    return _error(
        request,
        403,
        _("Not allowed"),
        _("Your account may not open this page. Ask an administrator if you need access."),
    )


@requires_csrf_token
def page_not_found(request, exception=None):
    return _error(
        request,
        404,
        _("Not found"),
        _("There is nothing here, or it lies outside your area. Check the address or go back."),
    )


@requires_csrf_token
def server_error(request):
    return _error(
        request,
        500,
        _("Something went wrong"),
        _("The server could not finish this request. Nothing was saved; please try again later."),
    )


def workspace(request):
    """Buyers shop, sellers fulfil their orders, officers and administrators open the dashboard, the operator
    of a service point works at its desk; an operator without a site starts from their units."""
    user = request.user
    if not user.is_authenticated or user.role == "buyer":
        return redirect("storefront:home")
    if user.role == "seller":
        return redirect("orders:orders")
    if user.is_administrator or user.role == "officer":
        return redirect("monitoring:home")
    if getattr(user, "site_role", None) is not None:
        return redirect("desk:desk")
    return redirect("geo:unit_tree")
