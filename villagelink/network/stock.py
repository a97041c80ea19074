"""The network's stock: how many units, sites, shops and demonstration counties lie in each unit's area on any
day, and how many units have an open site of their level, kept as changes per unit path at every level.

A site adds +1 to `sites:<kind>` on the day it opens and −1 on the day it closes (the closing day no longer
counts, as `core.periods.open_on_q` has it); a unit adds +1 to `covered:<level>` on the first day it has an
open site of its level and −1 on the day the last one closes; a shop counts in `shops` the same way, and in
`shops:<kind of owner>` (household, cooperative, enterprise); a designation adds +1 to `designations` on the
first day of its year; every county, township and village adds +1 to `units:<level>` on `EARLIEST`; a poor
village counts in `units:poor_village` from 1 January of the year it was registered poor to 1 January of the
year it left poverty, and in `covered:poor_village` while it is one and has a village point open; a household
registered poor counts in `poor` the same way. A parcel adds to `parcels` and `parcel_cost` on its day, and to
`picked_up` and `pickup_days` on the day it is picked up: what happened within a period is the count at its
end less the count the day before it starts. The count on a day is the sum of the changes up to it: the whole
months before from `MonthlyStock`, the days of its own month from `Stock` — a few hundred rows for a province,
a few thousand for a nation of thirty provinces, where counting the records would read every unit and site
below.

Apps above this one add their own records through `stock_source` (the catalog adds the shops), or
`stock_records` for records that each count on their own (the assistance app the households registered poor,
the desk its parcels). Whatever changes a counted record runs inside `stock_follow(unit_ids)` (the model signals of every
source do this for each save and delete; a bulk write wraps itself in it, or adds what it wrote with
`stock_add`); `stock_rebuild` recomputes everything, `stock_verify` compares.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, Sum
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from villagelink.core.periods import EARLIEST
from villagelink.geo.models import LEVEL_PATH_WIDTH, AdminUnit
from villagelink.geo.signals import units_created

from .models import SITE_LEVEL, Designation, MonthlyStock, ServiceSite, SiteKind, Stock

WIDTHS = sorted(set(LEVEL_PATH_WIDTH.values()))
COUNTED_LEVELS = [level.value for level in SITE_LEVEL.values()]

Key = tuple[str, datetime.date, str]  # (unit path, day, measure)
Changes = dict[Key, int]
# A source of changes: given unit ids (None: every unit), the (unit path, day, measure, change) of its records
# attached to those units.
Source = Callable[[set[int] | None], Iterable[tuple[str, datetime.date, str, int]]]


def open_close(
    path: str, measure: str, opened: datetime.date, closed: datetime.date | None
) -> Iterator[tuple[str, datetime.date, str, int]]:
    yield path, opened, measure, 1
    if closed is not None:
        yield path, closed, measure, -1


def _of_units(queryset, lookup: str, unit_ids: set[int] | None):
    return queryset if unit_ids is None else queryset.filter(**{f"{lookup}__in": unit_ids})


def _poor_span(
    registered: int | None, exited: int | None
) -> tuple[datetime.date, datetime.date | None] | None:
    """The days a poor village is one: from 1 January of the year it was registered to 1 January of the year
    it left poverty (not counted)."""
    if registered is None:
        return None
    return datetime.date(registered, 1, 1), None if exited is None else datetime.date(exited, 1, 1)


def _units(unit_ids: set[int] | None):
    units = _of_units(AdminUnit.objects.filter(level__in=COUNTED_LEVELS), "pk", unit_ids)
    rows = units.values_list("path", "level", "registered_poor_in", "exited_poverty_in")
    for path, level, registered, exited in rows.iterator(chunk_size=10_000):
        yield path, EARLIEST, f"units:{level}", 1
        poor = _poor_span(registered, exited)
        if poor is not None:
            yield from open_close(path, "units:poor_village", *poor)


def _sites(unit_ids: set[int] | None):
    """Each site's opening and closing, and each unit's spans with a site of its kind open (a unit with two
    points, or one that reopened the day it closed, is covered once)."""
    sites = _of_units(ServiceSite.objects.all(), "unit_id", unit_ids)
    rows = sites.order_by("unit__path", "kind", "opened_on").values_list(
        "unit__path", "kind", "opened_on", "closed_on", "unit__registered_poor_in", "unit__exited_poverty_in"
    )
    span: list = []  # [path, kind, first day, end or None, poor span] of the covered span being extended

    def covered():
        if not span:
            return
        path, kind, first, end, poor = span
        yield from open_close(path, f"covered:{SITE_LEVEL[kind]}", first, end)
        if poor is not None and kind == SiteKind.VILLAGE_POINT:  # a poor village covered: both spans at once
            start = max(first, poor[0])
            stop = min((d for d in (end, poor[1]) if d is not None), default=None)
            if stop is None or start < stop:
                yield from open_close(path, "covered:poor_village", start, stop)

    for path, kind, opened, closed, registered, exited in rows.iterator(chunk_size=10_000):
        yield from open_close(path, f"sites:{kind}", opened, closed)
        if span and (span[0], span[1]) == (path, kind) and (span[3] is None or opened <= span[3]):
            span[3] = None if span[3] is None or closed is None else max(span[3], closed)
            continue
        yield from covered()
        span[:] = [path, kind, opened, closed, _poor_span(registered, exited)]
    yield from covered()


def _designations(unit_ids: set[int] | None):
    designations = _of_units(Designation.objects.all(), "county_id", unit_ids)
    for path, year in designations.values_list("county__path", "year").iterator(chunk_size=10_000):
        yield path, datetime.date(year, 1, 1), "designations", 1


_sources: list[Source] = [_units, _sites, _designations]


def stock_source(source: Source, model: type[Model], unit_of: Callable[[Any], int | None]) -> None:
    """Counts `source`'s records in the stock, and keeps them counted whenever an instance of `model` is saved
    or deleted (`unit_of` gives the unit an instance is attached to)."""
    if source not in _sources:
        _sources.append(source)
    _follow_model(model, unit_of)


def _own(unit_ids: set[int] | None) -> Changes:
    """The changes of the records attached to these units, at each unit's own path."""
    own: Changes = defaultdict(int)
    for source in _sources:
        for path, day, measure, change in source(unit_ids):
            own[(path, day, measure)] += change
    return own


