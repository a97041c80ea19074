"""CI: the production setup on PostgreSQL + Redis, as deploy/ runs it, started, loaded, backed up, restored.

    .venv/bin/python .ci/production.py [--users 20] [--seconds 30]

1. The regional demo into a fresh database `vl_bench_ci` (production keys from bench/load.py), static files
   collected; `villagelink serve` under the production settings (gunicorn, the worker, the periodic jobs).
2. `/readyz` answers 200 (database, caches, migrations, the worker's heartbeat).
3. A short load test against it (bench/load.py --host): no error and no oversold unit, or CI fails.
4. `villagelink backup` of the running system; the server stopped (everything this started).
5. `villagelink restore` into a new, empty database `vl_bench_ci_restored`; there `rebuild-facts --verify`
   agrees and `kpis` gives the same figures as the original, the article's among them.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import benchdata  # noqa: E402
import load  # noqa: E402

SOURCE = "postgres://postgres@127.0.0.1:5432/vl_bench_ci"
TARGET = "postgres://postgres@127.0.0.1:5432/vl_bench_ci_restored"
# The region's published figures for 2015-01-01 to 2019-06-30, which the demo reproduces.
ARTICLE = {
    "county_centres": 26,
    "township_stations": 127,
    "village_points": 380,
    "online_shops": 1229,
    "assistance_events": 36666,
}
KPIS = ["kpis", "--unit", "540000", "--start", "2015-01-01", "--end", "2019-06-30", "--json"]


def fresh(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def step(text: str) -> None:
    print(f"\n-- {text}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vl-ci-production-"))
    env = load.environment(SOURCE, str(work / "data"), "redis://127.0.0.1:6379/4")

    step("the regional demo on PostgreSQL, static files")
    fresh(SOURCE)
    benchdata.ensure_database(SOURCE)
    began = time.perf_counter()
    load.villagelink({**env, "DJANGO_SETTINGS_MODULE": "config.settings.base"}, "demo", "--no-serve")
    load.villagelink(env, "collectstatic", "--no-input", "-v0")
    print(f"ready in {time.perf_counter() - began:.0f} s")
    figures = json.loads(load.villagelink(env, *KPIS))
    wrong = {k: (figures[k], v) for k, v in ARTICLE.items() if figures[k] != v}
    if wrong:
        raise SystemExit(f"The demo's figures are not the article's (found, expected): {wrong}")

    port = load.free_port()
    host = f"http://127.0.0.1:{port}"
    step(f"villagelink serve on {host} (production settings, Redis, gunicorn, worker, periodic jobs)")
    processes = load.start_server(env, "gunicorn", 3, port)
    try:
        load.wait_ready(host, processes)
        print("/readyz: 200")
        step(f"load test: {args.users} users for {args.seconds:.0f} s")
        done = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "load.py"), "--host", host, "--users", str(args.users),
             "--seconds", str(args.seconds), "--database-url", SOURCE, "--data-dir", str(work / "data"),
             "--redis-url", "redis://127.0.0.1:6379/4"],
            cwd=ROOT, env=env, check=False,
        )  # fmt: skip
        if done.returncode:
            raise SystemExit("The load test failed: errors or oversold units (above).")
        step("backup of the running system")
        began = time.perf_counter()
        print(load.villagelink(env, "backup", str(work / "backups")).strip())
        print(f"in {time.perf_counter() - began:.1f} s")
        figures = json.loads(load.villagelink(env, *KPIS))
    finally:
        step("stopping everything started")
        load.stop_server(processes)
    archive = next((work / "backups").glob("*.tar"))

    step("restore into a new, empty database")
    fresh(TARGET)
    restored = load.environment(TARGET, str(work / "restored"), "redis://127.0.0.1:6379/5")
    began = time.perf_counter()
    print(load.villagelink(restored, "restore", str(archive)).strip())
    print(f"in {time.perf_counter() - began:.1f} s")
    print(load.villagelink(restored, "rebuild-facts", "--verify").strip())
    again = json.loads(load.villagelink(restored, *KPIS))
    if again != figures:
        raise SystemExit(f"The restored figures differ:\n{again}\nfrom\n{figures}")
    print("the restored database gives the same figures (the article's among them)")
    print("\nproduction check passed")


if __name__ == "__main__":
    main()
