"""Preview and commit of platform order reports: the entry points, and the clean-up of what nobody will
commit. The preview streams the stored file in chunks (`scanning`) and writes only the batch's counts,
rejected rows and checked rows (`staging`), never orders; the commit writes the checked rows as orders in
one transaction, in a few statements (`writing`), and is idempotent: the same report again changes nothing.
A large file is checked and committed in the background (`tasks.run_batch`).

- `matching`: our shop and our order status for a row;
- `scanning`: the check, one pass over a stored report, a chunk at a time;
- `staging`: the checked rows a batch's commit writes; `writing`: the commit, from them;
- `storage`: the uploaded files; `progress`: how far a running batch has got; `errors`: `ImportError_`.
"""

import datetime
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villagelink.accounts.models import Role, User
from villagelink.accounts.permissions import can_work_in_registry
from villagelink.catalog.models import Shop
from villagelink.core.exceptions import ApplicationError, ErrorCode
from villagelink.core.scope import in_scope, is_administrator, scope_unit_of
from villagelink.geo.models import LEVEL_PATH_WIDTH, Level

from . import parsing, staging
from .errors import ImportError_
from .models import FIELDS, BatchAction, BatchStatus, ImportBatch, ImportProfile, OfficeWord, Outcome
from .progress import _progress_clear, progress_of
from .scanning import Counts, _scan
from .storage import _media_dir, _store, discard_file
from .vocabulary import AFTER_NONE, AFTER_REFUNDED
from .writing import staged_commit

logger = logging.getLogger(__name__)

__all__ = [
    "STALE_DAYS",
    "Discarded",
    "ImportError_",
    "batch_run",
    "can_give_words",
    "can_import",
    "discard_file",
    "import_commit",
    "import_preview",
    "import_recheck",
    "imports_discard_stale",
    "office_word_give",
    "profiles_ensure",
    "progress_of",
]


def can_import(user) -> bool:
    return can_work_in_registry(user)


def _require(by: User) -> None:
    if not can_import(by):
        raise ImportError_(
            _("Only administrators, officers and site operators import order reports."),
            code=ErrorCode.FORBIDDEN,
        )


def _checked(batch: ImportBatch, counts: Counts) -> None:
    """A batch whose file was checked: what the check found."""
    batch.created, batch.updated, batch.unchanged = counts.created, counts.updated, counts.unchanged
    batch.rejected, batch.rows_done, batch.rows_total = counts.rejected, counts.rows, counts.rows
    batch.older = counts.older
    batch.status, batch.error = BatchStatus.PREVIEWED, ""
    batch.save()
    _progress_clear(batch.pk)


def _committed(batch: ImportBatch) -> None:
    """A batch whose checked rows were written: its counts stay those of its check."""
    batch.status, batch.error, batch.rows_done = BatchStatus.COMMITTED, "", batch.rows_total
    batch.committed_at = timezone.now()
    batch.save()
    _progress_clear(batch.pk)


def import_preview(
    *,
    by: User,
    data: bytes | BinaryIO,
    filename: str,
    platform: str | None = None,
    shop: Shop | None = None,
    background: bool = True,
) -> ImportBatch:
    """Checks every row of a report against our shops and orders; writes the batch, its counts and rejected
    rows, never orders. A large file is checked in the background (the batch is returned running). `data`: the
    file's bytes, or the file open for reading in binary (an upload): it is then copied and read a block at a
    time, never held whole."""
    _require(by)
    if platform and platform not in {"taobao", "jd", "pinduoduo", "other"}:
        raise ImportError_(_("Choose Taobao / Tmall, JD, Pinduoduo or a generic sheet."))
    if shop is not None and not in_scope(by, shop.unit.path):
        raise ImportError_(_("That shop lies outside your area."), code=ErrorCode.NOT_FOUND)
    file = parsing.binary(data)
    parsing.check_size(parsing.size_of(file))
    estimate = parsing.count_rows(file, filename)
    unit = scope_unit_of(by)
    batch = ImportBatch(
        uploaded_by=by,
        scope_path=unit.path if unit is not None else "",
        platform=platform or "",
        file_name=Path(filename).name[:200] or "report",
        default_shop=shop,
        status=BatchStatus.RUNNING,
        action=BatchAction.PREVIEW,
        rows_total=max(estimate - 1, 0),
    )
    if background and estimate > parsing.limit("BACKGROUND_ROWS"):
        batch.file_path = _store(file, filename)
        batch.save()
        from .tasks import run_batch

        run_batch.enqueue(batch.pk)
        batch.refresh_from_db()
        return batch
    batch.file_path = _store(file, filename)
    try:
        with transaction.atomic():
            batch.save()
            counts = _scan(batch, by)
            _checked(batch, counts)
    except Exception:  # the batch was rolled back with everything else: its file goes too
        discard_file(batch)
        raise
    return batch


