"""`villagelink serve` for real: web server, worker and scheduler from a temporary SQLite data folder; ready within
a minute, metrics added up over the web processes, and every child gone after SIGTERM."""

import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import villagelink_env

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "serve-test-token"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310  (http on loopback only)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


def _descendants(pid: int) -> set[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        children = {child for child, ppid in parents.items() if ppid == parent}
        found |= children
        todo.extend(children)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_serve_runs_web_worker_and_jobs_and_stops_every_child(tmp_path):
    env = villagelink_env(tmp_path) | {"VILLAGELINK_METRICS_TOKEN": TOKEN}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    python = [sys.executable, "-m", "villagelink"]
    subprocess.run([*python, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    base = f"http://127.0.0.1:{_free_port()}"
    serve = subprocess.Popen(
        [*python, "serve", "--addr", base.removeprefix("http://"), "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(serve.stdout), daemon=True).start()
    try:
        deadline = time.monotonic() + 90
        status, body = 0, b""
        while time.monotonic() < deadline and status != 200:
            time.sleep(0.5)
            status, body = _get(f"{base}/readyz")
        assert status == 200, body
        assert json.loads(body)["checks"] == dict.fromkeys(
            ("database", "cache", "migrations", "worker"), "ok"
        )

        for _ in range(8):
            assert _get(f"{base}/healthz") == (200, b'{"status": "ok"}')
        status, metrics = _get(f"{base}/metrics", Authorization=f"Bearer {TOKEN}")
        assert status == 200
        # Eight answers, whichever of the two web processes gave them.
        assert (
            'villagelink_requests_total{method="GET",route="ops:healthz",status="200"} 8.0'
            in metrics.decode()
        )

        while time.monotonic() < deadline and "serve: expire-orders finished (exit 0).\n" not in lines:
            time.sleep(0.2)  # the scheduler runs each job once at start
        children = _descendants(serve.pid)
        assert len(children) >= 4, children  # gunicorn's master and 2 workers, the worker (and maybe a job)
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            serve.kill()
            raise
    time.sleep(0.2)  # the last lines
    output = "".join(lines)
    assert serve.returncode == 0, output
    assert "serve: expire-orders finished (exit 0)." in output
    assert "serve: stopped." in output
    assert not [pid for pid in children if _alive(pid)], output
