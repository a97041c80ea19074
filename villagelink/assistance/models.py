from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AssistanceKind(models.TextChoices):
    TRAINING = "training", _("Training")
    SHOP_SETUP = "shop_setup", _("Shop set-up")
    PRODUCT_LISTING = "product_listing", _("Product listing")
    SALE_BROKERED = "sale_brokered", _("Sale brokered")
    PURCHASE_ASSISTED = "purchase_assisted", _("Purchase assisted")
    LOGISTICS = "logistics", _("Logistics")
    EMPLOYMENT = "employment", _("Employment")
    DIVIDEND = "dividend", _("Dividend")
    OTHER = "other", _("Other")


class AppendOnly(Exception):
    """The assistance ledger is append-only: a mistake is corrected by a reversal entry."""


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("Assistance events cannot be changed; record a reversal instead.")

    def delete(self):
        raise AppendOnly("Assistance events cannot be deleted; record a reversal instead.")

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        missing = {event.household_id for event in objs if not event.village_path}
        if missing:
            from villagelink.registry.models import Household

            paths = dict(Household.objects.filter(pk__in=missing).values_list("pk", "village__path"))
            for event in objs:
                event.village_path = event.village_path or paths[event.household_id]
        return super().bulk_create(objs, *args, **kwargs)


class TrainingSession(models.Model):
    site = models.ForeignKey("network.ServiceSite", verbose_name=_("site"), on_delete=models.PROTECT)
    day = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    scope_path_lookup = "site__unit__path"

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self) -> str:
        return f"{self.topic} ({self.day})"

    def get_additional_data(self) -> dict:
        return {"unit_path": self.site.unit.path}


class AssistanceEvent(models.Model):
    """One act of help given to a household. Never edited or deleted: a correction is a reversal entry that
    points at the entry it reverses, carries its day, and counts -1 where the original counts +1."""

    household = models.ForeignKey(
        "registry.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="assistance"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AssistanceKind.choices)
    site = models.ForeignKey(
        "network.ServiceSite", verbose_name=_("site"), null=True, blank=True, on_delete=models.PROTECT
    )
    day = models.DateField(_("date"), db_index=True)
    amount_fen = models.BigIntegerField(_("amount (fen)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    shop = models.ForeignKey(
        "catalog.Shop",
        verbose_name=_("shop"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    training = models.ForeignKey(
        TrainingSession,
        verbose_name=_("training session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    # The assisted purchase or sale this help was (orders recorded at a service point).
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assistance",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversal",
    )
    # +1 for an act of help, -1 for a reversal: counts are sums of `sign`, so a reversal nets its original out
    sign = models.SmallIntegerField(default=1, editable=False)
    # The household's village path, copied when the entry is written: the indicators read a unit's help over a
    # period from one index (path, day, household, sign) without joining households and units.
    village_path = models.CharField(max_length=12, editable=False, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = LedgerQuerySet.as_manager()

    scope_path_lookup = "household__village__path"

    class Meta:
        verbose_name = _("assistance event")
        verbose_name_plural = _("assistance events")
        ordering = ["-day", "-pk"]
        indexes = [
            # kind last: the indicators count training attendances from the same index, without the table
            models.Index(
                fields=["village_path", "day", "household", "sign", "kind"], name="assistance_path_day_kind"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AssistanceKind.values), name="assistance_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(sign=1, reverses__isnull=True) | models.Q(sign=-1, reverses__isnull=False),
                name="assistance_sign_matches_reversal",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_fen__isnull=True) | models.Q(amount_fen__gte=0),
                name="assistance_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("Assistance events cannot be changed; record a reversal instead.")
        if not self.village_path:
            self.village_path = self.household.village.path
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Assistance events cannot be deleted; record a reversal instead.")

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    def get_additional_data(self) -> dict:
        return {"unit_path": self.household.village.path}
