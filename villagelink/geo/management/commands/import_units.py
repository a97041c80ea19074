from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from villagelink.geo.services import UnitImportError, units_import_csv


class Command(BaseCommand):
    help = (
        "Load administrative units from a CSV file with the columns code,parent_code,level,name_zh,name_en "
        "(optional name_bo, longitude, latitude). All rows or none are imported."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="The CSV file (UTF-8, with or without a byte-order mark)."
        )

    def handle(self, *args, file: Path, **options):
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}. Check the path and try again.") from exc
        try:
            result = units_import_csv(data=data)
        except UnitImportError as exc:
            for line in exc.details:
                self.stderr.write(line)
            raise CommandError(f"{exc.message} Nothing was imported.") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {file.name}: {result.created} new unit(s), {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )
