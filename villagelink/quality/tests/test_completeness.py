"""Reporting completeness: a shop on a platform whose reports are imported, open the whole month, has reported
when an import holds an order of it placed in the month; a village point open the whole month is silent when
nothing was recorded at it; the share is what came in over what was expected, per child unit."""

import datetime
import json
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.urls import reverse

from villagelink.assistance.models import AssistanceKind
from villagelink.assistance.services import assistance_record
from villagelink.catalog.models import Shop, ShopStatus
from villagelink.catalog.services import shop_open, shop_set_status
from villagelink.desk.models import Direction
from villagelink.desk.services import parcel_log, parcel_pick_up
from villagelink.imports.models import IMPORT_PLATFORMS
from villagelink.imports.services import import_commit, import_preview
from villagelink.network.models import ServiceSite, SiteKind
from villagelink.network.services import SiteData, site_open
from villagelink.orders.models import Kind
from villagelink.orders.services.assisted import AssistedTrade, order_record_assisted
from villagelink.orders.tests.factories import household
from villagelink.quality.completeness import REPORTING_PLATFORMS, completeness_for
from villagelink.registry.models import OrganisationKind
from villagelink.registry.services import organisation_register

JUNE = datetime.date(2019, 6, 1)
LONG_AGO = datetime.date(2017, 1, 1)
TAOBAO_HEADER = "订单编号,买家实际支付金额,订单状态,订单创建时间,店铺名称\n"


@dataclass
class Area:
    """Namling's shops and village points, and what each sent or recorded in June 2019."""

    reported: Shop  # Taobao, sent its June report
    missing: Shop  # Taobao, its last report was May's
    cooperative: Shop  # a county cooperative's Taobao shop (at the county itself), no report
    busy: ServiceSite  # a desk sale in June
    helping: ServiceSite  # an assistance event given there in June
    silent: ServiceSite  # nothing in June (something in July)


def import_report(by, rows: list[tuple[str, str, str]]) -> None:
    """Imports a Taobao order report of (order number, shop name, placed on) rows, as a county centre does."""
    text = TAOBAO_HEADER + "".join(f"{number},45.00,交易成功,{day},{shop}\n" for number, shop, day in rows)
    batch = import_preview(by=by, data=text.encode(), filename="taobao-report.csv")
    assert batch.rejected == 0
    import_commit(by=by, batch=batch, background=False)


