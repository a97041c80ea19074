"""The project's URLs plus a bare Django view, the yardstick bench_storefront.py compares pages with: it goes
through the same middleware, but reads no database and renders no template."""

from django.http import HttpResponse
from django.urls import include, path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401  (the same error pages)

urlpatterns = [
    path("bench/bare/", lambda request: HttpResponse("ok")),
    path("", include("config.urls")),
]
