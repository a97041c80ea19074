from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from villagelink.network.models import Designation, ServiceSite


def api_as(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


SITE = {"kind": "village_point", "unit": "540221101201", "name": "Point", "opened_on": "2017-01-01"}


def test_an_officer_opens_a_site_and_lists_the_sites_of_their_scope(county_officer, other_county_officer):
    api = api_as(county_officer)
    response = api.post("/api/v1/sites/", SITE | {"services": ["parcels", "training"]}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["services"] == ["parcels", "training"]
    api_as(other_county_officer).post("/api/v1/sites/", SITE | {"unit": "540102101201"}, format="json")
    assert [s["unit"] for s in api.get("/api/v1/sites/").json()["results"]] == ["540221101201"]
    assert api.get("/api/v1/sites/?kind=county_centre").json()["count"] == 0
    foreign = ServiceSite.objects.get(unit__code="540102101201")
    assert api.get(f"/api/v1/sites/{foreign.pk}/").status_code == 404


def test_a_site_in_another_county_reads_as_an_unknown_unit(county_officer):
    response = api_as(county_officer).post("/api/v1/sites/", SITE | {"unit": "540102101201"}, format="json")
    assert response.status_code == 400
    assert "unit" in response.json()
    assert not ServiceSite.objects.exists()


def test_unknown_fields_are_refused(county_officer):
    response = api_as(county_officer).post(
        "/api/v1/sites/", SITE | {"operator_phone": "13800000000"}, format="json"
    )
    assert response.status_code == 400
    assert "operator_phone" in response.json()
    assert not ServiceSite.objects.exists()


def test_rule_violations_come_back_as_clear_messages(county_officer):
    response = api_as(county_officer).post("/api/v1/sites/", SITE | {"kind": "county_centre"}, format="json")
    assert response.status_code == 400
    assert "belongs to a county" in response.json()["detail"]


def test_operators_cannot_open_sites_or_record_designations(point_operator):
    api = api_as(point_operator)
    assert api.post("/api/v1/sites/", SITE, format="json").status_code == 403
    assert api.post(
        "/api/v1/designations/", {"county": "540221", "year": 2016}, format="json"
    ).status_code in (
        400,
        403,
    )
    assert not ServiceSite.objects.exists() and not Designation.objects.exists()


def test_designations_are_recorded_once(region_officer):
    api = api_as(region_officer)
    assert (
        api.post("/api/v1/designations/", {"county": "540221", "year": 2016}, format="json").status_code
        == 201
    )
    again = api.post("/api/v1/designations/", {"county": "540221", "year": 2019}, format="json")
    assert again.status_code == 409, again.json()
    assert "already designated" in again.json()["detail"]
    assert api.get("/api/v1/designations/?year=2016").json()["count"] == 1
