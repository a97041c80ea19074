import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.assistance.models import AssistanceEvent
from villagelink.core.dates import region_today
from villagelink.desk.selectors import desk_totals
from villagelink.desk.services import (
    DeskError,
    assisted_purchase_record,
    assisted_sale_record,
    assisted_trade_reverse,
    parcel_log,
    parcel_pick_up,
)
from villagelink.network.models import SiteKind
from villagelink.network.services import SiteData, site_open, site_operator_assign
from villagelink.orders.models import IncomeShare, Order, Status
from villagelink.orders.tests.factories import household

VILLAGE = "540221101201"


@pytest.fixture
def point(units, admin_user):
    site = site_open(
        by=admin_user,
        kind=SiteKind.VILLAGE_POINT,
        unit=units[VILLAGE],
        data=SiteData(name="Lhunpokha point", opened_on=datetime.date(2017, 1, 1)),
    )
    operator = make_user("desk-operator", Role.SITE_OPERATOR, units[VILLAGE])
    site_operator_assign(by=admin_user, site=site, user=operator)
    operator.refresh_from_db()
    return site, operator


@pytest.fixture
def poor(units, admin_user):
    return household(admin_user, units[VILLAGE], "501", poor=2016)


def purchase(site, by, **extra):
    data = {
        "platform": "taobao",
        "description": "Fertiliser, 2 bags",
        "category": "agri_inputs",
        "amount_fen": 12000,
    }
    return assisted_purchase_record(by=by, site=site, **{**data, **extra})


def test_an_assisted_purchase_for_a_poor_household_is_an_order_and_assistance(point, poor):
    site, operator = point
    order = purchase(site, operator, household=poor, service_fee_fen=200, local_price_fen=15000)
    assert (order.kind, order.channel, order.status, order.unit.code) == (
        "purchase",
        "assisted",
        "completed",
        VILLAGE,
    )
    event = AssistanceEvent.objects.get(order=order)
    assert (event.kind, event.household, event.amount_fen, event.site) == (
        "purchase_assisted",
        poor,
        12000,
        site,
    )
    totals = desk_totals(site=site, start=region_today(), end=region_today())
    assert (totals.purchases, totals.purchases_fen, totals.savings_fen, totals.fees_fen) == (
        1,
        12000,
        3000,
        200,
    )


def test_a_purchase_without_a_household_counts_for_the_point_and_records_no_assistance(point):
    site, operator = point
    order = purchase(site, operator)
    assert order.unit == site.unit and order.household is None
    assert not AssistanceEvent.objects.exists()


def test_an_assisted_sale_is_income_of_the_poor_household(point, poor):
    site, operator = point
    order = assisted_sale_record(
        by=operator,
        site=site,
        household=poor,
        platform="pinduoduo",
        description="Yak butter 5 kg",
        category="dairy",
        quantity=10,
        amount_fen=68000,
    )
    assert IncomeShare.objects.get(order=order).amount_fen == 68000
    assert AssistanceEvent.objects.get(order=order).kind == "sale_brokered"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"amount_fen": 0}, "more than 0"),
        ({"amount_fen": 10**12}, "at most"),
        ({"category": "cars"}, "kind of goods"),
        ({"platform": "storefront"}, "platform"),
        ({"description": " "}, "what was bought"),
        ({"day": region_today() + datetime.timedelta(days=1)}, "future"),
    ],
)
def test_bad_entries_say_what_to_fix_and_write_nothing(point, extra, message):
    site, operator = point
    with pytest.raises(DeskError, match=message):
        purchase(site, operator, **extra)
    assert not Order.objects.exists()


def test_a_mistake_is_reversed_not_deleted(point, poor):
    site, operator = point
    order = purchase(site, operator, household=poor)
    assisted_trade_reverse(by=operator, order=order, reason="Typed twice")
    order.refresh_from_db()
    assert order.status == Status.REVERSED
    assert AssistanceEvent.objects.filter(order=order).count() == 2
    assert sum(AssistanceEvent.objects.filter(order=order).values_list("sign", flat=True)) == 0
    assert desk_totals(site=site, start=region_today(), end=region_today()).purchases == 0


def test_an_operator_of_another_county_cannot_record_here(point, units):
    site, _operator = point
    stranger = make_user("lhasa-operator", Role.SITE_OPERATOR, units["540102101201"])
    with pytest.raises(DeskError, match="outside your area"):
        purchase(site, stranger)


