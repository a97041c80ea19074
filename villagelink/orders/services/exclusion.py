"""Excluding orders from every figure (and restoring them), the one writer of `Order.excluded`: called by the
data-quality review (villagelink.quality) when an officer confirms or withdraws a flag."""

from collections.abc import Iterable

from django.db import transaction

from ..facts import facts_follow
from ..models import Order


@transaction.atomic
def orders_exclude(*, ids: Iterable[int], excluded: bool = True) -> int:
    """Marks the orders excluded (or counted again), moving the facts of every level by what they counted, in
    the same transaction; refused, like any change, for a month whose figures stand approved. Returns how
    many orders changed."""
    wanted = sorted(set(ids))
    locked = list(
        Order.objects.select_for_update().filter(pk__in=wanted).order_by("pk").values_list("pk", flat=True)
    )
    with facts_follow(locked):
        changed = Order.objects.filter(pk__in=locked).exclude(excluded=excluded).update(excluded=excluded)
    return changed
