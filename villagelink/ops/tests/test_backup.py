"""Backups that restore: a backup of a small but real database (units, a market, a completed storefront sale, an
assisted sale at a village point, a product photo) restored into a new database (SQLite: a new file; PostgreSQL: a new
database) by the real commands in their own process, then its row counts, facts and figures checked; and every
refusal said plainly, with nothing written."""

import datetime
import io
import json
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from PIL import Image

from conftest import make_user, villagelink_env
from villagelink.accounts.models import Role
from villagelink.catalog.services import product_add_photo
from villagelink.desk.services import assisted_sale_record
from villagelink.network.models import SiteKind
from villagelink.network.services import SiteData, site_open, site_operator_assign
from villagelink.ops import backup
from villagelink.orders.models import Order
from villagelink.orders.services import order_complete, order_deliver, order_ship
from villagelink.orders.tests.factories import place

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db(transaction=True)  # committed data: another process reads it


@pytest.fixture
def scene(market, units, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    picture = io.BytesIO()
    Image.new("RGB", (400, 300), (90, 60, 20)).save(picture, format="JPEG")
    photo = product_add_photo(by=admin_user, product=market.butter, data=picture.getvalue())
    (order,) = place((market.butter, 2)).orders
    order_ship(by=market.seller, order=order, carrier="EMS", tracking_number="EA123456789CN")
    order_deliver(by=market.seller, order=order)
    order_complete(by=market.seller, order=order)
    village = units["540221101201"]
    site = site_open(
        by=admin_user,
        kind=SiteKind.VILLAGE_POINT,
        unit=village,
        data=SiteData(name="Namling point", opened_on=datetime.date(2016, 1, 1)),
    )
    operator = make_user("point-operator-b", Role.SITE_OPERATOR, village)
    site_operator_assign(by=admin_user, site=site, user=operator)
    operator.refresh_from_db()
    assisted_sale_record(
        by=operator, site=site, platform="taobao", description="Butter", category="dairy", quantity=2,
        amount_fen=30000, household=market.household, day=datetime.date(2019, 6, 10),
    )  # fmt: skip
    return photo


def _kpis() -> dict:
    out = io.StringIO()
    call_command(
        "kpis", "--unit", "540221", "--start", "2015-01-01", "--end", "2030-12-31", "--json", stdout=out
    )
    return json.loads(out.getvalue())


def _backup(directory: Path) -> Path:
    out = io.StringIO()
    call_command("backup", str(directory), stdout=out)
    assert out.getvalue().startswith("Backup written: ")
    (archive,) = directory.glob("villagelink-*.tar")
    return archive


@pytest.fixture
def fresh_target(tmp_path, settings):
    """The environment of `villagelink` in its own process with an empty database (SQLite: a new data folder;
    PostgreSQL: a new database on the same server, dropped afterwards) and the same keys as this process."""
    env = villagelink_env(tmp_path / "restored") | {
        "SECRET_KEY": settings.SECRET_KEY,
        "VILLAGELINK_ENCRYPTION_KEYS": ",".join(settings.VILLAGELINK_ENCRYPTION_KEYS),
        "VILLAGELINK_LOOKUP_KEY": settings.VILLAGELINK_LOOKUP_KEY,
    }
    if connection.vendor != "postgresql":
        yield env
        return
    name = f"vl_restore_{uuid.uuid4().hex[:12]}"
    db = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    )
    yield env
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def villagelink(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "villagelink", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_backup_restores_into_a_new_database_with_its_counts_facts_and_figures(
    scene, tmp_path, fresh_target
):
    figures = _kpis()
    assert figures["online_sales"] not in (None, "0.00")  # the scene's sales count
    archive = _backup(tmp_path / "backups")
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert f"media/{scene.image.name}" in tar.getnames()
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["tables"]["orders_order"] == Order.objects.count() == 2
    assert "0001_initial" in manifest["migrations"]["orders"]
    assert set(manifest["files"]) == {manifest["database"]["file"], f"media/{scene.image.name}"}

    restored = villagelink(fresh_target, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert (
        f"{sum(manifest['tables'].values())} rows (as the manifest counts), 1 media files" in restored.stdout
    )

    verified = villagelink(fresh_target, "rebuild-facts", "--verify")
    assert verified.returncode == 0 and "The facts agree with the records." in verified.stdout, (
        verified.stderr
    )
    kpis = villagelink(
        fresh_target, "kpis", "--unit", "540221", "--start", "2015-01-01", "--end", "2030-12-31", "--json"
    )
    assert json.loads(kpis.stdout) == figures
    photo = tmp_path / "restored" / "media" / scene.image.name
    assert photo.read_bytes() == (tmp_path / "media" / scene.image.name).read_bytes()


def test_a_damaged_or_foreign_archive_is_refused_and_nothing_is_written(scene, tmp_path, fresh_target):
    archive = _backup(tmp_path / "backups")
    data = bytearray(archive.read_bytes())
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as tar:
        at = tar.getmember(backup.DUMP_NAMES[connection.vendor]).offset_data + 100
    damaged.write_bytes(data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :])  # one bit of the database
    cut = tmp_path / "cut.tar"
    cut.write_bytes(data[: len(data) // 2])
    foreign = tmp_path / "notes.tar"
    foreign.write_bytes(b"these are not the droids\n" * 100)

    for path, message in [
        (damaged, "damaged.tar is damaged: database."),
        (cut, "cut.tar is damaged"),
        (foreign, "notes.tar is not a VillageLink backup"),
        (tmp_path / "absent.tar", "absent.tar: no such file."),
    ]:
        refused = villagelink(fresh_target, "restore", str(path))
        assert refused.returncode == 1 and message in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr

    other_keys = fresh_target | {
        "SECRET_KEY": "another",
        "VILLAGELINK_ENCRYPTION_KEYS": "",
        "VILLAGELINK_LOOKUP_KEY": "",
    }
    refused = villagelink(other_keys, "restore", str(archive))
    assert refused.returncode == 1 and "made with other keys for personal data" in refused.stderr

    # Nothing was left behind: the good archive still restores into the same target.
    assert not (tmp_path / "restored" / "media").exists()
    restored = villagelink(fresh_target, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr


def test_restore_refuses_a_database_that_holds_data(scene, tmp_path):
    archive = _backup(tmp_path / "backups")
    orders = Order.objects.count()
    with pytest.raises(
        CommandError, match=r"already holds \d+ tables: a backup is restored only into an empty"
    ):
        call_command("restore", str(archive))
    assert Order.objects.count() == orders


def test_a_missing_pg_dump_is_said_plainly(monkeypatch):
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    monkeypatch.setattr(backup.Path, "glob", lambda self, pattern: iter(()))
    with pytest.raises(
        backup.BackupError, match="pg_dump was not found: install PostgreSQL's client programs"
    ):
        backup._pg_tool("pg_dump")


def test_keep_leaves_the_newest_backups(units, tmp_path, monkeypatch):
    moments = iter(datetime.datetime(2026, 1, day, 2, 0, tzinfo=datetime.UTC) for day in (1, 2, 3))
    monkeypatch.setattr(backup.timezone, "now", lambda: next(moments))
    for _ in range(3):
        call_command("backup", str(tmp_path), "--keep", "2", stdout=io.StringIO())
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "villagelink-20260102T020000Z.tar",
        "villagelink-20260103T020000Z.tar",
    ]
