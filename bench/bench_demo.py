"""How long `villagelink demo` takes to set up from empty, and how fast subtree queries are on its data.

    .venv/bin/python bench/bench_demo.py [--database-url URL]

Runs the real command in a fresh data folder (SQLite by default) and prints the figures.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None, help="Default: a SQLite file in a temporary folder.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
        env["VILLAGELINK_DATA_DIR"] = data_dir
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        command = [sys.executable, "-m", "villagelink", "demo", "--no-serve", "--reset"]
        began = time.perf_counter()
        subprocess.run(command, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        from_empty = time.perf_counter() - began
        began = time.perf_counter()
        subprocess.run(command[:-1], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        again = time.perf_counter() - began
        print(
            f"demo from empty (units, network, 18k households, 1,266 shops, 37k ledger entries): {from_empty:.2f} s"
        )
        print(f"demo again on the same database (adds nothing):                        {again:.2f} s")

        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
        import django

        django.setup()
        from villagelink.core.paths import subtree_q
        from villagelink.geo.models import AdminUnit
        from villagelink.geo.selectors import unit_children_with_counts

        for code in ("540000", "540200", "540221"):
            unit = AdminUnit.objects.get(code=code)
            rounds = 200
            began = time.perf_counter()
            for _ in range(rounds):
                n = AdminUnit.objects.filter(subtree_q("path", unit.path)).count()
            per_query = (time.perf_counter() - began) / rounds * 1000
            began = time.perf_counter()
            for _ in range(rounds // 4):
                unit_children_with_counts(unit=unit)
            per_tree = (time.perf_counter() - began) / (rounds // 4) * 1000
            print(
                f"subtree of {code}: {n:>5} units, count {per_query:.2f} ms; children with counts {per_tree:.2f} ms"
            )


if __name__ == "__main__":
    main()
