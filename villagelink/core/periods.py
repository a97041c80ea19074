"""Records that are open over a span of days (service sites, shops): opened_on, and closed_on or null."""

import datetime

from django.db.models import Q


def open_on_q(day: datetime.date, prefix: str = "") -> Q:
    """Open at the end of `day`: opened on or before it, and not closed by then (closing day excluded)."""
    return Q(**{f"{prefix}opened_on__lte": day}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": day})
    )
