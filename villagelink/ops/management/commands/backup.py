"""villagelink backup [DIR] [--keep N]"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from villagelink.ops.backup import BackupError, backup_make


class Command(BaseCommand):
    help = (
        "Write a backup of the database and the media folder, with a manifest of row counts and checksums, as "
        "one .tar file in DIR (default: the data folder's backups/). Restore it with `villagelink restore`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", type=Path, help="where to write it")
        parser.add_argument("--keep", type=int, help="then keep only the newest N backups in DIR")

    def handle(self, *args: Any, directory: Path | None, keep: int | None, **options: Any) -> None:
        if keep is not None and keep < 1:
            raise CommandError("Give --keep as a whole number, 1 or more.")
        try:
            made = backup_make(directory=directory or settings.DATA_DIR / "backups", keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from error
        except DatabaseError as error:
            raise CommandError(f"The database cannot be read: {error}") from error
        self.stdout.write(
            f"Backup written: {made.path} ({made.bytes / 1e6:.1f} MB: {made.tables} tables, {made.rows} rows, "
            f"{made.files} media files) in {made.seconds:.1f} s."
        )
