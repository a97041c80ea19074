"""villagelink db_worker: django-tasks-db's worker, unchanged, plus a heartbeat in the shared cache for /readyz.

This app is listed before django_tasks_db in INSTALLED_APPS, so this command takes the name `db_worker`."""

from typing import Any

from django_tasks_db.management.commands import db_worker

from villagelink.ops.heartbeat import heartbeat_start


class Command(db_worker.Command):
    help = "Run the database background worker (large imports), beating a heartbeat for /readyz."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = heartbeat_start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
