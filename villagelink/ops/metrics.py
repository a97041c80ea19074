"""Prometheus metrics (prometheus-client): requests by route and status, their latency and database time, counted
by a middleware in each process; and, read from the database when /metrics is scraped, the task queue's depth,
the worker's heartbeat and the last background import's rows per second.

Several gunicorn processes: set PROMETHEUS_MULTIPROC_DIR to an empty folder writable by them (systemd's
RuntimeDirectory; `villagelink serve` makes one) before they start: each process writes its counters there and
/metrics adds them up (prometheus-client's multiprocess mode). Without it, /metrics shows the one process that
answers."""

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from .heartbeat import heartbeat_age

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "villagelink_requests",
    "Requests answered, by route name, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "villagelink_request_seconds",
    "Time to answer a request, by route name.",
    ["route"],
    buckets=LATENCY_BUCKETS,
)
DATABASE_TIME = Histogram(
    "villagelink_request_database_seconds",
    "Time a request spent in database queries, by route name.",
    ["route"],
    buckets=LATENCY_BUCKETS,
)


class _QueryTimer:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began


class MetricsMiddleware:
    """First in MIDDLEWARE: times the whole answer. The route is the URL pattern's name (a bounded set), never the
    path, which may hold a code or a number."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        began = time.perf_counter()
        timer = _QueryTimer()
        with connection.execute_wrapper(timer):
            response = self.get_response(request)
        match = request.resolver_match
        route = (match.view_name or "<unnamed>") if match else "<unresolved>"
        REQUESTS.labels(route, request.method or "", str(response.status_code)).inc()
        LATENCY.labels(route).observe(time.perf_counter() - began)
        DATABASE_TIME.labels(route).observe(timer.seconds)
        return response


class QueueCollector(Collector):
    """What the database and the shared cache hold now, read at each scrape (three small queries)."""

    def collect(self) -> Iterator[Metric]:
        from django_tasks_db.compat import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from villagelink.imports.models import ImportBatch
        from villagelink.imports.tasks import run_batch

        tasks = DBTaskResult.objects.values_list("status", flat=True)
        depth = GaugeMetricFamily(
            "villagelink_task_queue", "Background tasks waiting or running, by status.", labels=["status"]
        )
        for status in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
            depth.add_metric([str(status).lower()], tasks.filter(status=status).count())
        yield depth

        age = heartbeat_age()
        yield GaugeMetricFamily(
            "villagelink_worker_heartbeat_age_seconds",
            "Seconds since the background worker's last heartbeat (NaN: none).",
            value=float("nan") if age is None else age,
        )

        last = (
            DBTaskResult.objects.filter(
                task_path=run_batch.module_path, status=TaskResultStatus.SUCCESSFUL, finished_at__isnull=False
            )
            .order_by("-finished_at")
            .values("args_kwargs", "started_at", "finished_at")
            .first()
        )
        rate = float("nan")
        if last and last["started_at"] and last["finished_at"]:
            batch_id = (last["args_kwargs"].get("args") or [None])[0]
            rows = ImportBatch.objects.filter(pk=batch_id).values_list("rows_done", flat=True).first()
            seconds = (last["finished_at"] - last["started_at"]).total_seconds()
            if rows is not None and seconds > 0:
                rate = rows / seconds
        yield GaugeMetricFamily(
            "villagelink_import_last_rows_per_second",
            "Rows per second of the last import run by the background worker (check or commit; NaN: none).",
            value=rate,
        )


def exposition() -> bytes:
    """The text of /metrics: this process's (or, in multiprocess mode, every process's) request metrics, then
    what the database holds now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
        counted = generate_latest(processes)
    else:
        counted = generate_latest(REGISTRY)
    now = CollectorRegistry()
    now.register(QueueCollector())
    return counted + generate_latest(now)
