import subprocess
import sys

from conftest import copy_demo_data, villagelink_env
from villagelink.accounts.checks import demo_accounts_absent


def test_demo_accounts_fail_the_deploy_check_under_production_settings(settings, county_officer):
    settings.VILLAGELINK_REFUSE_DEMO_ACCOUNTS = True
    assert demo_accounts_absent() == []  # no demo account yet: passes
    county_officer.username = "county-officer"
    county_officer.save()
    errors = demo_accounts_absent()
    assert [e.id for e in errors] == ["villagelink.E001"]
    assert "county-officer" in errors[0].msg


def test_demo_accounts_are_fine_outside_production(settings, county_officer):
    settings.VILLAGELINK_REFUSE_DEMO_ACCOUNTS = False
    county_officer.username = "county-officer"
    county_officer.save()
    assert demo_accounts_absent() == []


def test_check_deploy_fails_in_production_while_demo_accounts_exist(demo_data, tmp_path):
    """The real command, in its own process and database: demo data set up (by `villagelink demo --no-serve`,
    once per session, copied here), then `check --deploy`."""
    data_dir = copy_demo_data(demo_data, tmp_path / "data")
    production = villagelink_env(data_dir) | {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 60 + "-not-a-real-key-but-long-and-random-enough-%$#",
        "ALLOWED_HOSTS": "villagelink.example.org",
        "VILLAGELINK_ENCRYPTION_KEYS": "Qx5m0vVJk3o2q6b0Jz8mXn4m1mJxkq3d7nqT0yW2c1Q=",
        "VILLAGELINK_LOOKUP_KEY": "a-lookup-key-for-the-test-only",
    }
    done = subprocess.run(
        [sys.executable, "-m", "villagelink", "check", "--deploy", "--fail-level", "ERROR"],
        env=production,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "villagelink.E001" in done.stderr
