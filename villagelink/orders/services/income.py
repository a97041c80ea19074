"""The e-commerce income a completed sale brings to poor households (`IncomeShare`), one sale at a time
or recomputed for many (imports)."""

from ..models import IncomeShare, Kind, Order, Status


def poor_beneficiaries(household, organisation, year: int, members: dict[int, list]) -> list:
    """Whose e-commerce income a completed sale of `year` is: the household, if it is registered poor that
    year; else each of the organisation's linked households that is. `members` caches each organisation's
    households."""
    if household is not None:
        return [household] if household.is_poor_in(year) else []
    if organisation is None:
        return []
    if organisation.pk not in members:
        members[organisation.pk] = list(organisation.households.order_by("pk"))
    return [h for h in members[organisation.pk] if h.is_poor_in(year)]


def income_split(amount_fen: int, households: list) -> list[tuple[object, int]]:
    """Equal shares of an amount, the remainder's fen going one each to the first households."""
    share, remainder = divmod(amount_fen, len(households))
    return [(household, share + (1 if i < remainder else 0)) for i, household in enumerate(households)]


def _income_shares(order: Order, members: dict[int, list]) -> list[IncomeShare]:
    """A completed sale is e-commerce income of the poor household it was made for (the shop's, or the one
    named on an assisted sale), or an equal share of it for each poor household linked to the organisation.
    The shipping fee is not income: the shop passes it on to the carrier."""
    earned = order.amount_fen - order.shipping_fee_fen
    if order.kind != Kind.SALE or order.status != Status.COMPLETED or earned <= 0:
        return []
    household = order.household or (order.shop.household if order.shop else None)
    organisation = order.organisation or (order.shop.organisation if order.shop else None)
    households = poor_beneficiaries(household, organisation, order.completed_on.year, members)
    if not households:
        return []
    return [
        IncomeShare(order=order, household=household, amount_fen=amount, day=order.completed_on)
        for household, amount in income_split(earned, households)
    ]


def _record_income(order: Order) -> None:
    IncomeShare.objects.bulk_create(_income_shares(order, {}))


def income_recompute(order_ids: list[int]) -> None:
    """For bulk paths (imports): the income shares of these orders, as their status and amounts now stand."""
    IncomeShare.objects.filter(order_id__in=order_ids).delete()
    orders = Order.objects.filter(pk__in=order_ids, kind=Kind.SALE, status=Status.COMPLETED).select_related(
        "household", "organisation", "shop__household", "shop__organisation"
    )
    members: dict[int, list] = {}
    shares = [share for order in orders.iterator(chunk_size=2000) for share in _income_shares(order, members)]
    IncomeShare.objects.bulk_create(shares, batch_size=2000)
