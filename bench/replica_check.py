"""The read replicas for real: a second PostgreSQL cluster on this machine as a streaming replica of a first,
the dashboards served from it while the primary takes writes, and read-your-writes checked with its replay
paused. CI runs it; it needs root (Debian's `pg_createcluster`, `pg_basebackup` run as the postgres user).

    .venv/bin/python bench/replica_check.py [--keep]

1. Clusters `vl_primary` (port 5440) and `vl_replica` (5441) of the newest PostgreSQL installed, made afresh:
   the replica is a `pg_basebackup -R` of the primary, streaming from it (`pg_is_in_recovery()` there).
2. The regional demo into the primary's database `villagelink` (`villagelink demo --no-serve`), with
   `DATABASE_REPLICA_URLS` naming the replica.
3. In one Django process (the test client, through every middleware): while another thread records an assisted
   purchase at the desk every few milliseconds on the primary, the region officer opens the dashboard 20 times:
   every answer is 200 and every query of the figures went to the replica, none to the primary (which only
   answered the session and the user).
4. The replica's replay paused: the point operator records a purchase (a POST); their own KPI call right after
   reads from the primary and includes it; an officer who has not written reads from the replica and does not
   yet; replay resumed, the officer sees it too.
The clusters are dropped at the end (`--keep` leaves them running).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRIMARY, REPLICA = ("vl_primary", 5440), ("vl_replica", 5441)
DATABASE = "villagelink"
HBA = """local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
"""


def url(port: int) -> str:
    return f"postgres://postgres@127.0.0.1:{port}/{DATABASE}"


def run(*command: str, as_postgres: bool = False) -> str:
    if as_postgres:
        command = ("runuser", "-u", "postgres", "--", *command)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def version() -> str:
    versions = sorted((p.name for p in Path("/usr/lib/postgresql").iterdir() if p.name.isdigit()), key=int)
    return versions[-1]


def drop(name: str) -> None:
    if name in run("pg_lsclusters", "--no-header"):
        run("pg_dropcluster", "--stop", version(), name)


def clusters() -> None:
    v = version()
    for name, _port in (REPLICA, PRIMARY):
        drop(name)
    name, port = PRIMARY
    run("pg_createcluster", v, name, "-p", str(port), "--", "--auth=trust")
    Path(f"/etc/postgresql/{v}/{name}/pg_hba.conf").write_text(HBA)
    with open(f"/etc/postgresql/{v}/{name}/postgresql.conf", "a") as conf:
        conf.write("listen_addresses = '127.0.0.1'\nmax_wal_senders = 5\nwal_level = replica\n")
    run("pg_ctlcluster", v, name, "start")
    name, port = REPLICA
    run("pg_createcluster", v, name, "-p", str(port), "--", "--auth=trust")
    Path(f"/etc/postgresql/{v}/{name}/pg_hba.conf").write_text(HBA)
    with open(f"/etc/postgresql/{v}/{name}/postgresql.conf", "a") as conf:
        conf.write("listen_addresses = '127.0.0.1'\nhot_standby = on\n")
    data = Path(f"/var/lib/postgresql/{v}/{name}")
    for part in data.iterdir():  # emptied, kept (the postgres user may not make it again)
        shutil.rmtree(part) if part.is_dir() else part.unlink()
    run("pg_basebackup", "-h", "127.0.0.1", "-p", str(PRIMARY[1]), "-U", "postgres", "-D", str(data),
        "-R", "-X", "stream", "-c", "fast", as_postgres=True)  # fmt: skip
    run("pg_ctlcluster", v, name, "start")
    for _ in range(60):
        ready = [subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(p)]).returncode == 0
                 for p in (PRIMARY[1], REPLICA[1])]  # fmt: skip
        if all(ready):
            return
        time.sleep(1)
    raise SystemExit("The clusters did not start within a minute.")


# The checks, in a Django process ---------------------------------------------------------------------------------


class Queries:
    """The statements each database answered while counting."""

    def __init__(self) -> None:
        self.by_alias: dict[str, list[str]] = {}

    def watching(self, alias: str):
        def wrapper(execute, sql, params, many, context):
            self.by_alias.setdefault(alias, []).append(str(sql))
            return execute(sql, params, many, context)

        return wrapper


def caught_up() -> None:
    """Waits until the replica has replayed everything the primary has written."""
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    for _ in range(300):
        with connections["replica1"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0", [target])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.1)
    raise SystemExit("The replica did not catch up within 30 s.")


def child() -> dict:
    import threading
    from contextlib import ExitStack

    import django

    django.setup()
    from django.db import connection, connections
    from django.test import Client

    from villagelink.accounts.models import User
    from villagelink.core.dates import region_today
    from villagelink.core.replicas import WROTE_COOKIE
    from villagelink.desk.selectors import desk_site
    from villagelink.desk.services import assisted_purchase_record

    report: dict = {}
    with connections["replica1"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        report["replica in recovery"] = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        report["primary in recovery"] = cursor.fetchone()[0]
    assert report == {"replica in recovery": True, "primary in recovery": False}, report
    caught_up()

    officer, operator_user = (
        User.objects.get(username="region-officer"),
        User.objects.get(username="point-operator"),
    )
    site = desk_site(user=operator_user, pk=None)
    village = site.unit.code

    # 1. The dashboard from the replica while the primary takes writes.
    stop, written = threading.Event(), [0]

    def writer():
        try:
            while not stop.is_set():
                assisted_purchase_record(
                    by=operator_user, site=site, household=None, platform="taobao", description="Seeds",
                    category="agri_inputs", amount_fen=5000, service_fee_fen=0, local_price_fen=None,
                )  # fmt: skip
                written[0] += 1
        finally:
            connection.close()

    browser = Client()
    browser.force_login(officer)  # logged in a while ago: no write of this browser is recent
    thread = threading.Thread(target=writer)
    thread.start()
    answers, figures_on = [], {"default": 0, "replica1": 0}
    try:
        for _ in range(20):
            queries = Queries()
            with ExitStack() as stack:
                for alias in ("default", "replica1"):
                    stack.enter_context(connections[alias].execute_wrapper(queries.watching(alias)))
                response = browser.get("/monitoring/540000/", {"period": "2019"})
            answers.append(response.status_code)
            for alias, statements in queries.by_alias.items():
                figures_on[alias] += sum("orders_" in s or "fact" in s for s in statements)
    finally:
        stop.set()
        thread.join()
    report["dashboards"] = {"answers": sorted(set(answers)), "figure queries by database": figures_on,
                            "desk purchases written meanwhile": written[0]}  # fmt: skip
    assert answers == [200] * 20 and figures_on["default"] == 0 and figures_on["replica1"] > 0, report
    assert written[0] > 0, report

    # 2. Read-your-writes, with the replica's replay paused.
    caught_up()
    today = region_today().isoformat()
    kpi = {"unit": village, "start": today, "end": today}
    before = browser.get("/api/v1/kpis/", kpi).json()["online_purchases"]
    with connections["replica1"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        operator = Client()
        operator.force_login(operator_user)
        posted = operator.post(
            "/desk/purchase/",
            {"purchase-platform": "taobao", "purchase-description": "Replica check",
             "purchase-category": "agri_inputs", "purchase-amount": "1234.56"},
        )  # fmt: skip
        assert posted.status_code == 302 and WROTE_COOKIE in posted.cookies, posted.status_code
        own = operator.get("/api/v1/kpis/", kpi).json()["online_purchases"]
        other = browser.get("/api/v1/kpis/", kpi).json()["online_purchases"]
    finally:
        with connections["replica1"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    caught_up()
    later = browser.get("/api/v1/kpis/", kpi).json()["online_purchases"]
    report["read your writes"] = {"before": before, "the writer, at once": own,
                                  "another officer, replay paused": other, "another officer, caught up": later}  # fmt: skip
    from decimal import Decimal

    assert Decimal(own) == Decimal(before) + Decimal("1234.56"), report
    assert Decimal(other) == Decimal(before) and Decimal(later) == Decimal(own), report
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", action="store_true", help="Leave the two clusters running.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child()))
        return
    if os.geteuid() != 0 or not shutil.which("pg_createcluster"):
        print("skipped: making PostgreSQL clusters needs root and Debian's pg_createcluster")
        return
    began = time.perf_counter()
    clusters()
    print(f"clusters {PRIMARY[0]}:{PRIMARY[1]} and {REPLICA[0]}:{REPLICA[1]} (streaming) in "
          f"{time.perf_counter() - began:.1f} s")  # fmt: skip
    try:
        import psycopg

        with psycopg.connect(f"postgres://postgres@127.0.0.1:{PRIMARY[1]}/postgres", autocommit=True) as db:
            db.execute(f"CREATE DATABASE {DATABASE}")
        data = tempfile.mkdtemp(prefix="vl-replica-")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": url(PRIMARY[1]),
            "DATABASE_REPLICA_URLS": url(REPLICA[1]),
            "VILLAGELINK_DATA_DIR": data,
            "SECRET_KEY": "bench-replica-check",
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("REDIS_URL", None)
        began = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "villagelink", "demo", "--no-serve"], cwd=ROOT, env=env,
                              capture_output=True, text=True, check=False)  # fmt: skip
        if done.returncode:
            raise SystemExit(f"villagelink demo failed:\n{done.stdout}{done.stderr}")
        print(f"the regional demo on the primary in {time.perf_counter() - began:.0f} s")
        done = subprocess.run([sys.executable, __file__, "--child"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              text=True, check=False)  # fmt: skip
        if done.returncode:
            raise SystemExit(f"The replica check failed (exit {done.returncode}); see above.\n{done.stdout}")
        report = json.loads(done.stdout.strip().splitlines()[-1])
        print(json.dumps(report, indent=2, ensure_ascii=False))
        print("replica check passed")
    finally:
        if not args.keep:
            for name, _port in (REPLICA, PRIMARY):
                drop(name)


if __name__ == "__main__":
    main()
