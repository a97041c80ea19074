"""villagelink quality --unit CODE --month YYYY-MM [--check] [--completeness] [--json]"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from villagelink.core.exceptions import ApplicationError
from villagelink.core.money import fen_to_yuan
from villagelink.core.periods import period_parse
from villagelink.geo.models import AdminUnit
from villagelink.quality.completeness import completeness_document, completeness_of_area
from villagelink.quality.models import Flag
from villagelink.quality.services import quality_check


class Command(BaseCommand):
    help = (
        "The data-quality flags of a unit's area for a period (a month such as 2019-06, a quarter or a year): "
        "each with its rule, status, amount and orders. --check runs the checks first and files what they find. "
        "--completeness shows instead, for a month, which shops on external platforms sent their order report, "
        "which village points recorded nothing, and the share complete, per child unit."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="the unit's division code, e.g. 540221")
        parser.add_argument("--month", required=True, help="the period: 2019-06, 2019-Q2 or 2019")
        parser.add_argument("--check", action="store_true", help="run the checks first")
        parser.add_argument(
            "--completeness",
            action="store_true",
            help="the month's reporting completeness instead of the flags",
        )
        parser.add_argument("--json", dest="as_json", action="store_true", help="print JSON")

    def handle(self, *args, unit: str, month: str, check: bool, completeness: bool, as_json: bool, **options):
        try:
            period = period_parse(month)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        found = AdminUnit.objects.filter(code=unit.strip()).first()
        if found is None:
            raise CommandError(
                _("There is no unit with the code %(code)s: give a division code such as 540000 or 540221.")
                % {"code": unit[:20]}
            )
        if completeness:
            if period.kind != "month":
                raise CommandError(
                    _("Completeness is for one month: give it as YYYY-MM, e.g. 2019-06 (not %(period)s).")
                    % {"period": period.key}
                )
            self._completeness(found, period.start, as_json)
            return
        checked = quality_check(path=found.path, first=period.start, last=period.end) if check else None
        flags = (
            Flag.objects.filter(
                unit__path__startswith=found.path, month__gte=period.start, month__lte=period.end
            )
            .select_related("unit", "shop")
            .prefetch_related("orders")
            .order_by("month", "unit__path", "pk")
        )
        rows = [
            {
                "id": flag.pk,
                "rule": flag.rule,
                "status": flag.status,
                "month": flag.month.strftime("%Y-%m"),
                "unit": flag.unit.code,
                "shop": flag.shop_id,
                "amount": fen_to_yuan(flag.amount_fen),
                "orders": [order.number for order in flag.orders.all()],
                "evidence": flag.evidence,
                "reason": flag.reason,
            }
            for flag in flags
        ]
        if as_json:
            document: dict[str, object] = {
                "unit": found.code,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
            }
            if checked is not None:
                document["checked"] = {"found": checked.found, "new": checked.new, "by_rule": checked.by_rule}
            self.stdout.write(json.dumps({**document, "flags": rows}, ensure_ascii=False, indent=2))
            return
        if checked is not None:
            self.stdout.write(f"checked: {checked.found} findings, {checked.new} new flags {checked.by_rule}")
        self.stdout.write(f"{found} {period.start} – {period.end}: {len(rows)} flags")
        for row in rows:
            self.stdout.write(
                f"  #{row['id']} {row['month']} {row['unit']} {row['rule']:<12} {row['status']:<10} "
                f"¥{row['amount']:>12} {len(row['orders'])} orders"
            )

    def _completeness(self, unit: AdminUnit, month: datetime.date, as_json: bool) -> None:
        """The unit's reporting completeness for the month, read as an administrator reads it (the whole
        area): as JSON (the API's document) or as a table per child unit with the lists beneath."""
        found = completeness_of_area(unit=unit, month=month)
        if as_json:
            self.stdout.write(json.dumps(completeness_document(found), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{unit} {month:%Y-%m}: " + _("reporting completeness"))
        header = (
            _("unit"),
            _("shops expected"),
            _("reported"),
            _("points expected"),
            _("silent"),
            _("share"),
        )
        self.stdout.write(
            f"  {header[0]:<28} {header[1]:>14} {header[2]:>9} {header[3]:>15} {header[4]:>7} {header[5]:>7}"
        )
        rows = [(f"{row.unit.code} {row.unit.name}", row.tally) for row in found.children]
        if found.own is not None:
            rows.append((_("Recorded at %(unit)s itself") % {"unit": unit.code}, found.own))
        rows.append((_("Total"), found.total))
        for label, tally in rows:
            share = "—" if tally.share is None else f"{100 * tally.share:.1f}%"
            self.stdout.write(
                f"  {label[:28]:<28} {tally.shops_expected:>14} {tally.shops_reported:>9} "
                f"{tally.points_expected:>15} {tally.points_silent:>7} {share:>7}"
            )
        self.stdout.write(_("Shops without a report: %(n)d") % {"n": len(found.missing_shops)})
        for shop in found.missing_shops:
            self.stdout.write(f"  #{shop.pk} {shop.unit.code} {shop.platform:<10} {shop.local_name}")
        self.stdout.write(_("Village points that recorded nothing: %(n)d") % {"n": len(found.silent_points)})
        for point in found.silent_points:
            self.stdout.write(f"  #{point.pk} {point.unit.code} {point.local_name}")
