"""The foreign keys of the rows a commit writes, checked once per referenced row rather than once per written
row.

PostgreSQL checks a foreign key with a trigger for every row and key: a new order fires eight (one per key
column, null or not), its line, event and income shares six more, all at the transaction's COMMIT. That was
over half of a large commit (34 s of a million rows). The commit instead locks the few rows its keys refer to
(shops, their units, the officer, the households that share income) as those triggers would (`FOR KEY
SHARE`: none can be deleted or change its key until the commit ends), refuses when one is gone, and writes
the new orders, lines, events and income shares with the triggers off for its own transaction
(`session_replication_role = replica`). The orders' keys are taken only from those locked rows, and the
lines, events and shares point at orders written in the same transaction.

Turning the triggers off needs the right to set that parameter: a superuser has it, another role once granted
it (PostgreSQL 15: `GRANT SET ON PARAMETER session_replication_role TO villagelink`, see deploy/README.md).
Without it the commit writes the same rows with PostgreSQL's own checks. SQLite's checks are cheap and stay.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, models

from villagelink.orders.bulk import ORDER_DEFAULTS, one_of
from villagelink.orders.models import Order


def held(model: type[models.Model], ids, columns: tuple[str, ...] = ("id",)) -> list[tuple]:
    """The `columns` of the rows of `model` with these ids, locked on PostgreSQL against deletion and key
    changes until the transaction ends (the lock PostgreSQL's own key check takes)."""
    ids = sorted(set(ids))
    if not ids:
        return []
    quote = connection.ops.quote_name
    where, params = one_of(quote(model._meta.pk.column), ids)
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    sql = "SELECT {} FROM {} WHERE {}{}".format(  # noqa: S608 - names from the model, quoted; values as parameters
        ", ".join(quote(c) for c in columns), quote(model._meta.db_table), where, lock
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def all_held(model: type[models.Model], ids) -> bool:
    """Whether every one of these rows still exists (and is now held, as `held`)."""
    return len(held(model, ids)) == len(set(ids))


def order_keys_written(filled: dict[str, str]) -> None:
    """Refuses an orders' insert that would write a key the commit does not hold: it fills the shop and unit
    from locked rows, and every other key of `Order` must stay empty (a new key column is never written
    unchecked without a word)."""
    keys = {f.attname for f in Order._meta.concrete_fields if f.is_relation}
    written = keys & set(filled)
    unchecked = sorted(k for k in keys - written if ORDER_DEFAULTS.get(k) is not None)
    if written != {"shop_id", "unit_id"} or unchecked:
        raise ValueError(
            f"The import's insert of orders writes the keys {sorted(written)} and leaves {unchecked} non-empty: "
            "only the shop and unit are held by the commit (imports.keys)"
        )


def may_skip_triggers() -> bool:
    """Whether this connection may turn PostgreSQL's key triggers off for its own transaction."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        if getattr(connection, "pg_version", 0) >= 150000:  # the PostgreSQL wrapper's own attribute
            cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        else:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        return bool(cursor.fetchone()[0])


@contextmanager
def checked_here(allowed: bool) -> Iterator[None]:
    """PostgreSQL's key triggers off for the statements inside, when `allowed` (`may_skip_triggers`): the caller
    holds every row they refer to. Set for the transaction only (SET LOCAL): a failure inside rolls it back
    with the rows, and success sets it back at once."""
    if not allowed:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('session_replication_role')")
        (before,) = cursor.fetchone()
        cursor.execute("SET LOCAL session_replication_role = replica")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('session_replication_role', %s, true)", [before])
