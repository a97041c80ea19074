from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def api_as(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


def codes(response) -> list[str]:
    return [u["code"] for u in response.json()["results"]]


def test_units_list_is_scoped_paginated_and_filtered(county_officer):
    api = api_as(county_officer)
    body = api.get("/api/v1/units/").json()
    assert body["count"] == 4  # Namling, its township and two villages
    assert {u["code"] for u in body["results"]} == {"540221", "540221101", "540221101201", "540221101202"}
    assert codes(api.get("/api/v1/units/", {"level": "village"})) == ["540221101201", "540221101202"]
    assert codes(api.get("/api/v1/units/", {"parent": "540221"})) == ["540221101"]
    assert codes(api.get("/api/v1/units/", {"parent": "540100"})) == []


def test_unit_detail_answers_inside_and_404_outside_the_scope(county_officer):
    api = api_as(county_officer)
    body = api.get("/api/v1/units/540221101/").json()
    assert body == {
        "code": "540221101",
        "parent": "540221",
        "level": "township",
        "name_zh": "Namling乡",
        "name_en": "Namling Township",
        "name_bo": "",
        "longitude": None,
        "latitude": None,
        "is_synthetic": False,
    }
    assert api.get("/api/v1/units/540102/").status_code == 404
    assert api.get("/api/v1/units/540000/").status_code == 404


def test_a_bad_filter_value_is_a_clear_400(county_officer):
    response = api_as(county_officer).get("/api/v1/units/", {"level": "hamlet"})
    assert response.status_code == 400
    assert "level" in response.json()


def test_the_api_needs_a_login(units):
    assert APIClient().get("/api/v1/units/").status_code == 401
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.get("/api/v1/units/").status_code == 401


def test_the_list_takes_the_same_number_of_queries_for_any_page_size(region_officer):
    api = api_as(region_officer)
    with CaptureQueriesContext(connection) as small:
        api.get("/api/v1/units/", {"level": "prefecture"})
    with CaptureQueriesContext(connection) as large:
        api.get("/api/v1/units/", {"level": "county"})
    assert len(small) == len(large)
