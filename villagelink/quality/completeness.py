"""Reporting completeness: for a unit and a month, which shops on external platforms sent their order report,
which village points recorded nothing, and the share complete (what DHIS2 calls the reporting rate: reports
received over reports expected). What counts is what a county's commerce bureau counts when it chases the
month's reports:

- A shop is expected to report when it sells on a platform whose order reports the county imports (Taobao /
  Tmall, JD, Pinduoduo, or a generic sheet: `REPORTING_PLATFORMS`, the platforms `villagelink.imports` has a
  report layout for; a WeChat or Douyin shop has no order report to export: its sales are recorded at the
  village point's desk, so its point answers for it) and was open the whole month: opened on or before its
  first day and not closed by its last. A shop opened during the month reports from the next one; a shop closed
  during it is no longer asked.
- The shop has sent its report when a committed import holds an order of the shop placed in the month: an
  order of channel "external platform" (only an import's commit writes those), whatever became of it — a
  report listing a cancelled or refunded order was still sent. A platform exports orders, not empty months:
  a shop that sold nothing looks the same as one whose report never came, and the list of missing shops is
  what the office follows up, shop by shop.
- A village point is expected when it was open the whole month, and silent when nothing was recorded at it
  in the month: no purchase or sale entered at its desk (an order of the site placed in the month, whatever
  became of it: a reversed entry was still the point at work) and no assistance event given at the site
  (trainings included), nor any other work the apps above register with `point_work` (the desk: a parcel
  logged in or handed over, which is the point's daily work in a village that sells little).
- The share complete is (shops reported + points not silent) / (shops expected + points expected); none when
  nothing was expected.

Everything is read within the person's scope, in a handful of queries whatever the size of the area.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from villagelink.assistance.models import AssistanceEvent
from villagelink.catalog.models import Platform, Shop
from villagelink.core.paths import subtree_q
from villagelink.core.periods import month_end
from villagelink.core.scope import scoped
from villagelink.geo.models import AdminUnit
from villagelink.network.models import ServiceSite, SiteKind
from villagelink.orders.models import Channel, Order

from .services import can_review

# The platforms whose order reports are imported (villagelink.imports.models.IMPORT_PLATFORMS; a test keeps
# the two the same, since this app sits below imports and cannot read it).
REPORTING_PLATFORMS = (Platform.TAOBAO, Platform.JD, Platform.PINDUODUO, Platform.OTHER)


# Other work at a point, registered by the apps above this one: each gives the sites of `sites` (a query of
# service sites) with work recorded from the first day to the last.
_work: list[Callable[[QuerySet, datetime.date, datetime.date], Iterable[int]]] = []


def point_work(source: Callable[[QuerySet, datetime.date, datetime.date], Iterable[int]]) -> None:
    """Registers `source(sites, first, last)`: the ids of those sites with work of its kind in the days."""
    if source not in _work:
        _work.append(source)


@dataclass
class Tally:
    shops_expected: int = 0
    shops_reported: int = 0
    points_expected: int = 0
    points_silent: int = 0

    @property
    def shops_missing(self) -> int:
        return self.shops_expected - self.shops_reported

    @property
    def points_active(self) -> int:
        return self.points_expected - self.points_silent

    @property
    def expected(self) -> int:
        return self.shops_expected + self.points_expected

    @property
    def complete(self) -> int:
        return self.shops_reported + self.points_active

    @property
    def share(self) -> float | None:
        """Reports received over reports expected (0 to 1); None when nothing was expected."""
        return self.complete / self.expected if self.expected else None

    @property
    def share_percent(self) -> float | None:
        return None if self.share is None else 100 * self.share

    def add(self, *, shop: bool | None = None, point_silent: bool | None = None) -> None:
        if shop is not None:
            self.shops_expected += 1
            self.shops_reported += int(shop)
        if point_silent is not None:
            self.points_expected += 1
            self.points_silent += int(point_silent)


@dataclass
class ChildRow:
    unit: AdminUnit
    tally: Tally


@dataclass
class Completeness:
    unit: AdminUnit
    month: datetime.date  # its first day
    total: Tally
    children: list[ChildRow]
    # What sits at the unit itself (a county cooperative's shop), when anything is expected there.
    own: Tally | None
    missing_shops: list[Shop] = field(default_factory=list)
    silent_points: list[ServiceSite] = field(default_factory=list)

    @property
    def last(self) -> datetime.date:
        return month_end(self.month)


def _open_all_month(first: datetime.date, last: datetime.date) -> Q:
    return Q(opened_on__lte=first) & (Q(closed_on__isnull=True) | Q(closed_on__gt=last))


def _expected_shops(path: str, first: datetime.date, last: datetime.date):
    """The shops of the area (by unit path) expected to send an order report for the month."""
    return Shop.objects.filter(
        subtree_q("unit__path", path), _open_all_month(first, last), platform__in=REPORTING_PLATFORMS
    )


def _expected_points(path: str, first: datetime.date, last: datetime.date):
    """The village points of the area expected to record something in the month."""
    return ServiceSite.objects.filter(
        subtree_q("unit__path", path), _open_all_month(first, last), kind=SiteKind.VILLAGE_POINT
    )


def completeness_for(*, user, unit: AdminUnit, month: datetime.date) -> Completeness:
    """The completeness of `unit`'s area for the month of `month`, per child unit, for an officer (a unit the
    person may see: the caller found it with `geo.selectors.unit_get`; every row is read through the scope)."""
    if not can_review(user):
        raise PermissionDenied
    return _completeness(unit, month, lambda rows: scoped(rows, user))


def completeness_of_area(*, unit: AdminUnit, month: datetime.date) -> Completeness:
    """The same for the whole area, for the system's own commands (no person's scope)."""
    return _completeness(unit, month, lambda rows: rows)


def _completeness(
    unit: AdminUnit, month: datetime.date, scope: Callable[[QuerySet], QuerySet]
) -> Completeness:
    first = month.replace(day=1)
    last = month_end(first)
    expected = scope(_expected_shops(unit.path, first, last))
    shops = list(expected.select_related("unit").order_by("unit__path", "name", "pk"))
    sites = scope(_expected_points(unit.path, first, last))
    points = list(sites.select_related("unit").order_by("unit__path", "name", "pk"))
    in_month = {"placed_on__gte": first, "placed_on__lte": last}
    reported = set(
        Order.objects.filter(channel=Channel.PLATFORM, shop__in=expected.values("pk"), **in_month)
        .values_list("shop_id", flat=True)
        .distinct()
    )
    active = set(
        Order.objects.filter(site__in=sites.values("pk"), **in_month)
        .values_list("site_id", flat=True)
        .distinct()
    )
    active |= set(
        AssistanceEvent.objects.filter(site__in=sites.values("pk"), day__gte=first, day__lte=last)
        .values_list("site_id", flat=True)
        .distinct()
    )
    for source in _work:
        active |= set(source(sites, first, last))

    children = list(unit.children.order_by("code"))
    rows = {child.path: ChildRow(child, Tally()) for child in children}
    widths = sorted({len(path) for path in rows})
    total, own = Tally(), Tally()

    def tally_of(path: str) -> Tally:
        for width in widths:
            row = rows.get(path[:width])
            if row is not None:
                return row.tally
        return own

    for shop in shops:
        total.add(shop=shop.pk in reported)
        tally_of(shop.unit.path).add(shop=shop.pk in reported)
    for point in points:
        total.add(point_silent=point.pk not in active)
        tally_of(point.unit.path).add(point_silent=point.pk not in active)
    return Completeness(
        unit=unit,
        month=first,
        total=total,
        children=list(rows.values()),
        own=own if own.expected and children else None,
        missing_shops=[shop for shop in shops if shop.pk not in reported],
        silent_points=[point for point in points if point.pk not in active],
    )


def _tally_document(tally: Tally) -> dict:
    return {
        "shops_expected": tally.shops_expected,
        "shops_reported": tally.shops_reported,
        "shops_missing": tally.shops_missing,
        "points_expected": tally.points_expected,
        "points_silent": tally.points_silent,
        "share": None if tally.share is None else round(tally.share, 4),
    }


def _unit_document(unit: AdminUnit) -> dict:
    return {"code": unit.code, "name": unit.name, "level": unit.level}


def completeness_document(found: Completeness) -> dict:
    """The completeness as plain data (the API's answer, the command's JSON): the month as YYYY-MM, shares as
    fractions rounded to 4 places, names in the active language."""
    return {
        "unit": _unit_document(found.unit),
        "month": f"{found.month:%Y-%m}",
        "start": found.month.isoformat(),
        "end": found.last.isoformat(),
        **_tally_document(found.total),
        "children": [
            {"unit": _unit_document(row.unit), **_tally_document(row.tally)} for row in found.children
        ],
        "own": None if found.own is None else _tally_document(found.own),
        "missing_shops": [
            {
                "id": shop.pk,
                "name": shop.local_name,
                "platform": shop.platform,
                "unit": shop.unit.code,
                "opened_on": shop.opened_on.isoformat(),
            }
            for shop in found.missing_shops
        ],
        "silent_points": [
            {
                "id": point.pk,
                "name": point.local_name,
                "unit": point.unit.code,
                "opened_on": point.opened_on.isoformat(),
            }
            for point in found.silent_points
        ],
    }
