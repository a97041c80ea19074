"""villagelink serve [--addr 127.0.0.1:8000] [--workers 3]: the whole system in one command, for a small office
without systemd: the web server (gunicorn), the background worker and a scheduler of the periodic jobs. Ctrl+C or
SIGTERM stops every child; if the web server or the worker stops by itself, everything stops (exit 1), for the
service manager or the person who started it to start it again."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# (command, seconds between runs): each runs once at start (catching up after a stop), then at this interval.
JOBS = [("expire-orders", 5 * 60), ("discard-stale-imports", 24 * 3600)]


class Command(BaseCommand):
    help = (
        "Serve VillageLink with its background worker and periodic jobs (expire-orders every 5 minutes, "
        "discard-stale-imports daily), for a machine without systemd. Stop with Ctrl+C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="address to serve on (default %(default)s)"
        )
        parser.add_argument(
            "--workers", type=int, default=3, help="web server processes (default %(default)s)"
        )
        parser.add_argument(
            "--stop-timeout",
            type=float,
            default=30,
            help="seconds the children get to finish when stopping, before they are killed (default %(default)s)",
        )

    def handle(self, *args: Any, addr: str, workers: int, stop_timeout: float, **options: Any) -> None:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        connection.close()
        if pending:
            raise CommandError(f"{len(pending)} migrations are not applied: run `villagelink migrate` first.")
        if workers < 1:
            raise CommandError("Give --workers as a whole number, 1 or more.")
        env = dict(os.environ)
        metrics_dir = None
        if not env.get("PROMETHEUS_MULTIPROC_DIR"):  # the web processes add up their metrics there
            metrics_dir = tempfile.mkdtemp(prefix="villagelink-metrics-")
            env["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda _signum, _frame: stop.set())
        python = sys.executable
        children: dict[str, subprocess.Popen] = {}
        job: subprocess.Popen | None = None
        job_name = ""
        failed = False
        try:
            web = [
                python,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                addr,
                "--workers",
                str(workers),
            ]
            children["web"] = self._start(env, [*web, "--no-control-socket"])
            children["worker"] = self._start(
                env, [python, "-m", "villagelink", "db_worker", "--no-reload", "--no-startup-delay"]
            )
            self.stdout.write(
                f"serve: web on http://{addr}/ (gunicorn, {workers} workers, pid {children['web'].pid}), "
                f"worker pid {children['worker'].pid}; expire-orders every 5 minutes, discard-stale-imports "
                "daily. Stop with Ctrl+C."
            )
            due = dict.fromkeys((name for name, _every in JOBS), time.monotonic())
            while not stop.is_set():
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(f"serve: the {name} stopped by itself (exit {child.returncode}).")
                        failed = True
                        stop.set()
                if job is not None and job.poll() is not None:
                    self.stdout.write(f"serve: {job_name} finished (exit {job.returncode}).")
                    job = None
                now = time.monotonic()
                if job is None and not stop.is_set():
                    for name, every in JOBS:
                        if due[name] <= now:
                            job, job_name = self._start(env, [python, "-m", "villagelink", name]), name
                            due[name] = now + every
                            break
                stop.wait(0.5)
        finally:
            self.stdout.write("serve: stopping.")
            self._stop([*children.values(), *([job] if job else [])], stop_timeout)
            if metrics_dir:
                shutil.rmtree(metrics_dir, ignore_errors=True)
        if failed:
            raise CommandError("A child stopped by itself; everything was stopped.")
        self.stdout.write("serve: stopped.")

    @staticmethod
    def _start(env: dict[str, str], command: list[str]) -> subprocess.Popen:
        # A session of its own: Ctrl+C in the terminal reaches serve alone, which stops each child once, cleanly.
        return subprocess.Popen(command, env=env, start_new_session=True)

    @staticmethod
    def _stop(processes: list[subprocess.Popen], timeout: float) -> None:
        """SIGTERM to each (gunicorn and the worker finish what they are doing), then SIGKILL to the process
        group of any still running after `timeout`; then nothing of their groups may remain (gunicorn's workers)."""
        for process in processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + timeout
        for process in processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            with contextlib.suppress(ProcessLookupError):  # the group is empty, as it should be
                os.killpg(process.pid, signal.SIGKILL)
