"""Whole storefront pages for first-time visitors, kept for 30 seconds.

A visitor who is not signed in and has neither a session nor messages waiting sees exactly what every such
visitor sees at that address in that language, except the CSRF token in its forms. So the page is rendered
once with a placeholder where the token goes, kept in the "pages" cache (shared by all app servers when
Redis is configured; each process keeps a copy of what it served in front of it), and each visitor gets
a copy with their own token (and their own CSRF cookie): the protection is unchanged. Stock, prices and a
household's story on such a page may lag by up to 30 seconds; the cart, checkout and signed-in visitors
always read them afresh.
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

PAGE_SECONDS = 30
PLACEHOLDER = "csrf-token-placeholder-3f9b1c"


def placeholder_token(request) -> dict:
    """Context processor: while a page is rendered for the cache, its forms carry the placeholder."""
    return {"csrf_token": PLACEHOLDER} if getattr(request, "rendering_for_cache", False) else {}


def _first_visit(request) -> bool:
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and not getattr(request, "htmx", False)
    )


def _cached(key: str) -> tuple[bytes, str, float] | None:
    """The page from this process's copies, else from the shared "pages" cache (then kept here until the
    shared copy expires, so a page never outlives its 30 seconds)."""
    cached = caches["local"].get(key)
    if cached is None:
        cached = caches["pages"].get(key)
        if cached is not None:
            caches["local"].set(key, cached, max(cached[2] - time.time(), 0.001))
    return cached


def anonymous_page(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _first_visit(request):
            return view(request, *args, **kwargs)
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        # "v2": entries are (content, type, expiry); a shared cache may still hold older two-part ones.
        key = f"storefront:page:v2:{get_language()}:{path}"
        cached = _cached(key)
        if cached is None:
            request.rendering_for_cache = True
            try:
                response = view(request, *args, **kwargs)
            finally:
                request.rendering_for_cache = False
            if response.streaming:
                return response
            if response.status_code != 200 or response.cookies:
                response.content = response.content.replace(PLACEHOLDER.encode(), get_token(request).encode())
                return response
            cached = (response.content, response["Content-Type"], time.time() + PAGE_SECONDS)
            caches["pages"].set(key, cached, PAGE_SECONDS)
            caches["local"].set(key, cached, PAGE_SECONDS)
        content, content_type, _expires = cached
        return HttpResponse(content.replace(PLACEHOLDER.encode(), get_token(request).encode()), content_type)

    return wrapper
