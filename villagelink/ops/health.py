"""The readiness checks behind /readyz: each answers None when all is well, or a short reason (never personal
data, never an exception's message, which may name hosts). Cheap: a handful of queries and cache calls."""

import secrets
from collections.abc import Callable

from django.core.cache import caches
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from .heartbeat import MAX_AGE_SECONDS, heartbeat_age

_migrated = False  # once every migration is applied, it stays so for this process's code


def database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return f"does not answer ({type(error).__name__})"
    return None


def cache() -> str | None:
    """The cache of the app servers ("default": Redis, else this process's memory) and the one the worker
    shares with them ("shared": Redis, else files in the data folder) each keep a value and give it back."""
    for name in ("default", "shared"):
        probe = secrets.token_hex(8)
        try:
            caches[name].set("ops:readyz", probe, timeout=30)
            if caches[name].get("ops:readyz") != probe:
                return f"{name}: does not keep a value"
        except Exception as error:
            return f"{name}: does not answer ({type(error).__name__})"
    return None


def migrations() -> str | None:
    global _migrated
    if _migrated:
        return None
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        return f"cannot be read ({type(error).__name__})"
    if plan:
        return f"{len(plan)} not applied: run `villagelink migrate`"
    _migrated = True
    return None


def worker() -> str | None:
    try:
        age = heartbeat_age()
    except Exception as error:
        return f"heartbeat cannot be read ({type(error).__name__})"
    if age is None:
        return "no heartbeat: is `villagelink db_worker` running?"
    if age > MAX_AGE_SECONDS:
        return f"last heartbeat {age:.0f} s ago: is `villagelink db_worker` running?"
    return None


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": database,
    "cache": cache,
    "migrations": migrations,
    "worker": worker,
}


def readiness() -> dict[str, str]:
    """{check: "ok" or what is wrong} for every check, the database first (the others may need it)."""
    return {name: check() or "ok" for name, check in CHECKS.items()}