def test_a_household_of_another_village_is_refused(point, units, admin_user):
    site, operator = point
    elsewhere = household(admin_user, units["540221101202"], "502")
    with pytest.raises(DeskError, match="does not serve"):
        purchase(site, operator, household=elsewhere)


def test_parcels_received_picked_up_and_sent(point, poor):
    site, operator = point
    parcel = parcel_log(
        by=operator, site=site, direction="received", carrier="EMS", tracking_number="E1", household=poor
    )
    with pytest.raises(DeskError, match="already logged"):
        parcel_log(by=operator, site=site, direction="received", carrier="EMS", tracking_number="E1")
    parcel_pick_up(by=operator, parcel=parcel)
    with pytest.raises(DeskError, match="picked up on"):
        parcel_pick_up(by=operator, parcel=parcel)
    sent = parcel_log(by=operator, site=site, direction="sent", carrier="SF", tracking_number="SF9")
    with pytest.raises(DeskError, match="Only a parcel received"):
        parcel_pick_up(by=operator, parcel=sent)
    totals = desk_totals(site=site, start=region_today(), end=region_today())
    assert (totals.parcels_received, totals.parcels_picked_up, totals.parcels_sent) == (1, 1, 1)


def test_the_desk_page_records_a_purchase_for_a_found_household(client, point, poor):
    _site, operator = point
    client.force_login(operator)
    found = client.get(reverse("desk:desk"), {"q": "Head 501"})
    assert [h.pk for h in found.context["found"]] == [poor.pk]
    by_id = client.get(reverse("desk:desk"), {"q": poor.id_last4})
    assert poor in by_id.context["found"]
    response = client.post(
        reverse("desk:purchase"),
        {
            "household": poor.pk,
            "purchase-platform": "taobao",
            "purchase-description": "Rice cooker",
            "purchase-category": "appliances",
            "purchase-amount": "¥199.50",
            "purchase-service_fee": "",
            "purchase-local_price": "260",
        },
    )
    assert response.status_code == 302 and f"household={poor.pk}" in response["Location"]
    page = client.get(response["Location"])
    assert page.context["totals_today"].purchases_fen == 19950
    assert page.context["totals_today"].savings_fen == 6050
    assert "Rice cooker" in page.content.decode()


def test_the_desk_page_shows_a_bad_amount_and_writes_nothing(client, point):
    _site, operator = point
    client.force_login(operator)
    response = client.post(
        reverse("desk:purchase"),
        {
            "purchase-platform": "taobao",
            "purchase-description": "Salt",
            "purchase-category": "food",
            "purchase-amount": "twelve",
        },
    )
    assert response.status_code == 400 and response["HX-Replace-Url"] == reverse("desk:desk")
    page = response.content.decode()
    # Every field as typed, the error under the amount field, the purchase form open.
    assert 'value="Salt"' in page and 'value="twelve"' in page
    assert '<option value="food" selected>' in page
    amount = page[page.index('for="id_purchase-amount"') :]
    amount = amount[: amount.index("</div>")]
    assert "is not an amount in yuan" in amount
    assert 'class="panel" open data-testid="purchase"' in page
    assert not Order.objects.exists()


def test_an_empty_purchase_names_each_missing_field_beside_it(client, point):
    _site, operator = point
    client.force_login(operator)

    page = client.post(reverse("desk:purchase"), {"purchase-platform": "taobao"}).content.decode()

    for field, message in (("description", "This field is required."), ("amount", "This field is required.")):
        block = page[page.index(f'for="id_purchase-{field}"') :]
        assert message in block[: block.index("</div>")], field


def test_a_refusal_of_the_service_keeps_the_sale_as_typed_and_says_why_above_it(client, point):
    _site, operator = point
    client.force_login(operator)
    data = {
        "sale-platform": "jd",
        "sale-description": "Butter",
        "sale-category": "dairy",
        "sale-quantity": "1",
    }

    response = client.post(
        reverse("desk:sale"), {**data, "sale-amount": "0"}
    )  # the service wants more than 0

    page = response.content.decode()
    assert response.status_code == 400 and 'value="Butter"' in page
    form = page[page.index('action="/desk/sale/"') :]
    assert "more than 0" in form[: form.index("</form>")]
    assert 'class="panel" open data-testid="sale"' in page
    assert not Order.objects.exists()


