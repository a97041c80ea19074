"""villagelink rebuild-facts [--verify]"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from villagelink.core.money import fen_to_yuan
from villagelink.network.stock import stock_rebuild, stock_verify
from villagelink.orders.facts import MEASURES, facts_rebuild, facts_verify


class Command(BaseCommand):
    help = (
        "Recompute the daily facts behind the indicators, and the network's counts, from the records; with "
        "--verify, compare instead, "
        "list any difference and exit with status 1 if there is one (nothing is written)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--verify", action="store_true", help="compare only; exit 1 on a difference")

    def handle(self, *args, verify: bool, **options):
        if not verify:
            rows = facts_rebuild()
            self.stdout.write(_("%(rows)d fact rows rebuilt from the records.") % {"rows": rows})
            rows = stock_rebuild()
            self.stdout.write(_("%(rows)d rows of the network's counts rebuilt.") % {"rows": rows})
            return
        count, shown = facts_verify()
        stock_count, stock_shown = stock_verify()
        if not count and not stock_count:
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
        for table, (path, day, measure), stored, computed in stock_shown:
            self.stdout.write(f"{table}: {path} {day} {measure}: {stored} ≠ {computed}")
        count += stock_count
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
