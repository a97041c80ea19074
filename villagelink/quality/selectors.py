"""Reading flags, always within the person's scope."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from villagelink.core.paths import subtree_q
from villagelink.core.scope import scoped

from .models import Flag, FlagStatus
from .services import can_review


def flag_list(
    *, user, path: str, status: str = "", rule: str = "", month: datetime.date | None = None
) -> QuerySet[Flag]:
    if not can_review(user):
        raise PermissionDenied
    flags = scoped(Flag.objects.select_related("unit", "shop", "reviewed_by"), user).filter(
        subtree_q("unit__path", path)
    )
    if status:
        flags = flags.filter(status=status)
    if rule:
        flags = flags.filter(rule=rule)
    if month is not None:
        flags = flags.filter(month=month)
    return flags.order_by("-month", "unit__path", "pk")


def flag_get(*, user, pk: int) -> Flag:
    if not can_review(user):
        raise PermissionDenied
    return get_object_or_404(scoped(Flag.objects.select_related("unit", "shop", "reviewed_by"), user), pk=pk)


def flag_totals(flags: QuerySet[Flag]) -> dict:
    """How many flags are open, confirmed and dismissed, and the amounts they cover."""
    return flags.aggregate(
        open=Count("pk", filter=Q(status=FlagStatus.OPEN)),
        confirmed=Count("pk", filter=Q(status=FlagStatus.CONFIRMED)),
        dismissed=Count("pk", filter=Q(status=FlagStatus.DISMISSED)),
        open_fen=Sum("amount_fen", filter=Q(status=FlagStatus.OPEN)),
        confirmed_fen=Sum("amount_fen", filter=Q(status=FlagStatus.CONFIRMED)),
    )
