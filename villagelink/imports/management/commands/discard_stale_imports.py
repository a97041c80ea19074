from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from villagelink.imports.services import STALE_DAYS, imports_discard_stale


class Command(BaseCommand):
    help = (
        "Expire checked order-report imports left uncommitted for some days and remove their uploaded files; "
        "fail runs that never finished. Run it daily (cron or a timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=STALE_DAYS,
            help=f"How many days a checked import waits to be committed (default {STALE_DAYS}).",
        )

    def handle(self, *args, days: int, **options):
        if days < 1:
            raise CommandError(_("Give --days as a whole number of days, 1 or more."))
        done = imports_discard_stale(days=days)
        self.stdout.write(
            _(
                "Checked imports expired: %(expired)d; unfinished runs failed: %(failed)d; files removed: %(files)d."
            )
            % {"expired": done.expired, "failed": done.failed, "files": done.files}
        )