def _rolled(own: Changes) -> Changes:
    """The same changes at every level above each unit too."""
    every: Changes = defaultdict(int)
    for (path, day, measure), change in own.items():
        for width in WIDTHS:
            if width <= len(path):
                every[(path[:width], day, measure)] += change
    return every


def _by_month(changes: Changes) -> Changes:
    months: Changes = defaultdict(int)
    for (path, day, measure), change in changes.items():
        months[(path, day.replace(day=1), measure)] += change
    return months


# Each table with its date column.
TABLES = ((Stock, "day"), (MonthlyStock, "month"))


def _write(changes: Changes, *, accumulate: bool) -> None:
    """Adds the changes to the stored ones (`accumulate`), or writes them into empty tables (with COPY on
    PostgreSQL: a nation's rebuild writes a million rows)."""
    quote = connection.ops.quote_name
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        for (model, date_column), grain in zip(TABLES, (changes, _by_month(changes)), strict=True):
            rows = [(path, day, measure, change) for (path, day, measure), change in grain.items() if change]
            if not rows:
                continue
            table = quote(model._meta.db_table)
            key = ", ".join(quote(c) for c in ("path", date_column, "measure"))
            change = quote("change")
            if not accumulate and connection.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({key}, {change}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                continue
            sql = f"INSERT INTO {table} ({key}, {change}) VALUES (%s, %s, %s, %s)"  # noqa: S608 - quoted
            if accumulate:
                sql += f" ON CONFLICT ({key}) DO UPDATE SET {change} = {table}.{change} + excluded.{change}"
            cursor.executemany(sql, [(path, adapt(day), measure, n) for path, day, measure, n in rows])


class _Following:
    """The stock of some units before a change, and how to move it by what the change did."""

    def __init__(self, unit_ids: Iterable[int | None]):
        self.ids = {pk for pk in unit_ids if pk is not None}
        self.before = _own(self.ids) if self.ids else {}

    def done(self, more: Iterable[int | None] = ()) -> None:
        """`more`: units that had nothing attached before the change (one just created)."""
        ids = self.ids | {pk for pk in more if pk is not None}
        if not ids:
            return
        delta: Changes = defaultdict(int, _own(ids))
        for key, change in self.before.items():
            delta[key] -= change
        _write(_rolled(delta), accumulate=True)


def stock_add(records: Iterable[tuple[str, datetime.date, str, int]]) -> None:
    """Adds the changes of records just written in bulk, which send no signal (households imported), at every
    level. Inside the transaction that writes them."""
    own: Changes = defaultdict(int)
    for path, day, measure, change in records:
        own[(path, day, measure)] += change
    _write(_rolled(own), accumulate=True)


@contextmanager
def stock_follow(unit_ids: Iterable[int | None]):
    """Around a change to the records attached to these units (sites, shops, designations, the units
    themselves): the stock moves by what the change did. Inside the transaction that makes the change."""
    following = _Following(unit_ids)
    yield
    following.done()


@transaction.atomic
def stock_rebuild() -> int:
    """Recomputes the stock from the records; returns the number of rows written."""
    Stock.objects.all().delete()
    MonthlyStock.objects.all().delete()
    changes = _rolled(_own(None))
    _write(changes, accumulate=False)
    return Stock.objects.count() + MonthlyStock.objects.count()


def _stored(model, date_column: str) -> Changes:
    rows = model.objects.values_list("path", date_column, "measure", "change").iterator(chunk_size=10_000)
    return {(path, day, measure): change for path, day, measure, change in rows if change}


def stock_verify(*, limit: int = 50) -> tuple[int, list[tuple[str, Key, int, int]]]:
    """Compares the stored stock with the records: (number of differing rows, the first `limit` of them as
    (table, key, stored, computed))."""
    computed = _rolled(_own(None))
    count, differing = 0, list[tuple[str, Key, int, int]]()
    for (model, date_column), grain in zip(TABLES, (computed, _by_month(computed)), strict=True):
        wanted = {key: change for key, change in grain.items() if change}
        stored = _stored(model, date_column)
        for key in sorted(set(wanted) | set(stored)):
            if stored.get(key, 0) != wanted.get(key, 0):
                count += 1
                if len(differing) < limit:
                    differing.append((model._meta.db_table, key, stored.get(key, 0), wanted.get(key, 0)))
    return count, differing


def stock_on(
    paths: Iterable[str], day: datetime.date, measures: Iterable[str] | None = None
) -> dict[str, dict[str, int]]:
    """The counts of each of these unit paths at the end of `day`: {path: {measure: count}} (a measure with
    no record is absent), of every measure or of `measures`. Two indexed reads, whatever the size of the
    areas."""
    paths = list(paths)
    month = day.replace(day=1)
    counts: dict[str, dict[str, int]] = {path: defaultdict(int) for path in paths}
    for rows in (
        MonthlyStock.objects.filter(path__in=paths, month__lt=month),
        Stock.objects.filter(path__in=paths, day__gte=month, day__lte=day),
    ):
        if measures is not None:
            rows = rows.filter(measure__in=list(measures))
        for row in rows.order_by().values("path", "measure").annotate(n=Sum("change")):
            counts[row["path"]][row["measure"]] += row["n"]
    return {path: {measure: n for measure, n in values.items() if n} for path, values in counts.items()}


# Keeping the stock as records are saved and deleted -----------------------------------------------------------

_FOLLOWING = "_stock_following"
# The fields a count depends on: a save that names others in `update_fields` (a shop given a seller) is not
# followed.
COUNTED_FIELDS = frozenset(
    {"unit", "unit_id", "kind", "opened_on", "closed_on", "county", "county_id", "year", "level", "path"}
    | {"household", "household_id", "organisation", "organisation_id"}  # a shop's kind of owner
    | {"village", "village_id", "registered_poor_in", "exited_poverty_in"}  # a household's years of poverty
    | {"site", "site_id", "day", "picked_up_on", "cost_fen"}  # a parcel's
)


def _follow_model(model: type[Model], unit_of: Callable[[Any], int | None]) -> None:
    def before(sender, instance, **kwargs):
        fields = kwargs.get("update_fields")
        if kwargs.get("raw") or (fields is not None and not COUNTED_FIELDS & set(fields)):
            return
        units = {unit_of(instance)}
        if instance.pk is not None:  # the unit it was attached to before this save
            stored = model._default_manager.filter(pk=instance.pk).first()
            if stored is not None:
                units.add(unit_of(stored))
        setattr(instance, _FOLLOWING, _Following(units))

    def after(sender, instance, **kwargs):
        following = instance.__dict__.pop(_FOLLOWING, None)
        if following is not None:
            following.done(more=[unit_of(instance)])

    uid = f"stock:{model._meta.label}"
    pre_save.connect(before, sender=model, weak=False, dispatch_uid=f"{uid}:pre_save")
    post_save.connect(after, sender=model, weak=False, dispatch_uid=f"{uid}:post_save")
    pre_delete.connect(before, sender=model, weak=False, dispatch_uid=f"{uid}:pre_delete")
    post_delete.connect(after, sender=model, weak=False, dispatch_uid=f"{uid}:post_delete")


Record = tuple[str, datetime.date, str, int]


def stock_records(source: Source, model: type[Model], records_of: Callable[[Any], Iterable[Record]]) -> None:
    """Counts `source`'s records in the stock, as `stock_source`, for a model whose instances each count on
    their own (a parcel: +1 on its day, its cost, its wait): a save or delete moves the stock by the
    instance's changes before and after (`records_of`), without recounting everything of its unit."""
    if source not in _sources:
        _sources.append(source)

    def before(sender, instance, **kwargs):
        fields = kwargs.get("update_fields")
        if kwargs.get("raw") or (fields is not None and not COUNTED_FIELDS & set(fields)):
            return
        stored = model._default_manager.filter(pk=instance.pk).first() if instance.pk is not None else None
        setattr(instance, _FOLLOWING, [] if stored is None else list(records_of(stored)))

    def after(sender, instance, **kwargs):
        was = instance.__dict__.pop(_FOLLOWING, None)
        if was is not None:
            now = [] if kwargs.get("signal") is post_delete else list(records_of(instance))
            stock_add([*now, *((path, day, measure, -change) for path, day, measure, change in was)])

    uid = f"stock:{model._meta.label}"
    pre_save.connect(before, sender=model, weak=False, dispatch_uid=f"{uid}:pre_save")
    post_save.connect(after, sender=model, weak=False, dispatch_uid=f"{uid}:post_save")
    pre_delete.connect(before, sender=model, weak=False, dispatch_uid=f"{uid}:pre_delete")
    post_delete.connect(after, sender=model, weak=False, dispatch_uid=f"{uid}:post_delete")


def _units_created(sender, units, **kwargs) -> None:
    """Units written in bulk (an import of the division codes): each counts from now on (a few thousand at a
    time: a database takes only so many parameters in one query)."""
    ids = [unit.pk for unit in units]
    changes: Changes = defaultdict(int)
    for start in range(0, len(ids), 5_000):
        for key, change in _rolled(_own(set(ids[start : start + 5_000]))).items():
            changes[key] += change
    _write(changes, accumulate=True)


def stock_connect() -> None:
    """Keeps the stock of this app's records (`NetworkConfig.ready`)."""
    _follow_model(ServiceSite, lambda site: site.unit_id)
    _follow_model(Designation, lambda designation: designation.county_id)
    _follow_model(AdminUnit, lambda unit: unit.pk)
    units_created.connect(_units_created, weak=False, dispatch_uid="stock:units_created")
