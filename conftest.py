"""Fixtures shared by every test: a small but real hierarchy and a person for each role; and the demo, set up
once per session by the real command in its own process and data folder."""

import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from villagelink.accounts.models import Role, User
from villagelink.geo.models import AdminUnit
from villagelink.geo.services import UnitRow, units_import, units_import_csv

PASSWORD = "correct-horse-battery"
NAMLING = "540221"
CHENGGUAN = "540102"  # Lhasa's Chengguan District: "another county" for scope tests


def _township_and_villages(county: str, name: str) -> list[UnitRow]:
    township = f"{county}101"
    rows = [UnitRow(0, township, county, "township", f"{name}乡", f"{name} Township")]
    rows += [
        UnitRow(0, f"{township}{200 + v}", township, "village", f"{name}{v}村", f"{name} Village {v}")
        for v in (1, 2)
    ]
    return rows


@pytest.fixture
def units(db):
    """The Tibet reference units, plus one township with two villages in Namling and in Chengguan."""
    data = resources.files("villagelink.geo").joinpath("fixtures/tibet_admin_units.csv").read_bytes()
    units_import_csv(data=data)
    units_import(rows=_township_and_villages(NAMLING, "Namling") + _township_and_villages(CHENGGUAN, "Lhasa"))
    return {unit.code: unit for unit in AdminUnit.objects.all()}


def make_user(username: str, role: Role, scope: AdminUnit | None = None, **extra) -> User:
    user = User(username=username, role=role, scope_unit=scope, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def admin_user(units):
    return make_user("root", Role.ADMINISTRATOR, None, is_staff=True, is_superuser=True)


@pytest.fixture
def region_officer(units):
    return make_user("region", Role.OFFICER, units["540000"])


@pytest.fixture
def county_officer(units):
    return make_user("namling", Role.OFFICER, units[NAMLING])


@pytest.fixture
def other_county_officer(units):
    return make_user("chengguan", Role.OFFICER, units[CHENGGUAN])


@pytest.fixture
def point_operator(units):
    return make_user("operator", Role.SITE_OPERATOR, units[f"{NAMLING}101201"])


@pytest.fixture
def market(units, admin_user):
    from villagelink.orders.tests.factories import build_market

    return build_market(units, admin_user)


def villagelink_env(data_dir: Path) -> dict[str, str]:
    """The environment for `python -m villagelink` in its own process, with its own data folder (its own SQLite
    file), never the test database."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["VILLAGELINK_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory) -> Path:
    """A data folder holding the demo as `villagelink demo --no-serve` sets it up, built once per session (it
    takes most of a minute). Never change it: give each user its own copy with `copy_demo_data`."""
    data_dir = tmp_path_factory.mktemp("demo-built")
    done = subprocess.run(
        [sys.executable, "-m", "villagelink", "demo", "--no-serve"],
        cwd=Path(__file__).resolve().parent,
        env=villagelink_env(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.fail(
            f"`villagelink demo --no-serve` failed (code {done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return data_dir


def copy_demo_data(demo_data: Path, to: Path) -> Path:
    """A copy of the session's demo data folder at `to`, free to change."""
    shutil.copytree(demo_data, to, dirs_exist_ok=True)
    return to


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached pages and throttles from one test must not leak into the next."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request in one test activates its reader's language in this thread; the next test starts in the
    default one."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
