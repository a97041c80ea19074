"""Subtree queries on materialised paths.

A unit's path is the significant prefix of its statistical division code (region "54", prefecture "5402",
county "540221", township "540221101", village "540221101201"); everything below a unit has a path that
starts with it. Paths hold digits only, so "starts with P" is the range P <= path < successor(P): one
indexed range scan on SQLite and PostgreSQL alike, whatever the column's collation.
"""

from django.db.models import Q


def path_successor(path: str) -> str | None:
    """The smallest digit string of the same length that is greater than `path`; None if there is none."""
    if not path.isdigit():
        raise ValueError("A path holds digits only.")
    number = int(path) + 1
    if len(str(number)) > len(path):
        return None
    return str(number).zfill(len(path))


def subtree_q(lookup: str, path: str) -> Q:
    """Rows whose `lookup` (a path field, possibly across relations) lies at or below `path`."""
    q = Q(**{f"{lookup}__gte": path})
    upper = path_successor(path)
    if upper is not None:
        q &= Q(**{f"{lookup}__lt": upper})
    return q
