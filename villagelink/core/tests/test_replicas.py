"""The router's choices: which reads go to a replica, and read-your-writes. (The real streaming replica is
exercised by bench/replica_check.py, which CI runs.)"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import get_resolver, resolve

from villagelink.core.replicas import LAG_TOLERANT, WROTE_COOKIE, ReplicaReadsMiddleware, ReplicaRouter

router = ReplicaRouter()


def through(method: str, path: str, *, cookies: dict | None = None, write: bool = False):
    """The database each read would use inside the view of `path`, and after the request; the response."""
    seen = {}
    request = getattr(RequestFactory(), method.lower())(path)
    request.COOKIES.update(cookies or {})
    request.user = AnonymousUser()
    request.resolver_match = resolve(path)

    def view(request):
        middleware.process_view(request, request.resolver_match.func, (), {})
        seen["first read"] = router.db_for_read(None)
        if write:
            seen["write"] = router.db_for_write(None)
            seen["read after the write"] = router.db_for_read(None)
        return HttpResponse("ok")

    middleware = ReplicaReadsMiddleware(view)
    response = middleware(request)
    seen["after"] = router.db_for_read(None)
    return seen, response


@override_settings(VILLAGELINK_REPLICAS=["replica1"])
@pytest.mark.parametrize(
    "path",
    ["/monitoring/540000/", "/monitoring/540000/workbook.xlsx", "/api/v1/kpis/", "/search/", "/products/7/"],
)
def test_a_lag_tolerant_page_reads_from_a_replica_and_nothing_after_it_does(path):
    seen, _response = through("GET", path)
    assert seen == {"first read": "replica1", "after": "default"}


@override_settings(VILLAGELINK_REPLICAS=["replica1"])
@pytest.mark.parametrize("path", ["/desk/", "/checkout/", "/imports/", "/monitoring/", "/accounts/login/"])
def test_other_pages_read_from_the_primary(path):
    seen, _response = through("GET", path)
    assert seen["first read"] == "default"


@override_settings(VILLAGELINK_REPLICAS=["replica1"])
def test_a_browser_that_just_wrote_reads_its_writes_from_the_primary():
    _seen, response = through("POST", "/monitoring/540000/approval/")
    cookie = response.cookies[WROTE_COOKIE]
    assert cookie["max-age"] == 10 and cookie["httponly"]
    seen, _response = through("GET", "/monitoring/540000/", cookies={WROTE_COOKIE: "1"})
    assert seen["first read"] == "default"


@override_settings(VILLAGELINK_REPLICAS=["replica1"])
def test_a_lag_tolerant_page_that_writes_reads_from_the_primary_afterwards():
    seen, response = through("GET", "/monitoring/540000/", write=True)
    assert seen == {
        "first read": "replica1",
        "write": "default",
        "read after the write": "default",
        "after": "default",
    }
    assert WROTE_COOKIE not in response.cookies  # a GET sets no cookie


def test_without_replicas_everything_is_the_primary_and_no_cookie_is_set():
    seen, _response = through("GET", "/monitoring/540000/")
    assert seen["first read"] == "default"
    _seen, response = through("POST", "/monitoring/540000/approval/")
    assert WROTE_COOKIE not in response.cookies


def test_every_lag_tolerant_name_is_a_route_and_replicas_are_never_migrated():
    names = set()

    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern, inner)
            elif pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver())
    assert names >= LAG_TOLERANT, LAG_TOLERANT - names
    assert router.allow_migrate("default", "orders") and not router.allow_migrate("replica1", "orders")
