"""Reads of the service network, always through a person's scope."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404

from villagelink.core.dates import region_today
from villagelink.core.names import names_q
from villagelink.core.paths import subtree_q
from villagelink.core.periods import open_on_q
from villagelink.core.scope import scoped
from villagelink.geo.models import LEVEL_ORDER, LEVEL_PATH_WIDTH, AdminUnit, Level

from .models import SITE_LEVEL, Designation, ServiceSite, SiteKind


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
    """Coverage of `unit` and of each of its children on `day`: three queries, whatever the area's size.
    With `unit` None, of everything held and of each region (the nation of a national programme).

    The caller has checked that the person may see `unit` (with None: every region); everything below it is
    in their scope too.
    """
    if unit is None:
        children = list(AdminUnit.objects.filter(parent__isnull=True).order_by("code"))
        below, sites_below = Q(), Q()
    else:
        children = list(unit.children.order_by("code"))
        below, sites_below = subtree_q("path", unit.path), subtree_q("unit__path", unit.path)
    total = Coverage(unit)
    by_branch = {child.path: Coverage(child) for child in children}
    widths = {LEVEL_PATH_WIDTH[Level(child.level)] for child in children} or {len(unit.path) if unit else 0}
    level_of_kind = {kind: level for kind, level in SITE_LEVEL.items()}
    for width in widths:
        units = (
            AdminUnit.objects.filter(below, level__in=list(SITE_LEVEL.values()))
            .annotate(branch=Substr("path", 1, width))
            .values("branch", "level")
            .annotate(n=Count("id"))
        )
        for row in units:
            _add(total.totals, row["level"], row["n"], width == min(widths))
            if row["branch"] in by_branch:
                _add(by_branch[row["branch"]].totals, row["level"], row["n"], True)
        sites = (
            ServiceSite.objects.filter(open_on_q(day), sites_below)
            .annotate(branch=Substr("unit__path", 1, width))
            .values("branch", "kind")
            .annotate(n=Count("unit", distinct=True))
        )
        for row in sites:
            level = level_of_kind[SiteKind(row["kind"])]
            _add(total.covered, level, row["n"], width == min(widths))
            if row["branch"] in by_branch:
                _add(by_branch[row["branch"]].covered, level, row["n"], True)
    return total, [by_branch[child.path] for child in children]


def _add(counts: dict[str, int], level: str, n: int, count_it: bool) -> None:
    if count_it:
        counts[level] = counts.get(level, 0) + n


def designation_list(*, user):
    return scoped(Designation.objects.select_related("county", "county__parent"), user).order_by(
        "year", "batch", "county__code"
    )


def designations_by_year(*, user) -> list[tuple[int, list[Designation]]]:
    years: dict[int, list[Designation]] = defaultdict(list)
    for designation in designation_list(user=user):
        years[designation.year].append(designation)
    return sorted(years.items())
