"""Every page carries a Content-Security-Policy without inline scripts; pages with personal data are never
stored by a browser or proxy; the client behind trusted proxies is the one lock-outs count."""

import json

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse

from conftest import PASSWORD
from villagelink.core.clients import client_address
from villagelink.orders.tests.factories import place


def test_every_page_has_a_policy_that_allows_scripts_from_this_site_only(client, market):
    policy = client.get(reverse("storefront:home"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"].split()[0] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in policy
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"


def test_no_page_template_has_an_inline_script_or_handler():
    from pathlib import Path

    root = Path(settings.BASE_DIR) / "villagelink"
    offending = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        for text in [path.read_text(encoding="utf-8")]
        if any(
            marker in text for marker in (" onclick=", " onchange=", " onsubmit=", " onload=", "javascript:")
        )
        or any("src=" not in tag.split(">")[0] for tag in text.split("<script")[1:])
    ]
    assert offending == []


def test_an_order_page_of_a_signed_in_person_and_the_api_are_never_stored(client, market):
    client.post(reverse("accounts:login"), {"username": market.seller.username, "password": PASSWORD})
    order = place((market.butter, 1)).orders[0]
    page = client.get(reverse("orders:order", args=[order.pk]))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    api = client.get(f"/api/v1/orders/{order.pk}/")
    assert api.status_code == 200
    assert "no-store" in api["Cache-Control"]


def test_an_anonymous_catalogue_page_is_not_marked_private(client, market):
    assert "no-store" not in client.get(reverse("storefront:home")).get("Cache-Control", "")


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no trusted proxy: the header is the client's word, ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the left part was sent by the client
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (1, "not-an-address", "10.0.0.1"),
        (2, "203.0.113.9", "10.0.0.1"),  # fewer hops than proxies: the header is not believed
    ],
)
def test_the_client_is_the_address_the_trusted_proxies_report(proxies, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(VILLAGELINK_TRUSTED_PROXIES=proxies):
        assert client_address(request) == expected


@override_settings(VILLAGELINK_TRUSTED_PROXIES=1)
def test_behind_the_proxy_one_clients_failures_do_not_lock_the_account_for_another(client, county_officer):
    def login(address, password):
        return client.post(
            reverse("accounts:login"),
            {"username": "namling", "password": password},
            REMOTE_ADDR="127.0.0.1",  # every request comes from the proxy
            HTTP_X_FORWARDED_FOR=address,
        )

    for _ in range(settings.AXES_FAILURE_LIMIT):
        login("203.0.113.66", "wrong-password-1")
    assert login("203.0.113.66", PASSWORD).status_code == 429
    assert login("198.51.100.7", PASSWORD).status_code == 302


def test_an_error_under_the_api_answers_json_not_the_error_page(rf):
    from villagelink.core.views import bad_request, page_not_found, server_error

    for view, status in ((server_error, 500), (page_not_found, 404), (bad_request, 400)):
        response = (
            view(rf.get("/api/v1/orders/1/")) if view is server_error else view(rf.get("/api/v1/x/"), None)
        )
        assert response.status_code == status
        assert response["Content-Type"] == "application/json"
        assert json.loads(response.content)["detail"]
    assert "text/html" in server_error(rf.get("/checkout/"))["Content-Type"]
