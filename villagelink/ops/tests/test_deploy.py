"""deploy/ stays true to the code: the environment template holds every required production setting and passes
`check --deploy`; the units run commands that exist; nginx lets the largest upload through."""

import re
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import get_commands

from conftest import villagelink_env

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"


def _template() -> dict[str, str]:
    lines = (DEPLOY / "villagelink.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_the_template_names_every_required_production_setting():
    required = set(re.findall(r'required\("(\w+)"\)', (ROOT / "config/settings/production.py").read_text()))
    assert required and required <= _template().keys()
    assert {
        "DATABASE_URL",
        "REDIS_URL",
        "VILLAGELINK_DATA_DIR",
        "VILLAGELINK_TRUSTED_PROXIES",
    } <= _template().keys()
    assert _template()["DJANGO_SETTINGS_MODULE"] == "config.settings.production"


def test_the_template_filled_in_passes_check_deploy(tmp_path):
    env = villagelink_env(tmp_path) | _template()
    env |= {
        "SECRET_KEY": secrets.token_urlsafe(50),  # as the template says to make it
        "VILLAGELINK_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "VILLAGELINK_LOOKUP_KEY": secrets.token_urlsafe(50),
        "VILLAGELINK_METRICS_TOKEN": secrets.token_urlsafe(32),
        "VILLAGELINK_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/deploy-check.sqlite3",  # the checks need no PostgreSQL
    }
    done = subprocess.run(
        [sys.executable, "-m", "villagelink", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_each_unit_runs_a_command_that_exists_and_each_job_has_its_timer():
    commands = get_commands()
    units = {path.name: path.read_text() for path in (DEPLOY / "systemd").glob("*.service")}
    for name, text in units.items():
        (start,) = re.findall(r"^ExecStart=(.+(?:\\\n.+)*)", text, re.MULTILINE)
        if "villagelink " in start:
            command = start.split("villagelink ", 1)[1].split()[0]
            assert command.replace("-", "_") in commands, f"{name}: villagelink {command} does not exist"
        if "Type=oneshot" in text:
            assert (DEPLOY / "systemd" / name.replace(".service", ".timer")).exists(), name
    assert "--no-control-socket" in units["villagelink-web.service"]
    assert "PROMETHEUS_MULTIPROC_DIR=/run/villagelink-metrics" in units["villagelink-web.service"]
    assert "OnCalendar=*:0/5" in (DEPLOY / "systemd/villagelink-expire-orders.timer").read_text()


def test_nginx_lets_the_largest_upload_through():
    site = (DEPLOY / "nginx/villagelink.conf").read_text()
    (megabytes,) = re.findall(r"client_max_body_size (\d+)m;", site)
    # The API's upload carries the report base64-encoded (see core.middleware.LargeUploadBodiesMiddleware).
    assert int(megabytes) * 1024 * 1024 >= settings.VILLAGELINK_IMPORT_MAX_BYTES * 4 // 3 + 64 * 1024
    assert f"alias {_template()['VILLAGELINK_DATA_DIR']}/static/;" in site
    proxy = (DEPLOY / "nginx/villagelink_proxy.conf").read_text()
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in proxy and "X-Forwarded-Proto $scheme" in proxy
