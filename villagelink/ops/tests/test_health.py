"""/healthz and /readyz: public, cheap, JSON; /readyz names each failed check."""

import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from villagelink.ops import health
from villagelink.ops.heartbeat import KEY, beat, heartbeat_age


@pytest.fixture
def worker_beating():
    beat()


def test_healthz_answers_ok_without_a_session_or_a_query(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie
    assert len(queries) == 0


def test_readyz_is_ok_with_the_database_caches_migrations_and_a_recent_heartbeat(client, db, worker_beating):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "migrations": "ok", "worker": "ok"},
    }
    assert not response.cookies


def test_readyz_is_cheap(client, db, worker_beating):
    client.get("/readyz")  # the first answer reads the migrations once for the process
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/readyz").status_code == 200
    assert len(queries) <= 2


def test_readyz_without_a_worker_heartbeat_is_503_naming_the_worker(client, db):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["failed"] == ["worker"]
    assert "db_worker" in body["checks"]["worker"]


def test_a_heartbeat_older_than_a_minute_fails(client, db):
    beat(now=time.time() - 75)
    body = client.get("/readyz").json()
    assert body["failed"] == ["worker"]
    seconds = re.search(r"last heartbeat (\d+) s ago", body["checks"]["worker"])
    assert seconds and 75 <= int(seconds[1]) < 80  # a second or two later on a loaded machine
    assert 74 < heartbeat_age() < 80


def test_a_database_that_does_not_answer_fails_without_naming_its_host(
    client, db, worker_beating, monkeypatch
):
    class Unreachable:
        def cursor(self):
            raise ConnectionRefusedError("connection to 10.1.2.3 port 5432 refused")

    monkeypatch.setattr(health, "connection", Unreachable())
    monkeypatch.setattr(health, "_migrated", True)
    body = client.get("/readyz").json()
    assert body["failed"] == ["database"]
    assert body["checks"]["database"] == "does not answer (ConnectionRefusedError)"


def test_unapplied_migrations_fail_until_migrated(db, monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(
        "django.db.migrations.executor.MigrationExecutor.migration_plan", lambda self, targets: [("m", False)]
    )
    assert health.migrations() == "1 not applied: run `villagelink migrate`"
    monkeypatch.undo()
    monkeypatch.setattr(health, "_migrated", False)
    assert health.migrations() is None


def test_a_cache_that_loses_values_fails(db, monkeypatch, settings):
    from django.core.cache import caches

    monkeypatch.setattr(caches["shared"], "get", lambda key, default=None: None)
    assert health.cache() == "shared: does not keep a value"


def test_the_worker_beats_from_its_command(db):
    from django.core.cache import caches

    from villagelink.ops.heartbeat import heartbeat_start

    caches["shared"].delete(KEY)
    stop = heartbeat_start()
    try:
        for _ in range(50):
            if heartbeat_age() is not None:
                break
            time.sleep(0.05)
    finally:
        stop.set()
    assert heartbeat_age() is not None and heartbeat_age() < 5


def test_health_routes_need_no_login_and_are_not_redirected_under_https_settings(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503  # answered, not redirected (no worker here)
    assert client.get("/workspace/").status_code == 301  # everything else goes to HTTPS