def import_commit(*, by: User, batch: ImportBatch, background: bool = True) -> ImportBatch:
    """Writes all valid rows of a previewed batch as orders, all or nothing. A large batch is committed in
    the background (the batch is returned running)."""
    _require(by)
    if not in_scope(by, batch.scope_path):
        raise ImportError_(_("No such import."), code=ErrorCode.NOT_FOUND)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != BatchStatus.PREVIEWED:
            raise ImportError_(
                _("This import is %(status)s; only a checked import can be committed.")
                % {"status": locked.get_status_display().lower()},
                code=ErrorCode.CONFLICT,
            )
        locked.status, locked.action, locked.rows_done = BatchStatus.RUNNING, BatchAction.COMMIT, 0
        locked.save(update_fields=["status", "action", "rows_done"])
    if background and locked.rows_total > parsing.limit("BACKGROUND_ROWS"):
        from .tasks import run_batch

        run_batch.enqueue(locked.pk)
        locked.refresh_from_db()
        return locked
    _run_commit(locked, by)
    return locked


def _run_commit(batch: ImportBatch, by: User) -> None:
    try:
        with transaction.atomic():
            staged_commit(batch, by)
            _committed(batch)
    except IntegrityError as exc:
        _back_to_previewed(batch)
        raise ImportError_(
            _(
                "Some of these orders were imported by someone else meanwhile. Nothing was written; check again."
            ),
            code=ErrorCode.CONFLICT,
        ) from exc
    except Exception:  # a refusal or a fault: nothing was written, the batch can be committed again
        _back_to_previewed(batch)
        raise
    discard_file(batch)


def import_recheck(*, by: User, batch: ImportBatch, background: bool = True) -> ImportBatch:
    """Checks a checked batch's stored file again (after the office gave meanings to its unknown words):
    its counts, summary and rejected rows are replaced; nothing is written to orders."""
    _require(by)
    if not in_scope(by, batch.scope_path):
        raise ImportError_(_("No such import."), code=ErrorCode.NOT_FOUND)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != BatchStatus.PREVIEWED or not locked.file_path:
            raise ImportError_(
                _("This import is %(status)s; only a checked import can be checked again.")
                % {"status": locked.get_status_display().lower()},
                code=ErrorCode.CONFLICT,
            )
        locked.status, locked.action, locked.rows_done = BatchStatus.RUNNING, BatchAction.PREVIEW, 0
        locked.save(update_fields=["status", "action", "rows_done"])
    if background and locked.rows_total > parsing.limit("BACKGROUND_ROWS"):
        from .tasks import run_batch

        run_batch.enqueue(locked.pk)
        locked.refresh_from_db()
        return locked
    try:
        with transaction.atomic():
            counts = _scan(locked, by)
            _checked(locked, counts)
    except Exception:
        _back_to_previewed(locked)
        raise
    return locked


# What an office may say a word means, by kind of word.
MEANINGS: dict[str, tuple[str, ...]] = {
    OfficeWord.Kind.STATUS: tuple(Outcome.values),
    OfficeWord.Kind.AFTER_SALE: (AFTER_NONE, AFTER_REFUNDED),
    OfficeWord.Kind.COLUMN: FIELDS,
}


def can_give_words(user) -> bool:
    """Officers of a county or above (and administrators) give meanings to platforms' words for their area."""
    if is_administrator(user):
        return True
    unit = scope_unit_of(user)
    return (
        getattr(user, "role", None) == Role.OFFICER
        and unit is not None
        and len(unit.path) <= LEVEL_PATH_WIDTH[Level.COUNTY]
    )


def office_word_give(*, by: User, batch: ImportBatch, kind: str, word: str, meaning: str) -> OfficeWord:
    """Gives a word the batch's report uses and the import did not know (a status seen in a refused row, or a
    column heading no field was read from) its meaning on the batch's platform, for the giver's whole area;
    a meaning given earlier by the same office is replaced. Audited (auditlog)."""
    if not can_give_words(by):
        raise ImportError_(
            _("Only officers of a county or above give meanings to the words of platforms' reports."),
            code=ErrorCode.FORBIDDEN,
        )
    if not in_scope(by, batch.scope_path):
        raise ImportError_(_("No such import."), code=ErrorCode.NOT_FOUND)
    if meaning not in MEANINGS.get(kind, ()):
        raise ImportError_(_("Choose what the word means."))
    seen = (
        word in (batch.summary or {}).get("unused", [])
        if kind == OfficeWord.Kind.COLUMN
        else batch.rejections.filter(unknown_kind=kind, unknown=word).exists()
    )
    if not word or not seen:
        raise ImportError_(_("This report does not use that word where the import could not read it."))
    unit = scope_unit_of(by)
    scope_path = unit.path if unit is not None else ""
    with transaction.atomic():
        given = OfficeWord.objects.filter(
            scope_path=scope_path, platform=batch.platform, kind=kind, word=word
        ).first() or OfficeWord(scope_path=scope_path, platform=batch.platform, kind=kind, word=word)
        given.meaning, given.created_by = meaning, by
        given.save()
    return given


