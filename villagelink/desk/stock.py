"""The parcels in the network's stock (`network.stock`): on its day a parcel adds 1 to `parcels`, and its
recorded cost in fen to `parcel_cost` and 1 to `parcels_costed`; on the day it is picked up, 1 to `picked_up`
and the days it waited to `pickup_days`. The parcels of a period are the stock at its end less the stock the day
before it starts (`monitoring.selectors`), however many parcels a county's sites have logged."""

from villagelink.network.stock import stock_records

from .models import Parcel


def _records(path: str, day, cost_fen: int | None, picked_up_on):
    yield path, day, "parcels", 1
    if cost_fen is not None:
        yield path, day, "parcel_cost", cost_fen
        yield path, day, "parcels_costed", 1
    if picked_up_on is not None:
        yield path, picked_up_on, "picked_up", 1
        yield path, picked_up_on, "pickup_days", (picked_up_on - day).days


def _parcels(unit_ids: set[int] | None):
    parcels = Parcel.objects.all() if unit_ids is None else Parcel.objects.filter(site__unit_id__in=unit_ids)
    rows = parcels.values_list("site__unit__path", "day", "cost_fen", "picked_up_on")
    for row in rows.iterator(chunk_size=10_000):
        yield from _records(*row)


def _of(parcel: Parcel):
    return _records(parcel.site.unit.path, parcel.day, parcel.cost_fen, parcel.picked_up_on)


def stock_connect() -> None:
    stock_records(_parcels, Parcel, _of)
