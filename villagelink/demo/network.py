"""The demo's service network and demonstration counties, generated the same way every time.

For the Tibet demo period 2015-01-01 to 2019-06-30: 26 county centres, 127 township stations and 380 village
points open at its end (and a few points that closed before it), 27 counties designated 2015–2018 (those with a
centre first, in a drawn order) and the remaining 47 in 2019. Stations and points are spread over all counties
and open on drawn days, whatever the county's designation: the designation's own effect on trade is
`regional_trades.DESIGNATION_EFFECT`, which the evaluation estimates without reading it. Namling County (540221) always has a centre, a station in its first township and a point
in that township's first village, which the demo's point operator runs.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction

from villagelink.core.paths import subtree_q
from villagelink.geo.models import AdminUnit, Level
from villagelink.network.models import Designation, ServiceSite, SiteKind, SiteOperator
from villagelink.network.stock import stock_follow

CENTRES, STATIONS, POINTS, CLOSED_POINTS = 26, 127, 380, 6
EARLY_DESIGNATIONS = {2015: 7, 2016: 8, 2017: 6, 2018: 6}  # 27 in all; the other counties follow in 2019
LATE_YEAR = 2019
NAMLING = "540221"
START, END = datetime.date(2015, 1, 1), datetime.date(2019, 6, 30)
# Poor villages (贫困村): about three in five villages, registered in 2014 when the register was drawn up, out of
# poverty from 2017 to 2020. Illustrative shares, not published figures.
POOR_VILLAGE_SHARE = 0.6
POOR_VILLAGE_REGISTERED = 2014
POOR_VILLAGE_EXITS = (2017, 2018, 2019, 2020)


@dataclass(frozen=True)
class NetworkDemoResult:
    sites: int
    designations: int


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _site(
    kind: str, unit: AdminUnit, opened: datetime.date, closed: datetime.date | None = None
) -> ServiceSite:
    names = {
        SiteKind.COUNTY_CENTRE: "{}电子商务公共服务中心",
        SiteKind.TOWNSHIP_STATION: "{}电商服务站",
        SiteKind.VILLAGE_POINT: "{}电商服务点",
    }
    base = unit.name_zh.replace("（示例）", "")
    return ServiceSite(
        kind=kind,
        unit=unit,
        name=names[kind].format(base),
        address=f"{base}",
        opened_on=opened,
        closed_on=closed,
        offers_training=kind != SiteKind.VILLAGE_POINT,
        offers_shop_setup=kind != SiteKind.VILLAGE_POINT,
    )


@transaction.atomic
def build_network_demo(*, region: AdminUnit, point_operator=None) -> NetworkDemoResult:
    """Adds the network and designations under `region` unless it already has them."""
    if ServiceSite.objects.filter(subtree_q("unit__path", region.path)).exists():
        return NetworkDemoResult(sites=0, designations=0)
    rng = random.Random(20190630)
    units = AdminUnit.objects.filter(subtree_q("path", region.path))
    counties = list(units.filter(level=Level.COUNTY).order_by("code"))
    townships_of: dict[int, list[AdminUnit]] = {}
    villages_of: dict[int, list[AdminUnit]] = {}
    for unit in units.filter(level__in=[Level.TOWNSHIP, Level.VILLAGE]).order_by("code"):
        (townships_of if unit.level == Level.TOWNSHIP else villages_of).setdefault(unit.parent_id, []).append(
            unit
        )

    namling = next(c for c in counties if c.code == NAMLING)
    others = [c for c in counties if c.code != NAMLING]
    rng.shuffle(others)
    centre_counties = [namling, *others[: CENTRES - 1]]

    sites = [
        _site(SiteKind.COUNTY_CENTRE, c, _day(rng, START, datetime.date(2017, 12, 31)))
        for c in centre_counties
    ]

    # Stations and points stand in every county, with a centre or not (the postal service and the platforms set
    # up many of them): so the counties designated late trade too, and compare with those designated early.
    candidate_townships = [t for c in counties for t in townships_of.get(c.pk, [])]
    first_township = townships_of[namling.pk][0]
    rest = [t for t in candidate_townships if t.pk != first_township.pk]
    rng.shuffle(rest)
    station_townships = [first_township, *rest[: STATIONS - 1]]
    sites += [
        _site(SiteKind.TOWNSHIP_STATION, t, _day(rng, START, datetime.date(2018, 12, 31)))
        for t in station_townships
    ]

    first_village = villages_of[first_township.pk][0]
    candidate_villages = [
        v for t in station_townships for v in villages_of.get(t.pk, []) if v.pk != first_village.pk
    ]
    rng.shuffle(candidate_villages)
    point_villages = [first_village, *candidate_villages[: POINTS - 1]]
    sites += [_site(SiteKind.VILLAGE_POINT, v, _day(rng, START, END)) for v in point_villages]
    for village in candidate_villages[POINTS - 1 : POINTS - 1 + CLOSED_POINTS]:
        opened = _day(rng, START, datetime.date(2017, 6, 30))
        sites.append(
            _site(SiteKind.VILLAGE_POINT, village, opened, _day(rng, opened, datetime.date(2018, 12, 31)))
        )
    with stock_follow(site.unit_id for site in sites):
        ServiceSite.objects.bulk_create(sites, batch_size=500)

    # the counties with centres were designated first (the programme funds the centres), then one more
    early = sum(EARLY_DESIGNATIONS.values())
    designated = [*centre_counties, *others[CENTRES - 1 :]][:early]
    remaining = [c for c in counties if c not in designated]
    designations = []
    order = iter(designated)
    for year, count in EARLY_DESIGNATIONS.items():
        designations += [Designation(county=next(order), year=year, batch=year - 2014) for _ in range(count)]
    designations += [Designation(county=c, year=LATE_YEAR, batch=LATE_YEAR - 2014) for c in remaining]
    with stock_follow(designation.county_id for designation in designations):
        Designation.objects.bulk_create(designations)

    poor = [v for code_order in villages_of.values() for v in code_order if rng.random() < POOR_VILLAGE_SHARE]
    for village in poor:
        village.registered_poor_in = POOR_VILLAGE_REGISTERED
        village.exited_poverty_in = rng.choice(POOR_VILLAGE_EXITS)
    for start in range(0, len(poor), 5_000):  # a database takes only so many parameters in one query
        chunk = poor[start : start + 5_000]
        with stock_follow(village.pk for village in chunk):
            AdminUnit.objects.bulk_update(chunk, ["registered_poor_in", "exited_poverty_in"], batch_size=500)

    if point_operator is not None:
        point = ServiceSite.objects.get(kind=SiteKind.VILLAGE_POINT, unit=first_village)
        SiteOperator.objects.update_or_create(user=point_operator, defaults={"site": point})
    return NetworkDemoResult(sites=len(sites), designations=len(designations))
