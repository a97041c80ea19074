"""Limits on attempts: at most `limit` per `window` seconds for one key (a number being tracked, a client
address, a phone). Fixed windows counted in the database (`ThrottleCount`); keys are stored as keyed hashes."""

import time

from django.db import IntegrityError, transaction
from django.db.models import F

from .crypto import keyed_hash
from .models import ThrottleCount


def _window(window: int, now: float | None) -> int:
    moment = int(time.time() if now is None else now)
    return moment - moment % window


def _key(scope: str, value: str) -> str:
    return keyed_hash(f"{scope}:{value}")[:64]


def throttle_count(scope: str, value: str, *, window: int, now: float | None = None) -> int:
    """How many attempts `value` has made in the current window."""
    row = ThrottleCount.objects.filter(key=_key(scope, value), window=_window(window, now)).first()
    return row.count if row else 0


def throttle_exceeded(scope: str, value: str, *, limit: int, window: int, now: float | None = None) -> bool:
    return throttle_count(scope, value, window=window, now=now) >= limit


def throttle_hit(scope: str, value: str, *, window: int, now: float | None = None) -> int:
    """Counts one attempt and returns the count in the window."""
    key, start = _key(scope, value), _window(window, now)
    with transaction.atomic():
        if not ThrottleCount.objects.filter(key=key, window=start).update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    ThrottleCount.objects.create(key=key, window=start, count=1)
            except IntegrityError:  # another request made the row first
                ThrottleCount.objects.filter(key=key, window=start).update(count=F("count") + 1)
    return throttle_count(scope, value, window=window, now=now)


def throttles_purge(*, older_than: int = 2 * 24 * 3600, now: float | None = None) -> int:
    """Removes counts of windows that started more than `older_than` seconds ago."""
    moment = int(time.time() if now is None else now)
    deleted, _ = ThrottleCount.objects.filter(window__lt=moment - older_than).delete()
    return deleted
