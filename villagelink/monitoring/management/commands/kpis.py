"""villagelink kpis --unit CODE [--start YYYY-MM-DD] [--end YYYY-MM-DD] [--json]"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from villagelink.core.exceptions import ApplicationError
from villagelink.core.periods import period_from
from villagelink.geo.models import AdminUnit
from villagelink.monitoring.indicators import INDICATORS, exported, kpi_document
from villagelink.monitoring.selectors import figures_for


class Command(BaseCommand):
    help = (
        "Print every indicator for a unit and period (the same figures as the dashboard and "
        "/api/v1/kpis/). The end defaults to today, the start to 1 January of the end's year."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="the unit's division code, e.g. 540000")
        parser.add_argument("--start", help="first day, YYYY-MM-DD")
        parser.add_argument("--end", help="last day, YYYY-MM-DD")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="print JSON, as the API gives it"
        )

    def handle(self, *args, unit: str, start, end, as_json: bool, **options):
        try:
            period = period_from(start=start, end=end)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        found = AdminUnit.objects.filter(code=unit.strip()).first()
        if found is None:
            raise CommandError(
                _("There is no unit with the code %(code)s: give a division code such as 540000 or 540221.")
                % {"code": unit[:20]}
            )
        values = figures_for(unit=found, start=period.start, end=period.end)
        if as_json:
            self.stdout.write(json.dumps(kpi_document(found, period, values), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{found} {period.start} – {period.end}")
        for indicator in INDICATORS:
            value = exported(values)[indicator.name]
            self.stdout.write(f"  {indicator.label:<40} {'—' if value is None else value}")
