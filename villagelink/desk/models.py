"""Parcels handled at a service point. Assisted purchases and sales are orders (villagelink.orders)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from villagelink.orders.carriers import Carrier


class Direction(models.TextChoices):
    RECEIVED = "received", _("Received for a villager")
    SENT = "sent", _("Sent out for a seller")


# The carriers that reach Tibet's townships and villages: the same list as the sellers ship with.
CARRIERS = Carrier.choices


class Parcel(models.Model):
    site = models.ForeignKey(
        "network.ServiceSite", verbose_name=_("site"), on_delete=models.PROTECT, related_name="parcels"
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parcels",
    )
    carrier = models.CharField(_("carrier"), max_length=60)
    tracking_number = models.CharField(_("tracking number"), max_length=60)
    # What the delivery cost (paid by the villager, the seller or the point), when known: the programme's
    # logistics target is the cost per parcel.
    cost_fen = models.PositiveIntegerField(_("delivery cost (fen)"), null=True, blank=True)
    day = models.DateField(_("date"), db_index=True)
    picked_up_on = models.DateField(_("picked up on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope_path_lookup = "site__unit__path"

    class Meta:
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        ordering = ["-day", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(direction__in=Direction.values), name="desk_parcel_direction_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(picked_up_on__isnull=True)
                | models.Q(direction="received", picked_up_on__gte=models.F("day")),
                name="desk_parcel_picked_up_after_arrival",
            ),
            models.UniqueConstraint(
                fields=["site", "direction", "carrier", "tracking_number"], name="desk_parcel_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"

    @property
    def days_waiting(self) -> int:
        """Days since a received parcel arrived, until it is picked up (today, in the region, if it is not)."""
        from villagelink.core.dates import region_today

        return ((self.picked_up_on or region_today()) - self.day).days


class EntryKey(models.Model):
    """The key a phone gave an entry it made (offline, or online and sent again after a lost answer): an entry
    sent twice is recorded once, and the second send gets the first one's record back."""

    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    order = models.ForeignKey("orders.Order", null=True, on_delete=models.CASCADE, related_name="+")
    parcel = models.ForeignKey(Parcel, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["by", "key"], name="desk_entrykey_once")]

    def __str__(self) -> str:
        return self.key
