"""Reads for the desk: the operator's site, households of its area, its entries and its totals."""

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum
from django.shortcuts import get_object_or_404

from villagelink.core.paths import subtree_q
from villagelink.core.scope import scoped
from villagelink.geo.models import AdminUnit
from villagelink.network.models import ServiceSite
from villagelink.orders.models import Channel, Kind, Order, Status
from villagelink.registry.models import Household
from villagelink.registry.selectors import household_search_q

from .models import Direction, Parcel


def desk_site(*, user, pk: int | None = None) -> ServiceSite | None:
    """The site a desk works for: an operator's own site; an officer or administrator names one in scope."""
    if pk is not None:
        return get_object_or_404(scoped(ServiceSite.objects.select_related("unit"), user), pk=pk)
    role = getattr(user, "site_role", None) if user.is_authenticated else None
    return ServiceSite.objects.select_related("unit").get(pk=role.site_id) if role is not None else None


def desk_households(*, site: ServiceSite, search: str, limit: int = 10) -> list[Household]:
    """Households of the site's area whose head's name contains `search`, or whose ID ends in it (4 digits)."""
    if not search.strip():
        return []
    households = Household.objects.select_related("village").filter(
        household_search_q(search), subtree_q("village__path", site.unit.path)
    )
    return list(households.order_by("head_name", "pk")[:limit])


def desk_poor_households(*, site: ServiceSite, year: int, limit: int = 12) -> list[Household]:
    """Households of the site's area registered as poor in `year`: the ones the desk helps most, one tap away."""
    return list(
        Household.objects.select_related("village")
        .filter(subtree_q("village__path", site.unit.path), registered_poor_in__lte=year)
        .filter(Q(exited_poverty_in__isnull=True) | Q(exited_poverty_in__gt=year))
        .order_by("head_name", "pk")[:limit]
    )


OFFLINE_HOUSEHOLDS = 2000  # kept on the phone: a village point's village holds far fewer


def desk_households_offline(*, site: ServiceSite, year: int) -> list[dict]:
    """The households of the site's area as a phone keeps them for working offline: id, head's name, the
    masked ID number (never the full one) and whether registered as poor in `year`."""
    rows = (
        Household.objects.filter(subtree_q("village__path", site.unit.path))
        .order_by("head_name", "pk")
        .values("pk", "head_name", "id_number_masked", "registered_poor_in", "exited_poverty_in")[
            :OFFLINE_HOUSEHOLDS
        ]
    )
    return [
        {
            "id": row["pk"],
            "name": row["head_name"],
            "id_masked": row["id_number_masked"],
            "poor": row["registered_poor_in"] is not None
            and row["registered_poor_in"] <= year
            and (row["exited_poverty_in"] is None or row["exited_poverty_in"] > year),
        }
        for row in rows
    ]


def desk_household(*, site: ServiceSite, pk: int) -> Household:
    return get_object_or_404(
        Household.objects.select_related("village").filter(subtree_q("village__path", site.unit.path)), pk=pk
    )


@dataclass(frozen=True)
class Totals:
    purchases: int
    purchases_fen: int
    savings_fen: int
    fees_fen: int
    sales: int
    sales_fen: int
    parcels_received: int
    parcels_sent: int
    parcels_picked_up: int


def desk_totals(*, site: ServiceSite, start: datetime.date, end: datetime.date) -> Totals:
    """The site's assisted trade and parcels from `start` to `end` (both included); reversed entries do not
    count."""
    orders = Order.objects.filter(
        site=site, channel=Channel.ASSISTED, status=Status.COMPLETED, placed_on__range=(start, end)
    )
    purchases = orders.filter(kind=Kind.PURCHASE).aggregate(
        n=Count("pk"),
        amount=Sum("total_fen"),
        fees=Sum("service_fee_fen"),
        savings=Sum(F("local_price_fen") - F("total_fen"), filter=Q(local_price_fen__gt=F("total_fen"))),
    )
    sales = orders.filter(kind=Kind.SALE).aggregate(n=Count("pk"), amount=Sum("total_fen"))
    parcels = Parcel.objects.filter(site=site).aggregate(
        received=Count("pk", filter=Q(direction=Direction.RECEIVED, day__range=(start, end))),
        sent=Count("pk", filter=Q(direction=Direction.SENT, day__range=(start, end))),
        picked=Count("pk", filter=Q(picked_up_on__range=(start, end))),
    )
    return Totals(
        purchases=purchases["n"],
        purchases_fen=purchases["amount"] or 0,
        savings_fen=purchases["savings"] or 0,
        fees_fen=purchases["fees"] or 0,
        sales=sales["n"],
        sales_fen=sales["amount"] or 0,
        parcels_received=parcels["received"],
        parcels_sent=parcels["sent"],
        parcels_picked_up=parcels["picked"],
    )


