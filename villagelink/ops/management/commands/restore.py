"""villagelink restore FILE"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from villagelink.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `villagelink backup` into an empty database and media folder: its checksums "
        "are checked before anything is written, and its row counts after."
    )

    requires_system_checks: list[str] = []  # the target may be a data folder not made yet

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the backup's .tar file")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            restored = backup_restore(path=file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        except DatabaseError as error:
            raise CommandError(f"The database cannot be written: {error}") from error
        self.stdout.write(
            f"Restored {file.name}: {restored.tables} tables, {restored.rows} rows (as the manifest counts), "
            f"{restored.files} media files, in {restored.seconds:.1f} s."
        )
        if restored.pending_migrations:
            self.stdout.write(
                f"This code has {len(restored.pending_migrations)} migrations the backup had not: run "
                "`villagelink migrate`."
            )
