"""villagelink import-orders FILE [--platform NAME] [--shop ID] [--as USERNAME] [--commit]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.catalog.models import Shop
from villagelink.core.exceptions import ApplicationError
from villagelink.imports.models import IMPORT_PLATFORMS, ImportBatch
from villagelink.imports.services import discard_file, import_commit, import_preview
from villagelink.imports.summary import EFFECTS, preview_of
from villagelink.orders.models import Status


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Checks an order report of an external platform and, with --commit, imports its orders."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--platform", choices=[p.value for p in IMPORT_PLATFORMS])
        parser.add_argument(
            "--shop",
            type=int,
            help="the id of the shop the report's rows belong to when it names no shop (on its platform)",
        )
        parser.add_argument(
            "--as", dest="username", help="whose area the rows are matched in (an administrator)"
        )
        parser.add_argument(
            "--commit", action="store_true", help="write the orders (otherwise nothing is written)"
        )

    def handle(self, *args, file, platform, shop, username, commit, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc}) from exc
        if username:
            by = User.objects.filter(username=username, is_active=True).first()
            if by is None:
                raise CommandError(_("There is no active user %(name)s.") % {"name": username})
        else:
            by = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if by is None:
                raise CommandError(_("Give --as USERNAME: there is no administrator to import as."))
        chosen = None
        if shop is not None:
            chosen = Shop.objects.select_related("unit").filter(pk=shop).first()
            if chosen is None:
                raise CommandError(_("There is no shop %(id)d.") % {"id": shop})
        batch: ImportBatch | None = None
        try:
            with transaction.atomic():
                batch = import_preview(
                    by=by, data=data, filename=path.name, platform=platform, shop=chosen, background=False
                )
                if commit:
                    batch = import_commit(by=by, batch=batch, background=False)
                self._report(batch, commit)
                if not commit:
                    raise _DryRun
        except _DryRun:
            if batch is not None:
                discard_file(batch)
            self.stdout.write(_("Nothing was written; run again with --commit to import."))
        except ApplicationError as error:
            if batch is not None:  # refused at commit: the batch was rolled back, its upload goes too
                discard_file(batch)
            raise CommandError(error.message) from error

    def _report(self, batch, commit: bool) -> None:
        for row, reason in batch.rejections.values_list("row", "reason").iterator():
            self.stdout.write(_("row %(row)d: %(reason)s") % {"row": row, "reason": reason})
        for row, number in batch.older_rows.values_list("row", "external_id").iterator():
            self.stdout.write(
                _("row %(row)d: order %(id)s is older than what is recorded; left as it is")
                % {"row": row, "id": number}
            )
        self.stdout.write(
            _(
                "%(platform)s: %(created)d new, %(updated)d updated, %(unchanged)d unchanged, "
                "%(older)d older than what is recorded, %(rejected)d rejected"
            )
            % {
                "platform": batch.platform,
                "created": batch.created,
                "updated": batch.updated,
                "unchanged": batch.unchanged,
                "older": batch.older,
                "rejected": batch.rejected,
            }
        )
        self._preview(preview_of(batch.summary or {}), commit)
        if commit and batch.status == "committed":
            self.stdout.write(_("Imported."))

    def _preview(self, preview: dict, commit: bool) -> None:
        """What the check found, as the batch page shows it."""
        labels = dict(Status.choices)
        for figures in preview["statuses"]:
            self.stdout.write(
                _("  %(status)s: %(orders)d orders, ¥%(amount)s paid, ¥%(refunded)s refunded")
                % {**figures, "status": labels.get(figures["status"], figures["status"])}
            )
        self.stdout.write(
            _("Counted as sales: %(orders)d orders, ¥%(amount)s (paid, less refunds)") % preview["counted"]
        )
        if preview["months"]:
            self.stdout.write(
                _("Change to the counties' sales:")
                if commit
                else _("What it would change in the counties' sales:")
            )
        for month in preview["months"]:
            self.stdout.write(
                _(
                    "  %(county)s %(month)s: ¥%(amount_now)s now, %(sign)s¥%(amount_change)s (%(orders_change)+d orders)"
                )
                % {**month, "sign": "+" if not month["amount_change"].startswith("-") else ""}
            )
        if preview["first_rows"]:
            self.stdout.write(_("The first rows as read:"))
        for row in preview["first_rows"]:
            if row["effect"] == "rejected":
                self.stdout.write(_("  row %(row)d: rejected: %(reason)s") % row)
                continue
            self.stdout.write(
                _("  row %(row)d: %(order)s, %(placed_at)s, %(status)s, ¥%(amount)s, %(shop)s: %(effect)s")
                % {
                    **row,
                    "status": labels.get(row["status"], row["status"]),
                    "effect": EFFECTS[row["effect"]],
                }
            )
