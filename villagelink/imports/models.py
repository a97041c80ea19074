"""Imports of external platforms' order reports: per-platform column mappings, batches and rejected rows.

A batch is one uploaded file. It is previewed (every row checked, nothing written to orders), then committed
(all its valid rows become or update orders, in one transaction). The uploaded file is kept under
MEDIA_ROOT/imports/ until the batch is committed, so that the commit reads the same rows the preview showed;
`villagelink discard-stale-imports` (on a timer) expires checked batches left uncommitted for days and removes
their files.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from villagelink.catalog.models import Platform
from villagelink.core.notes import note_text

# The platforms a report may come from (the storefront's own orders are never imported).
IMPORT_PLATFORMS = [Platform.TAOBAO, Platform.JD, Platform.PINDUODUO, Platform.OTHER]

# Our fields a report's columns are mapped to.
FIELDS = (
    "external_id",
    "amount",
    "status",
    "placed_at",
    "completed_at",
    "title",
    "quantity",
    "shop",
    "refund",
    "after_sale",
    "buyer",
)
REQUIRED_FIELDS = ("external_id", "amount")


class Outcome(models.TextChoices):
    """What a platform's order status means for us."""

    PLACED = "placed", _("Placed, not yet paid (no sale)")
    PAID = "paid", _("Paid (counts as a sale)")
    SHIPPED = "shipped", _("Shipped (counts as a sale)")
    COMPLETED = "completed", _("Completed (counts as a sale)")
    CANCELLED = "cancelled", _("Cancelled (no sale)")
    REFUNDED = "refunded", _("Refunded (no sale)")


class ImportProfile(models.Model):
    """How one platform's order report reads: which headers hold which of our fields, and what its status
    words mean. Editable in the admin, so that a platform's change of format needs no code."""

    platform = models.CharField(
        _("platform"), max_length=20, choices=[(p.value, p.label) for p in IMPORT_PLATFORMS], unique=True
    )
    name = models.CharField(_("name"), max_length=80)
    columns = models.JSONField(
        _("columns"),
        default=dict,
        help_text=_(
            "For each of our fields (external_id, amount, status, placed_at, completed_at, title, quantity, "
            "shop, refund, after_sale), the list of header names that may hold it."
        ),
    )
    statuses = models.JSONField(
        _("status words"),
        default=dict,
        help_text=_(
            "Status words of the platform beyond those the import knows, and what each means: placed, paid, "
            "shipped, completed, cancelled or refunded."
        ),
    )

    class Meta:
        verbose_name = _("import profile")
        verbose_name_plural = _("import profiles")
        ordering = ["platform"]

    def __str__(self) -> str:
        return self.name


class BatchStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    PREVIEWED = "previewed", _("Checked, not yet imported")
    COMMITTED = "committed", _("Imported")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired: not imported in time; upload it again")


class BatchAction(models.TextChoices):
    PREVIEW = "preview", _("Checking")
    COMMIT = "commit", _("Importing")


class ImportBatch(models.Model):
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
    )
    # The uploader's unit path ("" for an administrator): who else may see the batch.
    scope_path = models.CharField(max_length=12, blank=True, db_index=True)
    platform = models.CharField(_("platform"), max_length=20, blank=True)
    file_name = models.CharField(_("file"), max_length=200)
    file_path = models.CharField(max_length=200, blank=True, editable=False)
    # The shop rows without a shop column belong to, if the uploader chose one.
    default_shop = models.ForeignKey(
        "catalog.Shop",
        verbose_name=_("shop"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.RUNNING
    )
    action = models.CharField(max_length=10, choices=BatchAction.choices, default=BatchAction.PREVIEW)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created = models.PositiveIntegerField(_("new orders"), default=0)
    updated = models.PositiveIntegerField(_("updated orders"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged orders"), default=0)
    rejected = models.PositiveIntegerField(_("rejected rows"), default=0)
    # Rows whose order is recorded in a later state than the row's (from an older report): left as they are.
    older = models.PositiveIntegerField(_("older than what is recorded"), default=0)
    # What the check found, for the officer to decide on (see scanning.Summary): the orders and amount per
    # status, what would count as sales, the change per county and month, the first rows as read, the header.
    summary = models.JSONField(default=dict, blank=True, editable=False)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    scope_path_lookup = "scope_path"

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=BatchStatus.values), name="imports_batch_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.pk})"

    @property
    def platform_label(self) -> str:
        from villagelink.catalog.models import Platform

        return Platform(self.platform).label if self.platform in Platform.values else self.platform

    @property
    def is_running(self) -> bool:
        return self.status == BatchStatus.RUNNING

    @property
    def percent_done(self) -> int:
        return min(100, round(100 * self.rows_done / self.rows_total)) if self.rows_total else 0


class ImportRejection(models.Model):
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejections")
    row = models.PositiveIntegerField(_("row"))
    reason = models.CharField(_("reason"), max_length=300)
    # The row's cells as the file has them (as text), for the workbook of rejected rows.
    cells = models.JSONField(default=list, blank=True)
    # A status word the import did not know, when that is why the row was refused (the office may give it a
    # meaning from the batch page): its kind (OfficeWord.Kind) and the word as written.
    unknown_kind = models.CharField(max_length=12, blank=True)
    unknown = models.CharField(max_length=100, blank=True)

    scope_path_lookup = "batch__scope_path"

    class Meta:
        ordering = ["batch", "row", "pk"]

    def __str__(self) -> str:
        return f"{self.row}: {self.reason_text}"

    @property
    def reason_text(self) -> str:
        return note_text(self.reason)


class ImportOlderRow(models.Model):
    """A row of a report that says less than what is recorded of its order (an older report): the order was
    left as it is. Counted, not refused."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="older_rows")
    row = models.PositiveIntegerField(_("row"))
    external_id = models.CharField(_("order number"), max_length=64)

    scope_path_lookup = "batch__scope_path"

    class Meta:
        ordering = ["batch", "row", "pk"]

    def __str__(self) -> str:
        return f"{self.row}: {self.external_id}"


class OfficeWord(models.Model):
    """A word of a platform's reports that the import did not know (an order status, an after-sale status, or
    a column heading), given its meaning by an office for its area: it applies to the later checks of every
    report uploaded within that area. Audited."""

    class Kind(models.TextChoices):
        STATUS = "status", _("order status")
        AFTER_SALE = "after_sale", _("after-sale status")
        COLUMN = "column", _("column heading")

    scope_path = models.CharField(max_length=12, blank=True, db_index=True)
    platform = models.CharField(
        _("platform"), max_length=20, choices=[(p.value, p.label) for p in IMPORT_PLATFORMS]
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    word = models.CharField(_("word"), max_length=100)
    # An Outcome for a status; "refunded" or "none" for an after-sale status; one of FIELDS for a heading.
    meaning = models.CharField(_("meaning"), max_length=20)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    scope_path_lookup = "scope_path"

    class Meta:
        verbose_name = _("word of a platform's reports")
        verbose_name_plural = _("words of platforms' reports")
        ordering = ["platform", "kind", "word"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope_path", "platform", "kind", "word"], name="imports_officeword_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.word} → {self.meaning}"

    def get_additional_data(self) -> dict:
        return {"unit_path": self.scope_path}
