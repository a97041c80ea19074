"""The one bulk writer of orders, for the paths that write thousands at once (platform order reports, the
regional demo): rows go in with PostgreSQL's COPY, or on SQLite with one prepared statement run for each row
(executemany). The ORM would take minutes where these take seconds.

Nothing here checks what the services check: callers build rows that follow the rules (their tests prove it),
and add the new orders to the daily facts themselves (`facts.facts_add_orders`, `facts.facts_apply`).
"""

import datetime
from collections.abc import Iterable, Sequence

from django.db import connection, models

from .models import Order

# The blank value of each order field a bulk path may leave out.
ORDER_DEFAULTS = {
    "checkout_id": None,
    "shop_id": None,
    "site_id": None,
    "category": "",
    "household_id": None,
    "organisation_id": None,
    "service_fee_fen": 0,
    "local_price_fen": None,
    "buyer_id": None,
    "buyer_name": "",
    "phone_encrypted": "",
    "phone_last4": "",
    "address_encrypted": "",
    "note": "",
    "shipping_fee_fen": 0,
    "province": "",
    "arrives_from": None,
    "arrives_by": None,
    "expires_at": None,
    "holds_stock": False,
    "carrier": "",
    "tracking_number": "",
    "handed_over_at_id": None,
    "cancel_reason": "",
    "excluded": False,
    "buyer_key": "",
}


def one_of(column: str, values: Sequence) -> tuple[str, list]:
    """SQL that `column` (quoted) is one of `values` (a chunk's worth, not empty), with its parameters: on
    PostgreSQL one array (its driver spent longer placing thousands of parameters than the query took)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def table_insert(
    table: str, columns: list[str], rows: Sequence[Sequence], binary_types: Sequence[str] | None = None
) -> None:
    """Inserts rows into a table (names quoted by the caller): with PostgreSQL's COPY (a statement per row,
    even pipelined, ran at a third of SQLite's speed), else with one prepared statement run for each row.
    Values go in as the database takes them (see `rows_insert` for a model's dates and moments).
    `binary_types` (PostgreSQL's names of the columns' types, e.g. int8, varchar, timestamptz): COPY in the
    binary format, twice as fast, for values that are exactly of those types."""
    if not rows:
        return
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            binary = " (FORMAT BINARY)" if binary_types else ""
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN{binary}") as copy:
                if binary_types:
                    copy.set_types(list(binary_types))
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608 - quoted


def rows_insert(model: type[models.Model], columns: list[str], rows: Sequence[Sequence]) -> None:
    """Inserts rows into a model's table, each row the values of `columns` (the fields' column names) as
    Python values: dates, and aware moments, which SQLite takes as text (see `adapted`)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    fields = {f.column: f for f in model._meta.concrete_fields}
    rows = adapted([fields[c] for c in columns], rows)
    table_insert(quote(model._meta.db_table), [quote(c) for c in columns], rows)


def adapted(fields: Sequence[models.Field | None], rows: Sequence[Sequence]) -> Sequence[Sequence]:
    """The rows with the values of date and moment fields (one field, or None, per column) in SQLite's form
    (text, see `_adapter`); unchanged on PostgreSQL, whose driver takes Python's dates."""
    if connection.vendor != "sqlite":
        return rows
    dated = [(i, _adapter(field)) for i, field in enumerate(fields) if isinstance(field, models.DateField)]
    if not dated:
        return rows
    lists = [list(row) for row in rows]
    for values in lists:
        for i, adapt in dated:
            values[i] = adapt(values[i])
    return lists


def orders_insert(fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Inserts orders, each row the values of `fields` (names of `Order`'s fields, `shop_id` for the shop),
    every other field taking its blank value (`ORDER_DEFAULTS`)."""
    rest = order_blanks(fields)
    columns = {f.attname: f.column for f in Order._meta.concrete_fields}
    blanks = tuple(ORDER_DEFAULTS[name] for name in rest)
    rows_insert(Order, [columns[name] for name in (*fields, *rest)], [(*row, *blanks) for row in rows])


def order_blanks(fields: Iterable[str]) -> list[str]:
    """The fields of `Order` a bulk path leaves blank when it fills `fields`, in the model's order. Refuses
    when `Order` has a field that is neither filled nor blank here: a new field is never left out without a
    word."""
    fields = set(fields)
    known = [f.attname for f in Order._meta.concrete_fields if not f.primary_key]
    unknown = fields - set(known)
    missing = set(known) - fields - set(ORDER_DEFAULTS)
    if unknown or missing:
        raise ValueError(
            f"Order's fields changed: the bulk writer does not know {sorted(unknown)} and does not fill "
            f"{sorted(missing)}"
        )
    return [name for name in known if name not in fields]


def _sqlite_moment(value: datetime.datetime | None) -> str | None:
    """What Django's SQLite backend stores for an aware moment (its UTC time as text), without its checks,
    which cost more than the insert itself on a large import."""
    return None if value is None else str(value.astimezone(datetime.UTC).replace(tzinfo=None))


def _adapter(field: models.Field):
    """The database's form of a date or moment column's values (SQLite keeps them as text); a date's form is
    worked out once per distinct day."""
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "sqlite" and connection.timezone == datetime.UTC:
            return _sqlite_moment
        return connection.ops.adapt_datetimefield_value
    forms: dict = {}

    def adapt_date(value):
        if value not in forms:
            forms[value] = connection.ops.adapt_datefield_value(value)
        return forms[value]

    return adapt_date
