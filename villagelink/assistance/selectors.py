import datetime

from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404

from villagelink.core.paths import subtree_q
from villagelink.core.scope import scoped
from villagelink.geo.models import AdminUnit

from .models import AssistanceEvent


def assistance_list(
    *,
    user,
    unit: AdminUnit | None = None,
    kind: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    household=None,
):
    events = scoped(
        # "reversal" too: the list marks each original that has been reversed, without a query per row
        AssistanceEvent.objects.select_related(
            "household", "household__village", "site", "reverses", "reversal"
        ),
        user,
    )
    if unit is not None:
        events = events.filter(subtree_q("household__village__path", unit.path))
    if kind:
        events = events.filter(kind=kind)
    if start:
        events = events.filter(day__gte=start)
    if end:
        events = events.filter(day__lte=end)
    if household is not None:
        events = events.filter(household=household)
    return events.order_by("-day", "-pk")


def assistance_get(*, user, pk: int) -> AssistanceEvent:
    return get_object_or_404(
        scoped(AssistanceEvent.objects.select_related("household__village", "site", "reverses"), user), pk=pk
    )


def assistance_totals(events) -> dict[str, int]:
    """Net counts: each reversal cancels its original. `households` counts households with net help."""
    totals = events.aggregate(events=Sum("sign"))
    net_by_household = events.values("household").annotate(net=Sum("sign")).filter(net__gt=0)
    return {"events": totals["events"] or 0, "households": net_by_household.count()}


def assistance_by_kind(events) -> list[dict]:
    return list(
        events.values("kind")
        .annotate(n=Sum("sign"), households=Count("household", distinct=True, filter=Q(sign=1)))
        .order_by("kind")
    )