def test_an_operator_lands_on_the_desk(client, point):
    _site, operator = point
    client.force_login(operator)
    assert client.get(reverse("home"))["Location"] == reverse("desk:desk")


def test_people_without_a_site_or_of_another_area_get_no_desk(client, point, units, county_officer):
    site, _operator = point
    stranger = make_user("lhasa-officer", Role.OFFICER, units["540102"])
    client.force_login(stranger)
    assert client.get(reverse("desk:desk")).status_code == 404
    assert client.get(reverse("desk:desk"), {"site": site.pk}).status_code == 404
    client.force_login(county_officer)
    assert client.get(reverse("desk:desk"), {"site": site.pk}).status_code == 200


def test_the_desk_api_records_and_totals(client, point, poor, units):
    site, operator = point
    client.force_login(operator)
    body = {
        "household": poor.pk,
        "platform": "jd",
        "description": "Solar lamp",
        "category": "appliances",
        "amount": "88.00",
        "local_price": "120.00",
    }
    created = client.post("/api/v1/desk/purchases/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["amount"] == "88.00" and created.json()["kind"] == "purchase"
    parcel = client.post(
        "/api/v1/desk/parcels/",
        {"direction": "received", "carrier": "EMS", "tracking_number": "E77", "household": poor.pk},
        content_type="application/json",
    )
    assert parcel.status_code == 201
    picked = client.post(f"/api/v1/desk/{parcel.json()['id']}/pick-up/", {}, content_type="application/json")
    assert picked.status_code == 200 and picked.json()["picked_up_on"]
    totals = client.get("/api/v1/desk/totals/").json()
    assert (totals["purchases"], totals["purchases_amount"], totals["savings"]) == (1, "88.00", "32.00")
    assert totals["parcels_picked_up"] == 1
    bad = client.post("/api/v1/desk/purchases/", {**body, "amount": "lots"}, content_type="application/json")
    assert bad.status_code == 400 and Order.objects.count() == 1
    reversed_ = client.post(
        f"/api/v1/desk/{created.json()['id']}/reverse/", {"reason": "Twice"}, content_type="application/json"
    )
    assert reversed_.status_code == 200 and reversed_.json()["status"] == "reversed"
    stranger = make_user("lhasa-op", Role.SITE_OPERATOR, units["540102101201"])
    client.force_login(stranger)
    assert (
        client.post(
            "/api/v1/desk/purchases/", {**body, "site": site.pk}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get("/api/v1/desk/totals/", {"site": site.pk}).status_code == 404


def test_an_entry_sent_twice_with_its_key_is_recorded_once(client, point, poor):
    _site, operator = point
    client.force_login(operator)
    body = {
        "platform": "taobao",
        "description": "Kettle",
        "category": "appliances",
        "amount": "88.00",
        "household": poor.pk,
        "key": "0b7c9a52-5d1e-4a57-9d0e-6f3f2b1c4d5e",
        "made_at": "2026-11-02T23:30:00+08:00",
    }

    first = client.post("/api/v1/desk/purchases/", body, content_type="application/json")
    again = client.post("/api/v1/desk/purchases/", body, content_type="application/json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    order = Order.objects.get()
    assert order.placed_on == datetime.date(2026, 11, 2)  # the day the entry was made, in the region's time
    assert AssistanceEvent.objects.count() == 1
    other = client.post(
        "/api/v1/desk/purchases/", {**body, "key": "another-key-123"}, content_type="application/json"
    )
    assert other.status_code == 201 and Order.objects.count() == 2


def test_the_phone_keeps_the_sites_households_with_masked_ids_only(client, point, poor, units, admin_user):
    site, operator = point
    household(admin_user, units["540102101201"], "777")  # another county's
    client.force_login(operator)

    answer = client.get(reverse("desk:households_offline")).json()

    assert answer["site"] == site.pk
    assert [h["id"] for h in answer["households"]] == [poor.pk]
    (kept,) = answer["households"]
    assert kept["poor"] is True and kept["id_masked"] == poor.id_number_masked and "*" in kept["id_masked"]
    assert set(kept) == {"id", "name", "id_masked", "poor"}


def test_the_desk_is_an_installable_app(client, point):
    _site, operator = point
    client.force_login(operator)
    worker = client.get(reverse("desk:service_worker"))
    assert worker["Content-Type"].startswith("text/javascript")
    assert 'const DESK = "/desk/"' in worker.content.decode()
    manifest = client.get(reverse("desk:manifest")).json()
    assert manifest["start_url"] == "/desk/" and {i["sizes"] for i in manifest["icons"]} == {
        "192x192",
        "512x512",
    }
    page = client.get(reverse("desk:desk")).content.decode()
    assert 'rel="manifest"' in page and 'data-offline="purchase"' in page


def test_a_receipt_gives_what_the_amount_the_fee_the_saving_the_operator_and_the_number(client, point, poor):
    site, operator = point
    order = purchase(site, operator, household=poor, service_fee_fen=200, local_price_fen=15000)
    client.force_login(operator)

    page = client.get(reverse("desk:receipt", args=[order.pk])).content.decode()

    for text in (
        "Fertiliser, 2 bags",
        "¥120.00",
        "¥2.00",
        "¥150.00",
        "¥30.00",
        order.number,
        "desk-operator",
    ):
        assert text in page, text
    assert poor.id_number_masked in page and poor.id_number_masked != poor.id_number_masked.replace("*", "")
    assert "core/receipt-print.css" in page  # its printed page: the 58 mm roll (a browser test prints it)
    assert (
        "size: 58mm"
        in (Path(settings.BASE_DIR) / "villagelink/core/static/core/receipt-print.css").read_text()
    )
    client.force_login(make_user("lhasa-operator", Role.SITE_OPERATOR, point[0].unit.parent))
    assert client.get(reverse("desk:receipt", args=[order.pk])).status_code == 404


def test_parcels_carry_their_cost_and_officers_see_days_to_pick_up_and_cost_per_parcel(
    client, point, poor, county_officer, units
):
    site, operator = point
    today = region_today()
    first = parcel_log(
        by=operator, site=site, direction="received", carrier="EMS", tracking_number="A1",
        household=poor, day=today - datetime.timedelta(days=6), cost_fen=1200,
    )  # fmt: skip
    second = parcel_log(
        by=operator, site=site, direction="received", carrier="ZTO", tracking_number="A2",
        day=today - datetime.timedelta(days=5), cost_fen=800,
    )  # fmt: skip
    parcel_log(
        by=operator, site=site, direction="sent", carrier="SF Express", tracking_number="A3", day=today
    )
    parcel_pick_up(by=operator, parcel=first, day=today - datetime.timedelta(days=4))  # 2 days
    parcel_pick_up(by=operator, parcel=second, day=today)  # 5 days
    with pytest.raises(DeskError, match="between 0 and 10,000"):
        parcel_log(
            by=operator, site=site, direction="sent", carrier="EMS", tracking_number="A4", cost_fen=10**9
        )

    client.force_login(county_officer)
    page = client.get(reverse("desk:parcels_report", args=["540221"]), {"period": str(today.year)})

    row = page.context["rows"][0]
    assert (row.received, row.picked_up, row.sent, row.median_days, row.cost_per_parcel_fen) == (
        2,
        2,
        1,
        3.5,
        1000,
    )
    assert "Median days to pick-up" in page.content.decode()
    stranger = make_user("lhasa-officer", Role.OFFICER, units["540102"])
    client.force_login(stranger)
    assert client.get(reverse("desk:parcels_report", args=["540221"])).status_code == 404


def test_a_busy_day_shows_its_latest_entries_and_says_how_many_there_are(client, point, monkeypatch):
    from villagelink.desk import selectors

    monkeypatch.setattr(selectors, "ENTRIES_SHOWN", 3)
    site, operator = point
    orders = [
        purchase(site, operator, description=f"Seeds lot {n}", amount_fen=100 * (n + 1)) for n in range(5)
    ]
    client.force_login(operator)
    page = client.get(reverse("desk:desk")).content.decode()
    shown = [o for n, o in enumerate(orders) if f"Seeds lot {n} ·" in page]
    assert shown == orders[2:]  # the latest three
    assert "The latest 3 of today's 5 entries" in page
    assert f"¥{15:,.2f}" in page  # the day's total counts all five: 1 + 2 + 3 + 4 + 5 yuan
