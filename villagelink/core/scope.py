"""The one place where a person's scope is applied to what they may see or change.

Every model a person can reach names the lookup that leads to its unit's path (`scope_path_lookup`, e.g.
"path" on AdminUnit, "unit__path" on a model with a `unit` foreign key). `scoped()` keeps the rows at or
below the person's scope unit; an administrator sees everything; anyone else without a scope sees nothing.
"""

from typing import TypeVar

from django.db.models import Model, QuerySet

from .paths import subtree_q

M = TypeVar("M", bound=Model)


def is_administrator(user) -> bool:
    return bool(
        user.is_authenticated and (user.is_superuser or getattr(user, "role", None) == "administrator")
    )


# Sellers and buyers reach back-office data only through their own shops and orders, never by area.
ROLES_WITHOUT_AREA = frozenset({"seller", "buyer"})


def scope_unit_of(user):
    """The unit a non-administrator works in, or None (administrators, sellers, buyers, anonymous people)."""
    if (
        not user.is_authenticated
        or is_administrator(user)
        or getattr(user, "role", None) in ROLES_WITHOUT_AREA
    ):
        return None
    return getattr(user, "scope_unit", None)


def scoped(queryset: QuerySet[M], user, *, lookup: str | None = None) -> QuerySet[M]:
    """`lookup` overrides the model's `scope_path_lookup` (e.g. for an annotation on a third-party model)."""
    if is_administrator(user):
        return queryset
    unit = scope_unit_of(user)
    if unit is None:
        return queryset.none()
    lookup = lookup or getattr(queryset.model, "scope_path_lookup")  # noqa: B009  (declared by each scoped model)
    return queryset.filter(subtree_q(lookup, unit.path))


def in_scope(user, path: str) -> bool:
    """Whether a unit path lies within the person's scope (for objects already in hand)."""
    if is_administrator(user):
        return True
    unit = scope_unit_of(user)
    return unit is not None and path.startswith(unit.path)
