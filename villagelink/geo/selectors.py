"""Reads of the administrative hierarchy, always through a person's scope."""

from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404

from villagelink.core.paths import subtree_q
from villagelink.core.scope import scope_unit_of, scoped

from .models import LEVEL_ORDER, LEVEL_PATH_WIDTH, AdminUnit, Level


def unit_list(*, user, parent_code: str | None = None, level: str | None = None):
    """Units in scope by code (the API's list), with their parents."""
    units = scoped(AdminUnit.objects.select_related("parent"), user)
    if parent_code:
        units = units.filter(parent__code=parent_code)
    if level:
        units = units.filter(level=level)
    return units.order_by("code")


def unit_get(*, user, code: str) -> AdminUnit:
    """The unit with this code, or 404 when it does not exist or lies outside the person's scope."""
    return get_object_or_404(scoped(AdminUnit.objects.select_related("parent"), user), code=code)


def unit_roots(*, user) -> list[AdminUnit]:
    """Where a person's tree starts: their scope unit, or every region for an administrator."""
    own = scope_unit_of(user)
    if own is not None:
        return [own]
    return list(scoped(AdminUnit.objects.filter(parent__isnull=True), user))


def unit_ancestors(*, user, unit: AdminUnit) -> list[AdminUnit]:
    """The unit's ancestors that the person may see, from the top down (for breadcrumbs)."""
    prefixes = [unit.path[:width] for width in LEVEL_PATH_WIDTH.values() if width < len(unit.path)]
    return list(scoped(AdminUnit.objects.filter(path__in=prefixes), user).order_by("path"))


@dataclass
class ChildSummary:
    unit: AdminUnit
    counts: dict[str, int] = field(default_factory=dict)  # level -> units of that level below the child

    @property
    def total_below(self) -> int:
        return sum(self.counts.values())


def unit_children_with_counts(*, unit: AdminUnit) -> list[ChildSummary]:
    """Each child of `unit` with how many units of each level lie below it: two queries, whatever the size.

    The caller has already checked that the person may see `unit`; its children lie in the same scope.
    """
    children = list(unit.children.order_by("code"))
    summaries = {child.path: ChildSummary(child) for child in children}
    if not children:
        return []
    widths = {LEVEL_PATH_WIDTH[Level(child.level)] for child in children}
    for width in widths:
        rows = (
            AdminUnit.objects.filter(subtree_q("path", unit.path))
            .exclude(path=unit.path)
            .annotate(branch=Substr("path", 1, width))
            .values("branch", "level")
            .annotate(n=Count("id"))
        )
        for row in rows:
            summary = summaries.get(row["branch"])
            if summary is not None and LEVEL_ORDER[row["level"]] > summary.unit.depth:
                summary.counts[row["level"]] = row["n"]
    return [summaries[child.path] for child in children]


def levels_below(unit: AdminUnit) -> list[str]:
    return [level for level in Level.values if LEVEL_ORDER[level] > unit.depth]
