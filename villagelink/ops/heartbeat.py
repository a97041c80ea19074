"""The background worker's heartbeat, kept in the shared cache (Redis, or files in the data folder) where every
web process can read it: `villagelink db_worker` (this app's, see management/commands/db_worker.py) writes the
time every BEAT_SECONDS from a thread beside its loop, and /readyz wants one younger than a minute."""

import logging
import threading
import time

from django.core.cache import caches

logger = logging.getLogger(__name__)

KEY = "ops:worker-heartbeat"
BEAT_SECONDS = 15
MAX_AGE_SECONDS = 60


def beat(now: float | None = None) -> None:
    caches["shared"].set(KEY, time.time() if now is None else now, timeout=10 * MAX_AGE_SECONDS)


def heartbeat_age() -> float | None:
    """Seconds since the last beat of any worker; None if no worker has beaten lately."""
    last = caches["shared"].get(KEY)
    return None if last is None else max(0.0, time.time() - float(last))


def _beat_forever(stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            beat()
        except Exception as error:  # the cache may be away for a while: say so, keep beating
            logger.warning("worker heartbeat not written: %s", type(error).__name__)
        stop.wait(BEAT_SECONDS)


def heartbeat_start() -> threading.Event:
    """Starts beating in a daemon thread (it ends with the process); set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=_beat_forever, args=(stop,), name="worker-heartbeat", daemon=True).start()
    return stop
