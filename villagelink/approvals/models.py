"""Approvals of a unit's figures for a month."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Approval(models.Model):
    """An officer's approval of a unit's figures for a month. While it stands (not withdrawn), anything that
    would change those figures is refused; withdrawing it is recorded here and in the audit trail."""

    unit = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="approvals"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month approved."))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)
    # What was still under review when the month was approved: the data-quality flags left open in the unit's
    # area for the month, and the approver's reason for signing all the same (required when any were open).
    open_flags = models.PositiveIntegerField(_("flags open when approved"), default=0)
    reason = models.CharField(_("reason for approving with flags open"), max_length=300, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("reason for withdrawing"), max_length=300, blank=True)

    scope_path_lookup = "unit__path"

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["-month", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="monitoring_approval_one_standing",
            ),
            models.CheckConstraint(
                condition=models.Q(open_flags=0) | ~models.Q(reason=""),
                name="approvals_approval_open_flags_have_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m}"

    def get_additional_data(self) -> dict:
        return {"unit_path": self.unit.path}
