from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from villagelink.geo.services import UnitImportError, units_import_csv


class Command(BaseCommand):
    help = (
        "Load administrative units from a CSV or XLSX file with the columns code,parent_code,level,name_zh,"
        "name_en (optional name_bo, longitude, latitude). All rows or none are imported."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            type=Path,
            help="The CSV file (UTF-8 with or without a byte-order mark, or GBK/GB18030) or .xlsx.",
        )

    def handle(self, *args, file: Path, **options):
        try:
            handle = file.open("rb")
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s. Check the path and try again.")
                % {"file": file, "reason": exc.strerror}
            ) from exc
        with handle:
            try:
                result = units_import_csv(data=handle, filename=file.name)
            except UnitImportError as exc:
                for line in exc.details:
                    self.stderr.write(line)
                raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported %(file)s: %(created)d new unit(s), %(updated)d updated, %(unchanged)d unchanged.")
                % {
                    "file": file.name,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                }
            )
        )
