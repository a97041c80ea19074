"""Backup and restore of the regional demo, on SQLite and on PostgreSQL: times and sizes.

    .venv/bin/python bench/bench_backup.py [--database-url postgres://127.0.0.1:5432/vl_bench_backup] [--only sqlite]

For each database: `villagelink demo --no-serve --reset` loads the regional demo (not timed), `villagelink
backup` writes its archive, `villagelink restore` puts it into a new database (SQLite: a new data folder;
PostgreSQL: the database named as the first with `_restored` added, created empty) and `villagelink rebuild-facts
--verify` checks the facts there. Each command runs in its own process, as an operator would run it; the times
include that process's start (about a second).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# A throwaway key, the same on both sides: the restored data stays readable.
SECRET = "bench-backup-secret-key"  # noqa: S105


def villagelink(env: dict, *args: str) -> tuple[float, str]:
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "villagelink", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"villagelink {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return time.perf_counter() - began, done.stdout


def fresh_postgres(url: str) -> None:
    """Drops and creates the database (its name must say "bench")."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"Refusing to drop the database {name!r}: give one with “bench” in its name.")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def run(kind: str, url: str | None, work: Path) -> None:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    base["SECRET_KEY"] = SECRET
    source = base | {"VILLAGELINK_DATA_DIR": str(work / f"{kind}-source")}
    target = base | {"VILLAGELINK_DATA_DIR": str(work / f"{kind}-restored")}
    if url:
        parts = urlsplit(url)
        restored_url = urlunsplit(parts._replace(path=f"{parts.path}_restored"))
        fresh_postgres(url)
        fresh_postgres(restored_url)
        source["DATABASE_URL"], target["DATABASE_URL"] = url, restored_url
    Path(source["VILLAGELINK_DATA_DIR"]).mkdir(parents=True)
    print(f"{kind}: loading the regional demo …", flush=True)
    loaded, _ = villagelink(source, "demo", "--no-serve", "--reset")
    made, out = villagelink(source, "backup", str(work / f"{kind}-backups"))
    (archive,) = (work / f"{kind}-backups").glob("villagelink-*.tar")
    restored, restore_out = villagelink(target, "restore", str(archive))
    verified, verify_out = villagelink(target, "rebuild-facts", "--verify")
    sqlite_file = Path(source["VILLAGELINK_DATA_DIR"]) / "villagelink.sqlite3"
    size = postgres_size(url) if url else sqlite_file.stat().st_size
    print(f"{kind}: demo loaded in {loaded:.1f} s; database {size / 1e6:.1f} MB")
    print(f"{kind}: backup  {made:6.2f} s, archive {archive.stat().st_size / 1e6:7.1f} MB — {out.strip()}")
    print(f"{kind}: restore {restored:6.2f} s — {restore_out.strip().splitlines()[0]}")
    print(f"{kind}: rebuild-facts --verify on the restored database {verified:.2f} s — {verify_out.strip()}")


def postgres_size(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT pg_database_size(current_database())").fetchone()
        return int(row[0]) if row else 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/vl_bench_backup")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vl-bench-backup-") as work:
        if args.only != "postgresql":
            run("sqlite", None, Path(work))
        if args.only != "sqlite":
            run("postgresql", args.database_url, Path(work))


if __name__ == "__main__":
    main()