ENTRIES_SHOWN = 30  # of a day, the latest: a phone's page stays small however busy the point is


def desk_entries(*, site: ServiceSite, day: datetime.date) -> tuple[list[Order], int]:
    """The latest of the day's assisted purchases and sales at the site, reversed ones included (marked), and
    how many the day holds."""
    day_entries = Order.objects.filter(site=site, channel=Channel.ASSISTED, placed_on=day)
    shown = list(
        day_entries.select_related("household").prefetch_related("lines").order_by("-pk")[:ENTRIES_SHOWN]
    )
    return shown, (len(shown) if len(shown) < ENTRIES_SHOWN else day_entries.count())


def desk_parcels_waiting(*, site: ServiceSite) -> list[Parcel]:
    return list(
        Parcel.objects.filter(site=site, direction=Direction.RECEIVED, picked_up_on__isnull=True)
        .select_related("household")
        .order_by("day", "pk")[:50]
    )


def desk_order(*, site: ServiceSite, pk: int) -> Order:
    return get_object_or_404(Order.objects.filter(site=site, channel=Channel.ASSISTED), pk=pk)


def desk_receipt(*, site: ServiceSite, pk: int) -> Order:
    """An assisted trade of the site with what its receipt shows: lines, household, who recorded it."""
    return get_object_or_404(
        Order.objects.filter(site=site, channel=Channel.ASSISTED)
        .select_related("household", "site")
        .prefetch_related("lines", "events__by"),
        pk=pk,
    )


def desk_parcel(*, site: ServiceSite, pk: int) -> Parcel:
    return get_object_or_404(Parcel.objects.filter(site=site), pk=pk)


@dataclass(frozen=True)
class ParcelRow:
    """One village's parcels over a period: what the programme's logistics target looks at."""

    village: AdminUnit
    received: int
    sent: int
    picked_up: int
    median_days: float | None  # from arrival at the point to pick-up, of the parcels picked up
    cost_per_parcel_fen: int | None  # of the parcels whose cost is known
    costed: int


def parcel_report(*, unit: AdminUnit, start: datetime.date, end: datetime.date) -> list[ParcelRow]:
    """Per village under `unit` (or the unit itself), the parcels its points logged from `start` to `end`."""
    parcels = (
        Parcel.objects.filter(subtree_q("site__unit__path", unit.path), day__range=(start, end))
        .values_list("site__unit_id", "direction", "day", "picked_up_on", "cost_fen")
        .order_by()
    )
    by_unit: dict[int, list[tuple]] = {}
    for unit_id, *rest in parcels.iterator(chunk_size=5000):
        by_unit.setdefault(unit_id, []).append(tuple(rest))
    units = AdminUnit.objects.in_bulk(list(by_unit))
    rows = []
    for unit_id, items in by_unit.items():
        days = [(picked - day).days for direction, day, picked, _cost in items if picked is not None]
        costs = [cost for *_rest, cost in items if cost is not None]
        rows.append(
            ParcelRow(
                village=units[unit_id],
                received=sum(1 for direction, *_rest in items if direction == Direction.RECEIVED),
                sent=sum(1 for direction, *_rest in items if direction == Direction.SENT),
                picked_up=len(days),
                median_days=statistics.median(days) if days else None,
                cost_per_parcel_fen=round(sum(costs) / len(costs)) if costs else None,
                costed=len(costs),
            )
        )
    return sorted(rows, key=lambda row: row.village.path)


def sites_with_parcels(sites, first: datetime.date, last: datetime.date) -> set[int]:
    """Of `sites` (a query of service sites), those that logged a parcel, or handed one over, from `first` to
    `last`: the reporting completeness counts them as at work."""
    logged = Q(day__gte=first, day__lte=last) | Q(picked_up_on__gte=first, picked_up_on__lte=last)
    return set(
        Parcel.objects.filter(logged, site__in=sites.values("pk"))
        .values_list("site_id", flat=True)
        .distinct()
    )
