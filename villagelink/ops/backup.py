"""Backups that restore: one uncompressed .tar holding the database (PostgreSQL: `pg_dump --format=custom`,
already compressed; SQLite: a copy made with SQLite's online backup API), the media folder and, last, a
manifest.json (when, the database's vendor, its applied migrations, the rows of every table, the sha256 and size
of every file, and fingerprints of the keys that personal data is encrypted with).

One file rather than a folder: it is written beside its final name and renamed when complete, so a backup is
either whole or absent, and it is one thing to copy off the machine. Not compressed: the dump is compressed
already and the photos are JPEG; members are read straight from the archive on restore.

A restore goes only into an empty database (no table at all) and an empty media folder, never over data; it reads
the manifest, checks the keys, then checks every member's checksum while unpacking into a staging folder before
anything is written, and counts the rows of every table against the manifest afterwards. The encryption keys are
not in the archive: restore with the keys of the system the backup came from.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

FORMAT = "villagelink-backup/1"
MANIFEST = "manifest.json"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
SKIPPED_MEDIA = {"sized"}  # resized copies of product photos, made again on demand
BLOCK = 1024 * 1024


class BackupError(Exception):
    """What was wrong, said so that the operator knows what to do; nothing has been left half-written."""


@dataclass
class Made:
    path: Path
    bytes: int
    tables: int
    rows: int
    files: int
    seconds: float


@dataclass
class Restored:
    tables: int
    rows: int
    files: int
    seconds: float
    pending_migrations: list[str] = field(default_factory=list)


# ---- reading the database ------------------------------------------------------------------------------------


def _tables(cursor: Any, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "ORDER BY name"
        )
    else:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
    return [row[0] for row in cursor.fetchall()]


def _counts(cursor: Any, vendor: str) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor, vendor):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608  (a table name the database gave)
        counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(cursor: Any) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def _fingerprint(key: str) -> str:
    return hashlib.sha256(f"villagelink-backup-key:{key}".encode()).hexdigest()[:16]


def _keys() -> dict[str, Any]:
    return {
        "encryption": sorted({_fingerprint(k) for k in settings.VILLAGELINK_ENCRYPTION_KEYS}),
        "lookup": _fingerprint(settings.VILLAGELINK_LOOKUP_KEY),
    }


# ---- PostgreSQL's tools ----------------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    installed = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3].split(".")[0])
    )
    if installed:
        return str(installed[-1])
    raise BackupError(
        f"{name} was not found: install PostgreSQL's client programs (Debian: apt-get install "
        f"postgresql-client) or put {name} on the PATH."
    )


def _pg_run(name: str, *args: str | Path) -> None:
    db = connection.settings_dict
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGSSLMODE", db.get("OPTIONS", {}).get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    done = subprocess.run(
        [_pg_tool(name), *map(str, args), "--dbname", db["NAME"]], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise BackupError(f"{name} failed (exit {done.returncode}): {done.stderr.strip()[-800:]}")


# ---- backup ------------------------------------------------------------------------------------------------------


def _dump_sqlite(target: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)  # a consistent copy while others keep writing
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        cursor = copy.cursor()
        return _counts(cursor, "sqlite"), _migrations(cursor)
    finally:
        copy.close()


def _dump_postgres(target: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """pg_dump reads the snapshot this transaction exports, so the counts are those of the dump exactly."""
    if connection.in_atomic_block:
        raise BackupError("A backup cannot be taken inside a transaction.")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _pg_run("pg_dump", "--format=custom", f"--snapshot={snapshot}", "--no-owner", "--file", target)
        return _counts(cursor, "postgresql"), _migrations(cursor)


class _Hashing:
    """Reads a file for tarfile while hashing what it reads."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file, self.digest, self.size = file, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _add(archive: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    info = archive.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    with path.open("rb") as file:
        reader = _Hashing(file)
        archive.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "bytes": reader.size}


