"""The households registered poor in the network's stock (`network.stock`): +1 to `poor` on 1 January of the
year a household was registered poor, −1 on 1 January of the year it exited poverty (`Household.is_poor_in`).
The programme's poor households and the share of them helped (`monitoring.indicators`) read it."""

import datetime

from villagelink.geo.models import AdminUnit
from villagelink.network.stock import stock_add, stock_records
from villagelink.registry.models import Household
from villagelink.registry.signals import households_created


def _years(path: str, registered: int | None, exited: int | None):
    if registered is None:
        return
    yield path, datetime.date(registered, 1, 1), "poor", 1
    if exited is not None:
        yield path, datetime.date(exited, 1, 1), "poor", -1


def _poor(unit_ids: set[int] | None):
    households = Household.objects.filter(registered_poor_in__isnull=False)
    if unit_ids is not None:
        households = households.filter(village_id__in=unit_ids)
    rows = households.values_list("village__path", "registered_poor_in", "exited_poverty_in")
    for path, registered, exited in rows.iterator(chunk_size=10_000):
        yield from _years(path, registered, exited)


def _households_created(sender, households, **kwargs) -> None:
    """Households written in bulk (an import, the demo): those registered poor count from their year on."""
    poor = [household for household in households if household.registered_poor_in is not None]
    ids = list({household.village_id for household in poor})
    paths: dict[int, str] = {}
    for start in range(0, len(ids), 5_000):  # a database takes only so many parameters in one query
        paths.update(AdminUnit.objects.filter(pk__in=ids[start : start + 5_000]).values_list("pk", "path"))
    stock_add(
        record
        for household in poor
        for record in _years(
            paths[household.village_id], household.registered_poor_in, household.exited_poverty_in
        )
    )


def _of(household: Household):
    return _years(household.village.path, household.registered_poor_in, household.exited_poverty_in)


def stock_connect() -> None:
    # Each household counts on its own: registering one at a desk moves the stock by its own years, without
    # recounting everything of its village.
    stock_records(_poor, Household, _of)
    households_created.connect(_households_created, weak=False, dispatch_uid="stock:households_created")
