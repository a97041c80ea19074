"""The data-quality API answers as the pages do: an officer lists and reads the flags of their area and
confirms or dismisses them with a reason (refusals as the API's error answers); completeness per unit-month."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from villagelink.approvals.services import month_approve
from villagelink.catalog.models import Shop
from villagelink.orders.models import Order
from villagelink.quality.models import Flag, FlagStatus, Rule

from .test_completeness import JUNE, Area, build_area
from .test_exports import flag_of

FLAGS = "/api/v1/quality/flags/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def namling(units, admin_user, county_officer) -> Area:
    """Namling's shops and points, and what each sent or recorded in June 2019 (see test_completeness)."""
    return build_area(units, admin_user, county_officer)


@pytest.fixture
def flags(namling):
    """A flag on the June order of Namling's reporting shop, one of May, and one in Chengguan."""
    area = namling
    june = flag_of(area.reported, [Order.objects.get(external_id="J-1")])
    may = flag_of(
        area.missing, [Order.objects.get(external_id="M-1")], rule=Rule.SPIKE, month=datetime.date(2019, 5, 1)
    )
    lhasa = flag_of(Shop.objects.get(name="Lhasa crafts"), [], key="lhasa")
    return {"june": june, "may": may, "lhasa": lhasa}


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_an_officer_lists_the_flags_of_their_area_by_status_rule_and_month(client, flags, county_officer):
    client.force_login(county_officer)
    every = client.get(FLAGS, {"unit": "540221"}).json()
    assert {row["id"] for row in every["results"]} == {flags["june"].pk, flags["may"].pk}
    june = client.get(FLAGS, {"unit": "540221", "month": "2019-06"}).json()["results"]
    assert [row["id"] for row in june] == [flags["june"].pk]
    assert june[0]["amount"] == "45.00" and june[0]["orders_count"] == 1 and june[0]["month"] == "2019-06"
    assert june[0]["shop"]["name"] == "Namling butter" and june[0]["unit"]["code"] == "540221101201"
    spikes = client.get(FLAGS, {"unit": "540221", "rule": "spike"}).json()["results"]
    assert [row["id"] for row in spikes] == [flags["may"].pk]
    assert client.get(FLAGS, {"unit": "540221", "status": "confirmed"}).json()["count"] == 0


def test_the_list_wants_a_unit_of_the_area_and_a_month_that_is_one(
    client, flags, county_officer, point_operator
):
    client.force_login(county_officer)
    assert client.get(FLAGS).status_code == 400
    assert client.get(FLAGS, {"unit": "540102"}).status_code == 404
    refused = client.get(FLAGS, {"unit": "540221", "month": "2019-13"})
    assert refused.status_code == 400 and "month" in refused.json()
    year_zero = client.get(FLAGS, {"unit": "540221", "month": "0000-01"})  # no date at all: not a 500
    assert year_zero.status_code == 400 and "month" in year_zero.json()
    client.force_login(point_operator)
    assert client.get(FLAGS, {"unit": "540221101201"}).status_code == 403


def test_a_flag_reads_with_its_evidence_and_orders(client, flags, county_officer):
    client.force_login(county_officer)
    answer = client.get(f"{FLAGS}{flags['june'].pk}/")
    assert answer.status_code == 200
    flag = answer.json()
    assert flag["evidence"]["median_fen"] == 4500
    shown = {item["label"]: item["value"] for item in flag["evidence_shown"]}
    assert shown["The shop's median order before"] == "¥45.00"
    assert [order["external_id"] for order in flag["orders"]] == ["J-1"]
    assert flag["orders"][0]["amount"] == "45.00" and flag["orders"][0]["excluded"] is False


def test_confirming_wants_a_reason_then_takes_the_orders_out_and_is_audited(client, flags, county_officer):
    client.force_login(county_officer)
    url = f"{FLAGS}{flags['june'].pk}/confirm/"
    refused = post(client, url, {"reason": "  "})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid"
    assert "reason" in refused.json()["detail"]
    assert post(client, url, {"reason": "Paid back", "extra": 1}).status_code == 400  # unknown field
    assert Flag.objects.get(pk=flags["june"].pk).status == FlagStatus.OPEN

    done = post(client, url, {"reason": "The buyer is the owner's cousin; paid back the next day"})
    assert done.status_code == 200
    assert done.json()["status"] == "confirmed" and done.json()["reviewed_by"] == "namling"
    assert Order.objects.get(external_id="J-1").excluded
    entry = LogEntry.objects.get_for_object(flags["june"]).latest("timestamp")
    assert entry.actor == county_officer

    again = post(client, f"{FLAGS}{flags['june'].pk}/dismiss/", {"reason": "changed my mind"})
    assert again.status_code == 409 and again.json()["code"] == "conflict"


def test_dismissing_keeps_the_orders(client, flags, county_officer):
    client.force_login(county_officer)
    done = post(client, f"{FLAGS}{flags['may'].pk}/dismiss/", {"reason": "A wholesale order"})
    assert done.status_code == 200 and done.json()["status"] == "dismissed"
    assert not Order.objects.get(external_id="M-1").excluded


def test_an_approved_month_refuses_the_confirmation(client, flags, county_officer, units):
    month_approve(by=county_officer, unit=units["540221"], month=JUNE)
    client.force_login(county_officer)
    refused = post(client, f"{FLAGS}{flags['june'].pk}/confirm/", {"reason": "brushing"})
    assert refused.status_code == 409 and "approved" in refused.json()["detail"]
    assert not Order.objects.get(external_id="J-1").excluded


def test_officers_of_another_county_neither_see_nor_review_the_flag(client, flags, other_county_officer):
    client.force_login(other_county_officer)
    assert client.get(f"{FLAGS}{flags['june'].pk}/").status_code == 404
    assert post(client, f"{FLAGS}{flags['june'].pk}/confirm/", {"reason": "not mine"}).status_code == 404
    assert Flag.objects.get(pk=flags["june"].pk).status == FlagStatus.OPEN
    mine = client.get(FLAGS, {"unit": "540102"}).json()["results"]
    assert [row["id"] for row in mine] == [flags["lhasa"].pk]


def test_completeness_of_a_unit_and_a_month(client, namling, county_officer):
    client.force_login(county_officer)
    url = reverse("quality-completeness")
    answer = client.get(url, {"unit": "540221", "month": "2019-06"})
    assert answer.status_code == 200
    document = answer.json()
    assert (document["shops_expected"], document["shops_reported"], document["share"]) == (3, 1, 0.5)
    assert [child["unit"]["code"] for child in document["children"]] == ["540221101"]
    assert document["own"]["shops_missing"] == 1
    assert [point["name"] for point in document["silent_points"]] == ["Point three"]
    refused = client.get(url, {"unit": "540221", "month": "June"})
    assert refused.status_code == 400 and "month" in refused.json()
    assert client.get(url, {"unit": "540102", "month": "2019-06"}).status_code == 404
