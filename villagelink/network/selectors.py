"""Reads of the service network, always through a person's scope."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.shortcuts import get_object_or_404

from villagelink.core.dates import region_today
from villagelink.core.names import names_q
from villagelink.core.paths import subtree_q
from villagelink.core.periods import open_on_q
from villagelink.core.scope import scoped
from villagelink.geo.models import LEVEL_ORDER, AdminUnit

from .models import SITE_LEVEL, Designation, ServiceSite
from .stock import stock_on


def site_list(
    *,
    user,
    unit: AdminUnit | None = None,
    kind: str | None = None,
    status: str | None = None,
    search: str = "",
    day: datetime.date | None = None,
):
    sites = scoped(ServiceSite.objects.select_related("unit"), user)
    if unit is not None:
        sites = sites.filter(subtree_q("unit__path", unit.path))
    if kind:
        sites = sites.filter(kind=kind)
    if status in {"open", "closed"}:
        is_open = open_on_q(day or region_today())
        sites = sites.filter(is_open) if status == "open" else sites.exclude(is_open)
    if search:
        sites = sites.filter(
            names_q(search)
            | Q(address__icontains=search)
            | Q(unit__name_zh__icontains=search)
            | Q(unit__name_en__icontains=search)
        )
    return sites.order_by("unit__path", "kind", "name", "pk")


def site_get(*, user, pk: int) -> ServiceSite:
    return get_object_or_404(scoped(ServiceSite.objects.select_related("unit", "unit__parent"), user), pk=pk)


def site_operators(*, site: ServiceSite):
    return site.staff.select_related("user").order_by("user__username")


@dataclass
class Coverage:
    """How many units of each level lie in an area, and how many of them have an open site of their kind."""

    unit: AdminUnit | None  # None: the whole of what is held (every region of a national programme)
    totals: dict[str, int] = field(default_factory=dict)
    covered: dict[str, int] = field(default_factory=dict)

    def share(self, level: str) -> float | None:
        total = self.totals.get(level, 0)
        return self.covered.get(level, 0) / total if total else None

    def cells(self, levels: list[str]) -> list[tuple[int, int, float | None]]:
        return [(self.covered.get(lv, 0), self.totals.get(lv, 0), self.share(lv)) for lv in levels]


def coverage_levels(unit: AdminUnit) -> list[str]:
    """The site levels at or below `unit` (a county's coverage counts its centre, townships and villages)."""
    return [lv for lv in SITE_LEVEL.values() if LEVEL_ORDER[lv] >= unit.depth]


def coverage_for(*, unit: AdminUnit | None, day: datetime.date) -> tuple[Coverage, list[Coverage]]:
    """Coverage of `unit` and of each of its children on `day`, from the network's stock (`network.stock`): a
    few indexed reads, whatever the area's size. With `unit` None, of everything held and of each region (the
    nation of a national programme).

    The caller has checked that the person may see `unit` (with None: every region); everything below it is
    in their scope too.
    """
    if unit is None:
        children = list(AdminUnit.objects.filter(parent__isnull=True).order_by("code"))
    else:
        children = list(unit.children.order_by("code"))
    counts = stock_on([child.path for child in children] + ([unit.path] if unit else []), day)
    by_child = [_coverage(child, counts[child.path]) for child in children]
    if unit is not None:
        return _coverage(unit, counts[unit.path]), by_child
    total = Coverage(None)
    for child in by_child:
        for mine, theirs in ((total.totals, child.totals), (total.covered, child.covered)):
            for level, n in theirs.items():
                mine[level] = mine.get(level, 0) + n
    return total, by_child


def _coverage(unit: AdminUnit, counts: dict[str, int]) -> Coverage:
    coverage = Coverage(unit)
    for level in SITE_LEVEL.values():
        for into, measure in ((coverage.totals, f"units:{level}"), (coverage.covered, f"covered:{level}")):
            if counts.get(measure):
                into[level] = counts[measure]
    return coverage


def designation_list(*, user):
    return scoped(Designation.objects.select_related("county", "county__parent"), user).order_by(
        "year", "batch", "county__code"
    )


def designations_by_year(*, user) -> list[tuple[int, list[Designation]]]:
    years: dict[int, list[Designation]] = defaultdict(list)
    for designation in designation_list(user=user):
        years[designation.year].append(designation)
    return sorted(years.items())


def poor_villages(*, user):
    """The villages of the person's area ever registered poor, by code."""
    villages = AdminUnit.objects.filter(registered_poor_in__isnull=False).select_related(
        "parent", "parent__parent"
    )
    return scoped(villages, user).order_by("code")


def poor_in_q(year: int) -> Q:
    """Poor villages (or households) in `year`: registered poor in or before it, not yet out of poverty."""
    return Q(registered_poor_in__lte=year) & (
        Q(exited_poverty_in__isnull=True) | Q(exited_poverty_in__gt=year)
    )
