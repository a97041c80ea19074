"""A plain progress display for long commands: numbered steps with their durations."""

import sys
import time
from contextlib import contextmanager

from django.core.management.base import OutputWrapper
from django.utils.translation import gettext as _


class Steps:
    def __init__(self, total: int, stream=None):
        self.total = total
        self.done = 0
        self.stream = stream or sys.stdout
        self.started = time.perf_counter()

    def _write(self, text: str) -> None:
        if isinstance(self.stream, OutputWrapper):
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()

    @contextmanager
    def step(self, label: str):
        self.done += 1
        self._write(f"[{self.done}/{self.total}] {label} … ")
        began = time.perf_counter()
        note: list[str] = []
        yield note
        extra = f" ({'; '.join(note)})" if note else ""
        self._write(_("done in %(seconds).1f s") % {"seconds": time.perf_counter() - began} + f"{extra}\n")

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started
