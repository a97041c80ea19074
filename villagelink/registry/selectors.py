"""Reads of the registry, always through a person's scope."""

from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404

from villagelink.core.names import names_q
from villagelink.core.paths import subtree_q
from villagelink.core.scope import scoped
from villagelink.geo.models import AdminUnit

from .models import Household, Organisation

POVERTY_FILTERS = {
    "poor": Q(registered_poor_in__isnull=False, exited_poverty_in__isnull=True),
    "exited": Q(exited_poverty_in__isnull=False),
    "never": Q(registered_poor_in__isnull=True),
}


def household_search_q(search: str) -> Q:
    """Part of the head's name, or the last four characters of the ID number."""
    search = search.strip()
    matches = Q(head_name__icontains=search)
    if len(search) == 4 and search[:3].isdigit():
        matches |= Q(id_last4=search.upper())
    return matches


def household_list(*, user, unit: AdminUnit | None = None, search: str = "", poverty: str = ""):
    """Households in scope. `search` is part of the head's name, or the last four characters of the ID number."""
    households = scoped(Household.objects.select_related("village"), user)
    if unit is not None:
        households = households.filter(subtree_q("village__path", unit.path))
    if search.strip():
        households = households.filter(household_search_q(search))
    if poverty in POVERTY_FILTERS:
        households = households.filter(POVERTY_FILTERS[poverty])
    return households.order_by("village__code", "head_name", "pk")


def household_get(*, user, pk: int) -> Household:
    return get_object_or_404(
        scoped(Household.objects.select_related("village", "village__parent"), user), pk=pk
    )


def household_organisations(*, household: Household):
    return household.organisation_links.select_related("organisation").order_by("organisation__name")


def organisation_list(*, user, search: str = "", kind: str = ""):
    organisations = scoped(Organisation.objects.select_related("unit"), user).annotate(
        linked=Count("links", distinct=True)
    )
    if search.strip():
        organisations = organisations.filter(names_q(search.strip()))
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations.order_by("unit__code", "name", "pk")


def organisation_get(*, user, pk: int) -> Organisation:
    return get_object_or_404(scoped(Organisation.objects.select_related("unit"), user), pk=pk)


def organisation_households(*, user, organisation: Organisation):
    """The linked households the person may see (an organisation's members can live beyond one's area)."""
    return scoped(
        organisation.links.select_related("household", "household__village"),
        user,
        lookup="household__village__path",
    ).order_by("household__head_name")


def household_income(*, household: Household) -> dict:
    """The household's e-commerce income: the total of its income shares and the ten latest (the shares are
    written by the order services; read here through the household's reverse relation)."""
    shares = household.income_shares.select_related("order")
    return {
        "total_fen": shares.aggregate(total=Sum("amount_fen"))["total"] or 0,
        "recent": list(shares.order_by("-day", "-pk")[:10]),
    }