def _back_to_previewed(batch: ImportBatch) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.PREVIEWED)
    batch.status = BatchStatus.PREVIEWED
    _progress_clear(batch.pk)


def batch_run(*, batch_id: int) -> None:
    """The background work of a running batch (see tasks.run_batch). Whatever happens, the batch does not stay
    "running": a check that fails leaves it failed, a commit that fails leaves it checked (nothing written)."""
    batch = ImportBatch.objects.select_related("uploaded_by", "default_shop").get(pk=batch_id)
    if batch.status != BatchStatus.RUNNING:
        return
    by = batch.uploaded_by
    try:
        if by is None:
            raise ImportError_(_("The person who uploaded this report no longer has an account."))
        if batch.action == BatchAction.COMMIT:
            _run_commit(batch, by)
        else:
            with transaction.atomic():
                counts = _scan(batch, by)
                _checked(batch, counts)
    except ApplicationError as error:
        _stopped(batch, error.message)
    except Exception:
        logger.exception("Import batch %s stopped on an unexpected error", batch.pk)
        _stopped(batch, _("The import stopped on an unexpected error; nothing was written. Try it again."))


def _stopped(batch: ImportBatch, message: str) -> None:
    failed = BatchStatus.PREVIEWED if batch.action == BatchAction.COMMIT else BatchStatus.FAILED
    ImportBatch.objects.filter(pk=batch.pk).update(status=failed, error=message[:500])
    _progress_clear(batch.pk)
    if failed == BatchStatus.FAILED:
        discard_file(batch)


@dataclass
class Discarded:
    expired: int = 0
    failed: int = 0
    files: int = 0


STALE_DAYS = 7


def imports_discard_stale(*, days: int = STALE_DAYS) -> Discarded:
    """Uploaded files are kept only until their batch is committed. This lets go of what nobody will commit:
    checked batches older than `days` expire and lose their file and checked rows (`staging`); batches still
    "running" after that long (their worker was stopped) fail; files no batch refers to (left by a crash between storing the upload
    and saving its batch) are removed once a day old."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    done = Discarded()
    stale = ImportBatch.objects.filter(created_at__lt=cutoff)
    for batch in stale.filter(status__in=[BatchStatus.PREVIEWED, BatchStatus.RUNNING]):
        expired = batch.status == BatchStatus.PREVIEWED
        outcome, error = (
            (BatchStatus.EXPIRED, "")
            if expired
            else (BatchStatus.FAILED, _("The run did not finish; upload the report again."))
        )
        if not ImportBatch.objects.filter(pk=batch.pk, status=batch.status).update(
            status=outcome, error=error, file_path=""
        ):
            continue  # committed meanwhile
        done.expired += expired
        done.failed += not expired
        discard_file(batch)
        _progress_clear(batch.pk)
    live = set(
        ImportBatch.objects.filter(status__in=[BatchStatus.PREVIEWED, BatchStatus.RUNNING]).values_list(
            "pk", flat=True
        )
    )
    for batch_id in set(staging.left_behind()) - live:  # the checked rows of batches that will not commit
        staging.drop(batch_id)
    directory = _media_dir()
    if directory.is_dir():
        kept = set(ImportBatch.objects.exclude(file_path="").values_list("file_path", flat=True))
        day_ago = (timezone.now() - datetime.timedelta(days=1)).timestamp()
        for file in directory.iterdir():
            if file.is_file() and file.name not in kept and file.stat().st_mtime < day_ago:
                file.unlink(missing_ok=True)
                done.files += 1
    return done


def profiles_ensure() -> int:
    """Puts back the default profile of any platform that has none (e.g. after `flush`, which empties what the
    data migration wrote); an edited profile is left as it is. Returns how many were created."""
    import importlib

    defaults = importlib.import_module("villagelink.imports.migrations.0002_default_profiles").PROFILES
    upgraded = importlib.import_module("villagelink.imports.migrations.0005_platform_vocabularies").upgraded
    with_buyer = importlib.import_module("villagelink.imports.migrations.0009_buyer_column").with_buyer
    created = 0
    for platform, name, columns, statuses in defaults:
        columns, statuses = upgraded(platform, columns, statuses)
        columns = with_buyer(platform, columns)
        _profile, made = ImportProfile.objects.get_or_create(
            platform=platform, defaults={"name": name, "columns": columns, "statuses": statuses}
        )
        created += made
    return created
