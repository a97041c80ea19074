"""villagelink rebuild-facts [--verify]"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from villagelink.core.money import fen_to_yuan
from villagelink.orders.facts import MEASURES, facts_rebuild, facts_verify


class Command(BaseCommand):
    help = (
        "Recompute the daily facts behind the indicators from the records; with --verify, compare instead, "
        "list any difference and exit with status 1 if there is one (nothing is written)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--verify", action="store_true", help="compare only; exit 1 on a difference")

    def handle(self, *args, verify: bool, **options):
        if not verify:
            rows = facts_rebuild()
            self.stdout.write(_("%(rows)d fact rows rebuilt from the records.") % {"rows": rows})
            return
        count, shown = facts_verify()
        if not count:
            self.stdout.write(_("The facts agree with the records."))
            return
        for difference in shown:
            path, day, kind, channel, category = difference.key
            changes = ", ".join(
                f"{name} {self._show(name, stored)} ≠ {self._show(name, computed)}"
                for name, stored, computed in zip(
                    MEASURES, difference.stored, difference.computed, strict=True
                )
                if stored != computed
            )
            self.stdout.write(
                f"{difference.table}: {path} {day} {kind} {channel} {category or '-'}: {changes}"
            )
        raise CommandError(
            _(
                "%(count)d fact rows differ from the records (stored ≠ recomputed above). "
                "Run `villagelink rebuild-facts` to recompute them."
            )
            % {"count": count}
        )

    @staticmethod
    def _show(name: str, value: int) -> str:
        return fen_to_yuan(value) if name.endswith("_fen") else str(value)
