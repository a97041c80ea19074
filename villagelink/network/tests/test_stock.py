"""The network's stock (`network.stock`) counts what counting the records counts, on any day and at every level,
as sites, shops (by kind of owner), designations, units, households registered poor and parcels are opened,
changed, closed, moved and deleted; a write that bypasses it is found by `rebuild-facts --verify` and repaired
by `rebuild-facts`."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q, Sum

from villagelink.catalog.models import Shop
from villagelink.catalog.services import shop_open, shop_set_status
from villagelink.core.paths import subtree_q
from villagelink.core.periods import open_on_q
from villagelink.desk.models import Parcel
from villagelink.desk.services import parcel_log, parcel_pick_up
from villagelink.geo.models import AdminUnit
from villagelink.geo.services import UnitRow, units_import
from villagelink.network.models import SITE_LEVEL, Designation, ServiceSite, SiteKind
from villagelink.network.services import (
    SiteData,
    designation_record,
    site_open,
    site_update,
    village_poverty_set,
)
from villagelink.network.stock import stock_on, stock_rebuild, stock_verify
from villagelink.registry.idnumbers import check_digit
from villagelink.registry.imports import households_import
from villagelink.registry.models import Household, OrganisationKind
from villagelink.registry.services import (
    HouseholdData,
    household_register,
    household_update,
    organisation_register,
)

D = datetime.date
VILLAGE_A, VILLAGE_B = "540221101201", "540221101202"
LHASA_VILLAGE = "540102101201"


def counted(path: str, day: datetime.date) -> dict[str, int]:
    """The counts of the area on the day, from the records themselves."""
    found: dict[str, int] = {}
    sites = ServiceSite.objects.filter(open_on_q(day), subtree_q("unit__path", path))
    for kind, level in SITE_LEVEL.items():
        found[f"sites:{kind}"] = sites.filter(kind=kind).count()
        found[f"covered:{level}"] = sites.filter(kind=kind).values("unit").distinct().count()
        found[f"units:{level}"] = AdminUnit.objects.filter(subtree_q("path", path), level=level).count()
    poor_villages = [
        v
        for v in AdminUnit.objects.filter(subtree_q("path", path), level="village")
        if v.is_poor_in(day.year)
    ]
    found["units:poor_village"] = len(poor_villages)
    found["covered:poor_village"] = sum(
        1 for v in poor_villages if sites.filter(unit=v, kind=SiteKind.VILLAGE_POINT).exists()
    )
    shops = Shop.objects.filter(open_on_q(day), subtree_q("unit__path", path))
    found["shops"] = shops.count()
    found["shops:household"] = shops.filter(household__isnull=False).count()
    for kind in OrganisationKind.values:
        found[f"shops:{kind}"] = shops.filter(organisation__kind=kind).count()
    year = day.year
    found["poor"] = Household.objects.filter(
        Q(exited_poverty_in__isnull=True) | Q(exited_poverty_in__gt=year),
        subtree_q("village__path", path),
        registered_poor_in__lte=year,
    ).count()
    parcels = Parcel.objects.filter(subtree_q("site__unit__path", path))
    found["parcels"] = parcels.filter(day__lte=day).count()
    found["parcel_cost"] = parcels.filter(day__lte=day).aggregate(n=Sum("cost_fen"))["n"] or 0
    found["parcels_costed"] = parcels.filter(day__lte=day, cost_fen__isnull=False).count()
    picked = parcels.filter(picked_up_on__lte=day)
    found["picked_up"] = picked.count()
    found["pickup_days"] = sum((p.picked_up_on - p.day).days for p in picked)
    found["designations"] = Designation.objects.filter(
        subtree_q("county__path", path), year__lte=day.year
    ).count()
    return {measure: n for measure, n in found.items() if n}


def household(by, units, serial: str, village: str, poor=(2015, None)):
    first17 = f"{village[:6]}19800101{serial}"
    registered, exited = poor
    return household_register(
        by=by,
        village=units[village],
        id_number=first17 + check_digit(first17),
        data=HouseholdData(head_name=f"H{serial}", registered_poor_in=registered, exited_poverty_in=exited),
    )


@pytest.fixture
def network(units, admin_user):
    def point(code, opened, closed=None):
        return site_open(
            by=admin_user,
            kind=SiteKind.VILLAGE_POINT,
            unit=units[code],
            data=SiteData(name=f"Point {code} {opened}", opened_on=opened, closed_on=closed),
        )

    point(VILLAGE_A, D(2016, 1, 1))
    point(VILLAGE_A, D(2017, 3, 1), D(2018, 6, 30))  # a second point in a covered village: covered once
    point(VILLAGE_B, D(2016, 5, 10), D(2017, 2, 1))
    reopened = point(VILLAGE_B, D(2017, 2, 1))  # reopened the day the first closed: covered throughout
    point(LHASA_VILLAGE, D(2015, 7, 1))
    site_open(
        by=admin_user,
        kind=SiteKind.TOWNSHIP_STATION,
        unit=units["540221101"],
        data=SiteData(name="Station", opened_on=D(2016, 3, 3)),
    )
    site_open(
        by=admin_user,
        kind=SiteKind.COUNTY_CENTRE,
        unit=units["540221"],
        data=SiteData(name="Centre", opened_on=D(2015, 12, 31)),
    )
    designation_record(by=admin_user, county=units["540221"], year=2016)
    shops = [
        shop_open(
            by=admin_user,
            name=f"Shop {i}",
            platform="taobao",
            external_id=f"tb-{i}",
            opened_on=D(2016, 2, 1 + i),
            household=household(admin_user, units, f"00{i}", village),
        )
        for i, village in enumerate((VILLAGE_A, VILLAGE_B, LHASA_VILLAGE))
    ]
    cooperative = organisation_register(
        by=admin_user, kind=OrganisationKind.COOPERATIVE, name="Co-op", unit=units["540221101"]
    )
    shops.append(
        shop_open(
            by=admin_user, name="Co-op shop", platform="jd", external_id="jd-1", opened_on=D(2017, 2, 1),
            organisation=cooperative,
        )
    )  # fmt: skip
    village_poverty_set(
        by=admin_user, village=units[VILLAGE_A], registered_poor_in=2015, exited_poverty_in=2017
    )
    village_poverty_set(
        by=admin_user, village=units[VILLAGE_B], registered_poor_in=2017, exited_poverty_in=None
    )
    household(admin_user, units, "004", VILLAGE_A, poor=(2016, 2018))  # out of poverty from 2018
    household(admin_user, units, "005", VILLAGE_B, poor=(None, None))  # never registered poor
    station = ServiceSite.objects.get(kind=SiteKind.TOWNSHIP_STATION)
    parcels = [
        parcel_log(
            by=admin_user, site=site, direction="received", carrier="EMS", tracking_number=f"E{n}", day=day,
            cost_fen=cost,
        )
        for n, (site, day, cost) in enumerate(
            [(reopened, D(2017, 2, 1), 800), (reopened, D(2017, 12, 30), None), (station, D(2018, 6, 1), 1200)]
        )
    ]  # fmt: skip
    parcel_pick_up(by=admin_user, parcel=parcels[0], day=D(2017, 2, 4))
    return {"reopened": reopened, "shops": shops, "parcels": parcels}


DAYS = [D(2015, 1, 1), D(2015, 12, 31), D(2016, 1, 1), D(2016, 5, 31), D(2017, 1, 31), D(2017, 2, 1),
        D(2017, 12, 31), D(2018, 6, 29), D(2018, 6, 30), D(2019, 12, 31)]  # fmt: skip
PATHS = ["54", "5402", "540221", "540221101", "540221101201", "540221101202", "540102101201"]


def assert_as_counted():
    for day in DAYS:
        stored = stock_on(PATHS, day)
        for path in PATHS:
            assert stored[path] == counted(path, day), (path, day)
    assert stock_verify() == (0, [])


def test_the_stock_counts_what_the_records_count_at_every_level_on_every_day(network):
    assert stock_on(["540221"], D(2016, 6, 1))["540221"]["covered:village"] == 2
    assert stock_on(["540221101201"], D(2017, 6, 1))["540221101201"]["sites:village_point"] == 2
    county = stock_on(["540221"], D(2017, 12, 31))["540221"]
    assert (county["poor"], county["shops:household"], county["shops:cooperative"]) == (3, 2, 1)
    assert (county["parcels"], county["parcel_cost"], county["picked_up"], county["pickup_days"]) == (
        2,
        800,
        1,
        3,
    )
    assert stock_on(["540221"], D(2018, 1, 1))["540221"]["poor"] == 2
    assert stock_on(["540221"], D(2016, 6, 1))["540221"]["covered:poor_village"] == 1  # A, from its point
    assert stock_on(["540221"], D(2017, 6, 1))["540221"]["units:poor_village"] == 1  # B; A left poverty
    assert_as_counted()


def test_the_stock_follows_changes_closings_moves_and_deletions(network, units, admin_user):
    waiting, later, sent = network["parcels"]
    parcel_pick_up(by=admin_user, parcel=later, day=D(2018, 1, 2))  # before its point closes
    site_update(
        by=admin_user,
        site=network["reopened"],
        data=SiteData(name="Point reopened", opened_on=D(2017, 3, 15), closed_on=D(2019, 1, 1)),
    )
    first, second, _lhasa, _cooperative = network["shops"]
    shop_set_status(by=admin_user, shop=first, status="closed", day=D(2018, 1, 1))
    second.unit = units[VILLAGE_A]  # moved to the neighbouring village
    second.save()
    ServiceSite.objects.get(unit__code=LHASA_VILLAGE).delete()
    units_import(rows=[UnitRow(0, "540221101203", "540221101", "village", "新村", "New Village")])
    poor = Household.objects.get(head_name="H004")
    household_update(
        by=admin_user,
        household=poor,
        data=HouseholdData(head_name="H004", registered_poor_in=2015, exited_poverty_in=2019),
    )
    Household.objects.filter(head_name="H005").first().delete()
    village_poverty_set(
        by=admin_user, village=units[VILLAGE_A], registered_poor_in=2014, exited_poverty_in=None
    )
    village_poverty_set(
        by=admin_user, village=units[VILLAGE_B], registered_poor_in=None, exited_poverty_in=None
    )
    village_poverty_set(
        by=admin_user, village=units[LHASA_VILLAGE], registered_poor_in=2016, exited_poverty_in=2019
    )
    sent.cost_fen = 1500
    sent.save()
    waiting.delete()
    assert stock_on(["540221"], D(2019, 1, 1))["540221"]["units:village"] == 3
    assert_as_counted()


def test_a_write_around_the_stock_is_found_and_repaired(network):
    first = ServiceSite.objects.filter(unit__code=VILLAGE_A, opened_on=D(2016, 1, 1))
    first.update(closed_on=D(2016, 12, 31))  # a queryset's update sends no signal
    count, differing = stock_verify()
    assert count > 0
    assert ("network_stock", ("540221", D(2016, 12, 31), "covered:village"), 0, -1) in differing
    with pytest.raises(CommandError, match="differ"):
        call_command("rebuild_facts", "--verify", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rebuild_facts", stdout=out)
    assert "network's counts rebuilt" in out.getvalue()
    assert_as_counted()
    assert stock_rebuild() > 0
    assert_as_counted()


def test_households_imported_in_bulk_count_as_poor_from_their_year(network, units, admin_user):
    rows = ["village_code,head_name,id_number,registered_poor_in,exited_poverty_in"]
    for serial, years in (("101", "2016,"), ("102", "2016,2017"), ("103", ",")):
        first17 = f"{VILLAGE_B[:6]}19800101{serial}"
        rows.append(f"{VILLAGE_B},H{serial},{first17 + check_digit(first17)},{years}")
    result = households_import(by=admin_user, data="\n".join(rows).encode(), filename="households.csv")
    assert result.created == 3
    village = stock_on([VILLAGE_B], D(2016, 12, 31))[VILLAGE_B]
    assert village["poor"] == 3  # the fixture's shop household and the two registered in 2016
    assert_as_counted()
