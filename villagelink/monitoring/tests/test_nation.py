"""A national programme holds several regions: the nation's figures are the sum of its regions', and its
ranking lists the regions."""

import datetime

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.desk.services import assisted_purchase_record
from villagelink.geo.models import AdminUnit
from villagelink.geo.services import UnitRow, units_import
from villagelink.monitoring.indicators import INDICATORS
from villagelink.monitoring.selectors import figures_for, figures_for_nation, figures_for_regions
from villagelink.network.models import SiteKind
from villagelink.network.services import SiteData, site_open, site_operator_assign

from .conftest import NAMLING_VILLAGES

YEAR = (datetime.date(2019, 1, 1), datetime.date(2019, 12, 31))
QINGHAI_VILLAGE = "632221101201"


def _qinghai(admin_user):
    """Qinghai with one prefecture, county, township and two villages, a point in one village, and a purchase
    recorded there."""
    units_import(
        rows=[
            UnitRow(0, "630000", "", "region", "青海省", "Qinghai"),
            UnitRow(0, "632200", "630000", "prefecture", "海北藏族自治州", "Haibei"),
            UnitRow(0, "632221", "632200", "county", "门源回族自治县", "Menyuan"),
            UnitRow(0, "632221101", "632221", "township", "浩门镇", "Haomen"),
            UnitRow(0, QINGHAI_VILLAGE, "632221101", "village", "一村", "Village 1"),
            UnitRow(0, "632221101202", "632221101", "village", "二村", "Village 2"),
        ]
    )
    village = AdminUnit.objects.get(code=QINGHAI_VILLAGE)
    site = site_open(
        by=admin_user,
        kind=SiteKind.VILLAGE_POINT,
        unit=village,
        data=SiteData(name="Haomen point", opened_on=datetime.date(2016, 1, 1)),
    )
    operator = make_user("operator-qinghai", Role.SITE_OPERATOR, village)
    site_operator_assign(by=admin_user, site=site, user=operator)
    operator.refresh_from_db()
    assisted_purchase_record(
        by=operator, site=site, platform="jd", description="Tea", category="food", amount_fen=7700,
        day=datetime.date(2019, 3, 3),
    )  # fmt: skip


def test_the_nation_adds_up_its_regions_and_ranks_them(points, admin_user):
    site, operator = points[NAMLING_VILLAGES[0]]
    assisted_purchase_record(
        by=operator, site=site, platform="jd", description="Rice", category="food", amount_fen=4200,
        day=datetime.date(2019, 2, 2),
    )  # fmt: skip
    _qinghai(admin_user)

    regions = figures_for_regions(start=YEAR[0], end=YEAR[1])
    assert [figures.unit.code for figures in regions] == ["540000", "630000"]
    for figures in regions:
        assert figures.values == figures_for(unit=figures.unit, start=YEAR[0], end=YEAR[1])

    nation = figures_for_nation(start=YEAR[0], end=YEAR[1])
    assert nation["online_purchases"] == 4200 + 7700
    assert nation["online_purchases_orders"] == 2
    for indicator in INDICATORS:
        if indicator.additive:
            assert nation[indicator.name] == sum(f.values[indicator.name] or 0 for f in regions), (
                indicator.name
            )
    # Four village points (three in Tibet's test villages, one in Qinghai) over all the villages held.
    villages = AdminUnit.objects.filter(level="village").count()
    assert nation["village_points"] == 4
    assert nation["village_coverage"] == 4 / villages
