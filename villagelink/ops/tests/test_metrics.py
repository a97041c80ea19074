"""/metrics: only with the token; requests, latency, database time, queue depth, the last import's rate."""

import datetime
import json
import subprocess
import sys

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from villagelink.imports.tasks import run_batch
from villagelink.ops.metrics import QueueCollector

TOKEN = "s3cret-metrics-token"


@pytest.fixture
def token(settings):
    settings.VILLAGELINK_METRICS_TOKEN = TOKEN
    return {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


def _value(text: str, prefix: str) -> float:
    lines = [line for line in text.splitlines() if line.startswith(prefix)]
    assert lines, f"no {prefix} in the metrics"
    return float(lines[0].rsplit(" ", 1)[1])


def test_without_a_token_setting_metrics_are_not_found(client, db, settings):
    settings.VILLAGELINK_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_a_wrong_or_missing_token_is_refused(client, db, token):
    assert client.get("/metrics").status_code == 401
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert b"villagelink_" not in response.content


def test_requests_are_counted_by_route_and_status_with_latency_and_database_time(client, db, token):
    before = client.get("/metrics", **token).content.decode()
    prefix = 'villagelink_requests_total{method="GET",route="ops:healthz",status="200"}'
    count = _value(before, prefix) if prefix in before else 0
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no-such-page/")
    text = client.get("/metrics", **token).content.decode()
    assert _value(text, prefix) == count + 2
    assert 'villagelink_requests_total{method="GET",route="<unresolved>",status="404"}' in text
    assert 'villagelink_request_seconds_bucket{le="0.01",route="ops:healthz"}' in text
    assert 'villagelink_request_database_seconds_count{route="ops:metrics"}' in text
    assert "/no-such-page/" not in text  # routes by name, never a path


def test_queue_depth_heartbeat_and_the_last_imports_rate(client, units, admin_user, token):
    from villagelink.imports.models import BatchStatus, ImportBatch

    batch = ImportBatch.objects.create(
        uploaded_by=admin_user, file_name="june.csv", status=BatchStatus.PREVIEWED, rows_done=30_000
    )
    waiting = run_batch.enqueue(batch.pk)
    done = run_batch.enqueue(batch.pk)
    started = timezone.now() - datetime.timedelta(seconds=20)
    DBTaskResult.objects.filter(id=done.id).update(
        status="SUCCESSFUL", started_at=started, finished_at=started + datetime.timedelta(seconds=12)
    )
    text = client.get("/metrics", **token).content.decode()
    assert _value(text, 'villagelink_task_queue{status="ready"}') == 1
    assert _value(text, 'villagelink_task_queue{status="running"}') == 0
    assert _value(text, "villagelink_import_last_rows_per_second") == 2500
    assert "villagelink_worker_heartbeat_age_seconds NaN" in text
    assert str(waiting.id)  # enqueued, not run: the tests have no worker


def test_the_scrape_time_collector_costs_few_queries(db, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        names = [metric.name for metric in QueueCollector().collect()]
    assert names == [
        "villagelink_task_queue",
        "villagelink_worker_heartbeat_age_seconds",
        "villagelink_import_last_rows_per_second",
    ]


def test_json_logs_are_one_object_per_line(tmp_path):
    """VILLAGELINK_LOG_FORMAT=json switches the root log's formatter."""
    from conftest import villagelink_env

    script = "import django, logging; django.setup(); logging.getLogger('villagelink.ops').warning('worker %s', 'late')"
    env = villagelink_env(tmp_path) | {
        "VILLAGELINK_LOG_FORMAT": "json",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    (line,) = done.stderr.splitlines()
    record = json.loads(line)
    assert (record["levelname"], record["name"], record["message"]) == (
        "WARNING",
        "villagelink.ops",
        "worker late",
    )