def point(by, village, name: str, opened_on=LONG_AGO) -> ServiceSite:
    return site_open(
        by=by, kind=SiteKind.VILLAGE_POINT, unit=village, data=SiteData(name=name, opened_on=opened_on)
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def build_area(units, admin_user, county_officer) -> Area:
    first, second = units["540221101201"], units["540221101202"]
    owner, neighbour = household(admin_user, first, "401"), household(admin_user, second, "402")

    def shop(name, platform, owner_=owner, opened_on=LONG_AGO, **extra):
        return shop_open(
            by=admin_user, name=name, platform=platform, opened_on=opened_on, household=owner_, **extra
        )

    reported = shop("Namling butter", "taobao", external_id="tb-401")
    missing = shop("Namling barley", "taobao", neighbour, external_id="tb-402")
    shop(
        "Namling new", "pinduoduo", opened_on=datetime.date(2019, 6, 10), external_id="pdd-404"
    )  # opened during June
    shop(
        "Namling friends", "wechat", neighbour, external_id="wx-405"
    )  # no report to export: sells through its village point
    closing = shop("Namling closing", "taobao", external_id="tb-403")
    shop_set_status(by=admin_user, shop=closing, status=ShopStatus.CLOSED, day=datetime.date(2019, 6, 20))
    cooperative = shop_open(
        by=admin_user,
        name="Namling cooperative",
        platform="taobao",
        opened_on=LONG_AGO,
        external_id="tb-406",
        organisation=organisation_register(
            by=admin_user, kind=OrganisationKind.COOPERATIVE, name="Namling co-op", unit=units["540221"]
        ),
    )
    other = household(admin_user, units["540102101201"], "409")
    shop("Lhasa crafts", "taobao", other, external_id="tb-409")  # another county: not Namling's

    import_report(
        county_officer, [("J-1", "Namling butter", "2019-06-03"), ("M-1", "Namling barley", "2019-05-30")]
    )

    busy, helping = point(admin_user, first, "Point one"), point(admin_user, second, "Point two")
    silent = point(admin_user, second, "Point three")
    point(admin_user, first, "Point new", opened_on=datetime.date(2019, 6, 15))  # opened during June
    order_record_assisted(
        by=admin_user,
        site=busy,
        trade=AssistedTrade(Kind.SALE, "wechat", "Butter", "dairy", 12_000),
        day=datetime.date(2019, 6, 12),
    )
    assistance_record(
        by=admin_user,
        household=neighbour,
        kind=AssistanceKind.TRAINING,
        day=JUNE.replace(day=5),
        site=helping,
    )
    assistance_record(
        by=admin_user,
        household=neighbour,
        kind=AssistanceKind.LOGISTICS,
        day=datetime.date(2019, 7, 1),
        site=silent,
    )
    return Area(reported, missing, cooperative, busy, helping, silent)


@pytest.fixture
def area(units, admin_user, county_officer) -> Area:
    return build_area(units, admin_user, county_officer)


def test_the_reporting_platforms_are_those_whose_reports_are_imported():
    assert set(REPORTING_PLATFORMS) == set(IMPORT_PLATFORMS)


def test_a_county_counts_the_shops_that_sent_their_report_and_the_points_that_recorded_something(
    area, county_officer, units
):
    found = completeness_for(user=county_officer, unit=units["540221"], month=JUNE)
    assert (found.total.shops_expected, found.total.shops_reported) == (3, 1)
    assert (found.total.points_expected, found.total.points_silent) == (3, 1)
    assert found.total.share == pytest.approx((1 + 2) / (3 + 3))
    assert found.missing_shops == [area.cooperative, area.missing]  # by unit: the county's own first
    assert found.silent_points == [area.silent]
    # the township holds the villages' shops and points; the cooperative sits at the county itself
    (township,) = found.children
    assert (township.unit.code, township.tally.shops_expected, township.tally.points_silent) == (
        "540221101",
        2,
        1,
    )
    assert found.own is not None and (found.own.shops_expected, found.own.shops_reported) == (1, 0)


def test_each_village_has_its_own_row(area, county_officer, units):
    found = completeness_for(user=county_officer, unit=units["540221101"], month=JUNE)
    rows = {row.unit.code: row.tally for row in found.children}
    assert rows["540221101201"].share == 1.0
    assert (rows["540221101202"].shops_missing, rows["540221101202"].points_silent) == (1, 1)
    assert rows["540221101202"].share == pytest.approx(1 / 3)
    assert found.own is None


def test_a_month_without_a_report_or_a_record_is_counted_as_missing(area, county_officer, units):
    found = completeness_for(user=county_officer, unit=units["540221"], month=datetime.date(2019, 7, 1))
    assert found.total.shops_reported == 0
    # in July only Point three recorded something; the point opened in June is expected from July on
    assert {p.name for p in found.silent_points} == {"Point one", "Point two", "Point new"}
    assert found.total.shops_expected == 4  # the Pinduoduo shop opened in June too
    may = completeness_for(user=county_officer, unit=units["540221"], month=datetime.date(2019, 5, 1))
    assert area.missing not in may.missing_shops and area.reported in may.missing_shops


def test_a_point_that_only_handled_parcels_was_at_work(area, admin_user, county_officer, units):
    # given a parcel logged at Point two in late June, and picked up at it on 3 July
    parcel = parcel_log(
        by=admin_user, site=area.helping, direction=Direction.RECEIVED, carrier="EMS",
        tracking_number="1234567890123", day=datetime.date(2019, 6, 28),
    )  # fmt: skip
    parcel_pick_up(by=admin_user, parcel=parcel, day=datetime.date(2019, 7, 3))

    # when July is read, then Point two handed the parcel over in July: it is not silent
    july = completeness_for(user=county_officer, unit=units["540221"], month=datetime.date(2019, 7, 1))
    assert {p.name for p in july.silent_points} == {"Point one", "Point new"}
    # and a parcel of another month does not wake a point: August is all silent
    august = completeness_for(user=county_officer, unit=units["540221"], month=datetime.date(2019, 8, 1))
    assert area.helping in august.silent_points


def test_nothing_expected_has_no_share(county_officer, units):
    found = completeness_for(user=county_officer, unit=units["540221"], month=JUNE)
    assert found.total.expected == 0 and found.total.share is None


def test_the_page_drills_down_and_lists_what_is_missing(client, area, county_officer):
    client.force_login(county_officer)
    page = client.get(reverse("quality:completeness", args=["540221"]), {"month": "2019-06"})
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("quality:completeness", args=["540221101"]) + "?month=2019-06" in body
    assert "50.0" in body  # the share complete
    assert "Namling barley" in body and "Namling cooperative" in body and "Point three" in body
    assert "Namling butter" not in body and "Point one" not in body and "Lhasa" not in body
    assert reverse("quality:workbook", args=["540221"]) + "?month=2019-06" in body
    village = client.get(reverse("quality:completeness", args=["540221101202"]), {"month": "2019-06"})
    assert (
        "Namling barley" in village.content.decode() and "Namling cooperative" not in village.content.decode()
    )


def test_a_month_that_is_not_one_is_refused_beside_the_field_and_kept(client, area, county_officer):
    client.force_login(county_officer)
    page = client.get(reverse("quality:completeness", args=["540221"]), {"month": "2019-13"})
    assert page.status_code == 400
    body = page.content.decode()
    assert 'value="2019-13"' in body and "is not a month" in body


def test_the_flags_page_links_to_the_completeness_of_its_month(client, area, county_officer):
    client.force_login(county_officer)
    body = client.get(reverse("quality:flags", args=["540221"]), {"month": "2019-06"}).content.decode()
    assert reverse("quality:completeness", args=["540221"]) + "?month=2019-06" in body


def test_only_officers_of_the_area_see_it(client, area, other_county_officer, point_operator):
    client.force_login(other_county_officer)
    assert client.get(reverse("quality:completeness", args=["540221"])).status_code == 404
    client.force_login(point_operator)
    assert client.get(reverse("quality:completeness", args=["540221101201"])).status_code == 403


def test_the_command_prints_the_table_or_json(area, capsys):
    call_command("quality", unit="540221", month="2019-06", completeness=True, as_json=True)
    document = json.loads(capsys.readouterr().out)
    assert (document["shops_expected"], document["shops_reported"], document["points_silent"]) == (3, 1, 1)
    assert document["share"] == 0.5 and document["month"] == "2019-06"
    assert {shop["id"] for shop in document["missing_shops"]} == {area.missing.pk, area.cooperative.pk}
    call_command("quality", unit="540221", month="2019-06", completeness=True)
    table = capsys.readouterr().out
    assert "540221101" in table and "50.0%" in table and "Point three" in table


def test_the_command_wants_one_month_for_completeness(area):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="one month"):
        call_command("quality", unit="540221", month="2019-Q2", completeness=True)
