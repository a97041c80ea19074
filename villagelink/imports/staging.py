"""The checked rows of a batch, left by its check for its commit: a table per batch (`imports_staged_<id>`),
made in the check's transaction (so a check that fails leaves none) and dropped in the commit's. The commit
writes from it with a few statements (`writing`) instead of reading the file again.

Every row the check accepted is kept, with its order number as key: the check looks up there whether a
number came earlier in the file. Rows the commit writes (new orders, and changes to recorded ones) carry
what the order will be and what the check saw of it; the others only their number and row.

On PostgreSQL the table is UNLOGGED (nothing in it needs to outlive a crash, which empties it): the commit
refuses a table that holds fewer rows to write than the check counted.
"""

import re
from collections.abc import Sequence

from django.db import connection, models

from villagelink.orders.bulk import adapted, one_of, table_insert
from villagelink.orders.models import Order, OrderLine

PREFIX = "imports_staged_"

# What the check found a row to be: written by the commit (new, updated), or not (the rest).
NEW, UPDATED, UNCHANGED, OLDER, REFUSED = "new", "updated", "unchanged", "older", "refused"


def _field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _columns() -> list[tuple[str, str, str, models.Field | None]]:
    """(name, SQL type, its PostgreSQL name for a binary COPY, the model field whose values it holds, for
    SQLite's forms of dates and moments)."""

    def like(name: str, model: type[models.Model] = Order) -> str:
        return str(_field(model, name).db_type(connection))

    return [
        ("external_id", "varchar(64) NOT NULL PRIMARY KEY", "varchar", None),
        ("row_number", "integer NOT NULL", "int4", None),
        ("effect", "varchar(16) NOT NULL", "varchar", None),
        ("shop_id", "bigint", "int8", None),
        ("status", "varchar(16)", "varchar", None),
        ("total_fen", "bigint", "int8", None),
        ("refunded_fen", "bigint", "int8", None),
        ("placed_at", like("placed_at"), "timestamptz", _field(Order, "placed_at")),
        ("placed_on", like("placed_on"), "date", _field(Order, "placed_on")),
        ("completed_on", like("completed_on"), "date", _field(Order, "completed_on")),
        ("completed_year", "integer", "int4", None),
        ("title", like("description", OrderLine), "varchar", None),
        ("category", like("category"), "varchar", None),
        ("quantity", "integer", "int4", None),
        ("buyer_key", like("buyer_key"), "varchar", None),
        ("order_id", "bigint", "int8", None),  # what the check saw of the recorded order it updates
        ("seen_status", "varchar(16)", "varchar", None),
        ("seen_total", "bigint", "int8", None),
        ("seen_refunded", "bigint", "int8", None),
        ("seen_excluded", like("excluded"), "bool", None),
    ]


def table(batch_id: int) -> str:
    """The staging table's name, quoted."""
    return connection.ops.quote_name(f"{PREFIX}{int(batch_id)}")


def create(batch_id: int) -> None:
    """A new, empty staging table for the batch (one left by an earlier check goes)."""
    drop(batch_id)
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type, *_rest in _columns())
    sql = f"CREATE TABLE {table(batch_id)} ({columns})"
    if connection.vendor == "postgresql":
        sql = sql.replace("CREATE TABLE", "CREATE UNLOGGED TABLE", 1)
    else:
        sql += " WITHOUT ROWID"  # the rows kept in their key's tree: one tree to write, not two
    with connection.cursor() as cursor:
        cursor.execute(sql)


def drop(batch_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table(batch_id)}")


def exists(batch_id: int) -> bool:
    return f"{PREFIX}{int(batch_id)}" in connection.introspection.table_names()


def left_behind() -> list[int]:
    """The batches that have a staging table."""
    found = (re.fullmatch(rf"{PREFIX}(\d+)", name) for name in connection.introspection.table_names())
    return [int(match[1]) for match in found if match]


def add(batch_id: int, rows: Sequence[Sequence]) -> None:
    """Rows of all the columns, in their order, as Python values; short rows are filled with NULLs."""
    columns = _columns()
    width = len(columns)
    full = [(*row, *([None] * (width - len(row)))) if len(row) < width else row for row in rows]
    names, types = [c[0] for c in columns], [c[2] for c in columns]
    table_insert(table(batch_id), names, adapted([c[3] for c in columns], full), binary_types=types)


def order_ids(count: int) -> list[int | None]:
    """Ids for `count` new orders, drawn from the orders' sequence on PostgreSQL (the commit then writes each
    order's line, event, income and facts from its staged row without finding it again; a check that is never
    committed leaves a gap in the ids, nothing else). None on SQLite, which has no sequence to draw from: its
    commit numbers them (`writing._number`)."""
    if connection.vendor != "postgresql" or not count:
        return [None] * count
    with connection.cursor() as cursor:
        # The sequence is named once: a call of pg_get_serial_sequence for each id cost 8 times the drawing.
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, 'id')", [connection.ops.quote_name(Order._meta.db_table)]
        )
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
        return [order_id for (order_id,) in cursor.fetchall()]


def analyse(batch_id: int) -> None:
    """Statistics of the filled table for PostgreSQL's planner, which otherwise takes it for nearly empty and
    joins it row by row (SQLite's planner goes by its indexes)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table(batch_id)}")


class Staged:
    """The order numbers staged so far by one check, for the "already on row N" test: a Bloom filter of fixed
    size (8 MB, two bits a number) says which of a chunk's numbers may have been staged, and only those are
    looked up in the table. It never misses a staged number; it wrongly suspects about one in a thousand after
    a million, which the lookup then clears. Python's `hash` of a text is stable within the process."""

    BITS = 1 << 26

    def __init__(self, batch_id: int):
        self.batch_id = batch_id
        self.bits = bytearray(self.BITS >> 3)

    def _positions(self, number: str) -> tuple[int, int]:
        code = hash(number)
        return code & (self.BITS - 1), (code >> 26) & (self.BITS - 1)

    def rows_of(self, numbers: set[str]) -> dict[str, int]:
        """The row of each of these numbers that is already staged."""
        bits = self.bits
        suspected = set()
        for number in numbers:
            first, second = self._positions(number)
            if bits[first >> 3] >> (first & 7) & 1 and bits[second >> 3] >> (second & 7) & 1:
                suspected.add(number)
        return rows_of(self.batch_id, suspected)

    def add(self, numbers) -> None:
        bits = self.bits
        for number in numbers:
            first, second = self._positions(number)
            bits[first >> 3] |= 1 << (first & 7)
            bits[second >> 3] |= 1 << (second & 7)


def rows_of(batch_id: int, numbers: set[str]) -> dict[str, int]:
    """The row of each of these order numbers that is already staged."""
    if not numbers:
        return {}
    where, params = one_of("external_id", list(numbers))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT external_id, row_number FROM {table(batch_id)} WHERE {where}", params)  # noqa: S608
        return dict(cursor.fetchall())