def _media_files(root: Path) -> list[tuple[Path, str]]:
    if not root.is_dir():
        return []
    return [
        (path, path.relative_to(root).as_posix())
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).parts[0] not in SKIPPED_MEDIA
    ]


def backup_make(*, directory: Path, keep: int | None = None) -> Made:
    """Writes villagelink-<UTC time>.tar into `directory`; with `keep`, then removes all but the newest `keep`
    backups there."""
    began = time.perf_counter()
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"Backups of a {vendor} database are not supported (PostgreSQL and SQLite are).")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"Cannot write to {directory}: {error.strerror}.") from error
    moment = timezone.now()
    target = directory / f"villagelink-{moment:%Y%m%dT%H%M%SZ}.tar"
    if target.exists():
        raise BackupError(f"{target} exists already: wait a second and take the backup again.")
    partial = directory / f".{target.name}.partial"
    with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as staging:
        dump = Path(staging) / DUMP_NAMES[vendor]
        counts, migrations = (_dump_sqlite if vendor == "sqlite" else _dump_postgres)(dump)
        if "django_migrations" not in counts:
            raise BackupError("The database holds no VillageLink data (run `villagelink migrate` first).")
        try:
            old_umask = os.umask(0o077)  # the archive holds personal data: for its owner only
            try:
                with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
                    files = {dump.name: _add(archive, dump, dump.name)}
                    media = _media_files(Path(settings.MEDIA_ROOT))
                    for path, relative in media:
                        files[f"media/{relative}"] = _add(archive, path, f"media/{relative}")
                    manifest = {
                        "format": FORMAT,
                        "created_at": moment.isoformat(),
                        "database": {"vendor": vendor, "file": dump.name},
                        "migrations": migrations,
                        "tables": counts,
                        "files": files,
                        "keys": _keys(),
                    }
                    data = json.dumps(manifest, indent=1, sort_keys=True).encode()
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mtime, info.mode = len(data), int(moment.timestamp()), 0o600
                    archive.addfile(info, io.BytesIO(data))
                with partial.open("rb") as written:
                    os.fsync(written.fileno())
            finally:
                os.umask(old_umask)
            partial.replace(target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    if keep:
        for old in sorted(directory.glob("villagelink-*.tar"))[:-keep]:
            old.unlink()
    return Made(
        path=target,
        bytes=target.stat().st_size,
        tables=len(counts),
        rows=sum(counts.values()),
        files=len(media),
        seconds=time.perf_counter() - began,
    )


# ---- restore -----------------------------------------------------------------------------------------------------


def _read_manifest(archive: tarfile.TarFile, name: str) -> dict[str, Any]:
    try:
        member = archive.getmember(MANIFEST)
        file = archive.extractfile(member)
        manifest = json.loads(file.read()) if file else None
    except KeyError:
        raise BackupError(f"{name} is not a VillageLink backup: it holds no {MANIFEST}.") from None
    except (tarfile.TarError, OSError, ValueError) as error:
        raise BackupError(f"{name} is damaged: its manifest cannot be read ({error}).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{name} is not a VillageLink backup of a format this version reads ({FORMAT}).")
    return manifest


def _require_keys(manifest: dict[str, Any]) -> None:
    ours, theirs = _keys(), manifest.get("keys", {})
    if theirs.get("lookup") != ours["lookup"] or not set(theirs.get("encryption", [])) <= set(
        ours["encryption"]
    ):
        raise BackupError(
            "This backup was made with other keys for personal data: its ID and phone numbers could not be read. "
            "Set VILLAGELINK_ENCRYPTION_KEYS and VILLAGELINK_LOOKUP_KEY (in development: SECRET_KEY, or the data "
            "folder's secret_key file) to those of the system the backup came from, then restore again. Nothing "
            "was restored."
        )


def _require_empty_target(vendor: str) -> None:
    with connection.cursor() as cursor:
        tables = _tables(cursor, vendor)
    if tables:
        where = connection.settings_dict["NAME"]
        raise BackupError(
            f"The database {where} already holds {len(tables)} tables: a backup is restored only into an empty "
            "database, never over data. Create a new one (PostgreSQL: createdb; SQLite: a new data folder or "
            "DATABASE_URL), point DATABASE_URL at it and restore again. Nothing was restored."
        )
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(path.is_file() for path in media.rglob("*")):
        raise BackupError(
            f"The media folder {media} already holds files: restore into an empty data folder. Nothing was "
            "restored."
        )


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and bool(path.parts)


def _unpack_checked(archive: tarfile.TarFile, manifest: dict[str, Any], staging: Path, name: str) -> None:
    """Every member into `staging`, each hashed as it is written; any difference from the manifest refuses the
    archive before anything outside `staging` is touched."""
    expected: dict[str, dict[str, Any]] = manifest.get("files", {})
    seen = set()
    try:
        for member in archive:
            if member.name == MANIFEST:
                continue
            if member.name not in expected or not member.isfile() or not _safe(member.name):
                raise BackupError(f"{name} holds {member.name!r}, which its manifest does not list.")
            source = archive.extractfile(member)
            assert source is not None
            target = staging / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest, size = hashlib.sha256(), 0
            with target.open("wb") as out:
                while block := source.read(BLOCK):
                    digest.update(block)
                    size += len(block)
                    out.write(block)
            wanted = expected[member.name]
            if digest.hexdigest() != wanted.get("sha256") or size != wanted.get("bytes"):
                raise BackupError(
                    f"{name} is damaged: {member.name} does not match its checksum. Nothing was restored; "
                    "use another copy of the backup."
                )
            seen.add(member.name)
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{name} is damaged or cut short ({error}). Nothing was restored.") from error
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{name} is incomplete: {', '.join(missing[:5])} missing. Nothing was restored.")


def _load_sqlite(dump: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _pending_migrations() -> list[str]:
    """Migrations of this code that the restored data has not had (an older backup): `villagelink migrate`."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"{path.name} is not a VillageLink backup (not a tar archive: {error}).") from error


def backup_restore(*, path: Path) -> Restored:
    began = time.perf_counter()
    vendor = connection.vendor
    name = path.name
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    with _open(path) as archive:
        manifest = _read_manifest(archive, name)
        if manifest["database"]["vendor"] != vendor:
            raise BackupError(
                f"{name} holds a {manifest['database']['vendor']} database; this system runs on {vendor}. "
                "Restore it into a database of the same kind."
            )
        _require_keys(manifest)
        if vendor == "sqlite":  # a new data folder: SQLite makes the file, not its folder
            Path(connection.settings_dict["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        _require_empty_target(vendor)
        media = Path(settings.MEDIA_ROOT)
        media.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=media.parent, prefix=".restore-") as staging:
            _unpack_checked(archive, manifest, Path(staging), name)
            dump = Path(staging) / manifest["database"]["file"]
            if vendor == "sqlite":
                _load_sqlite(dump)
            else:  # one transaction: all of it, or nothing
                _pg_run("pg_restore", "--exit-on-error", "--single-transaction", "--no-owner", dump)
            unpacked = Path(staging) / "media"
            if unpacked.is_dir():
                if media.is_dir():
                    shutil.rmtree(media)  # empty: checked above
                unpacked.rename(media)
    connection.close()
    with connection.cursor() as cursor:
        counts = _counts(cursor, vendor)
    expected = manifest["tables"]
    differ = [
        f"{table}: {expected.get(table, 'absent')} in the manifest, {counts.get(table, 'absent')} restored"
        for table in sorted(set(expected) | set(counts))
        if expected.get(table) != counts.get(table)
    ]
    if differ:
        raise BackupError("The restored database differs from the manifest: " + "; ".join(differ[:10]))
    return Restored(
        tables=len(counts),
        rows=sum(counts.values()),
        files=len(manifest["files"]) - 1,
        seconds=time.perf_counter() - began,
        pending_migrations=_pending_migrations(),
    )
