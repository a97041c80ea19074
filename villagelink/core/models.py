"""Counters of attempts (wrong tracking digits, anonymous checkouts), kept in the database: every app server
sees the same counts, and no volume of other traffic can push one out as it could from a bounded cache."""

from django.db import models


class ThrottleCount(models.Model):
    key = models.CharField(max_length=64)  # a keyed hash of what is counted: never a phone number or address
    window = models.BigIntegerField()  # the window's start, in seconds since the epoch
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="core_throttle_once_per_window")
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window}: {self.count}"
