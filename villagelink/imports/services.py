"""Preview and commit of platform order reports. Both stream the stored file in chunks: the preview writes
only the batch's counts and rejected rows; the commit writes all valid rows as orders in one transaction,
with raw bulk statements (executemany), and is idempotent: the same report again changes nothing."""

import datetime
import logging
import shutil
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.accounts.permissions import can_work_in_registry
from villagelink.catalog.models import Platform, Shop
from villagelink.core.dates import region_zone
from villagelink.core.exceptions import ApplicationError, ErrorCode
from villagelink.core.scope import in_scope, scope_unit_of, scoped
from villagelink.orders.bulk import orders_insert, rows_insert, table_insert
from villagelink.orders.facts import facts_add_orders, facts_follow
from villagelink.orders.models import (
    Channel,
    IncomeShare,
    Kind,
    Order,
    OrderEvent,
    OrderLine,
    PaymentMethod,
    Status,
)
from villagelink.orders.services import income_recompute, income_split, poor_beneficiaries

from . import parsing
from .models import BatchAction, BatchStatus, ImportBatch, ImportProfile, ImportRejection, Outcome

logger = logging.getLogger(__name__)
CHUNK = 2000


class ImportError_(ApplicationError):
    pass


def can_import(user) -> bool:
    return can_work_in_registry(user)


def _require(by: User) -> None:
    if not can_import(by):
        raise ImportError_(
            _("Only administrators, officers and site operators import order reports."),
            code=ErrorCode.FORBIDDEN,
        )


def _profiles(platform: str | None):
    profiles = ImportProfile.objects.all()
    if platform:
        profiles = profiles.filter(platform=platform)
        if not profiles.exists():
            raise ImportError_(_("There is no import profile for the platform “%(p)s”.") % {"p": platform})
    return list(profiles)


def _media_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _open(batch: ImportBatch) -> BinaryIO:
    try:
        return (_media_dir() / batch.file_path).open("rb")
    except OSError as exc:
        raise ImportError_(_("The uploaded file is no longer kept; upload it again.")) from exc


# ---------------------------------------------------------------------------------------------- matching


@dataclass
class Planned:
    row: parsing.ReportRow
    shop: Shop
    status: str
    refunded_fen: int


def _outcome(row: parsing.ReportRow) -> tuple[str, int]:
    """Our order status and refunded amount for a row."""
    total, refund = row.amount_fen, row.refund_fen
    if row.outcome == Outcome.REFUNDED:
        return Status.REFUNDED, refund or total
    if row.outcome == Outcome.CANCELLED:
        return (Status.REFUNDED, refund) if refund else (Status.CANCELLED, 0)
    if total and refund >= total:
        return Status.REFUNDED, total
    return (Status.COMPLETED if row.outcome == Outcome.COMPLETED else Status.PAID), refund


class _Matcher:
    """Finds our shop for a row: by its id, then its name, on the report's platform, in the uploader's area."""

    def __init__(self, by: User, platform: str, default_shop: Shop | None):
        self.platform = platform
        self.default_shop = default_shop
        self.keys: dict[str, Shop] = {}
        shops = list(
            Shop.objects.filter(platform=platform).select_related("unit", "household", "organisation")
        )
        for shop in sorted(shops, key=lambda shop: -shop.pk):  # the oldest shop of a name wins
            self.keys[shop.name.strip().lower()] = shop
        for shop in shops:
            if shop.external_id:
                self.keys[shop.external_id.strip().lower()] = shop
        self.in_scope = set(scoped(Shop.objects.filter(platform=platform), by).values_list("pk", flat=True))
        self.members: dict[int, list] = {}  # each organisation's households, for income (poor_beneficiaries)

    def shop(self, name: str) -> Shop:
        if not name:
            if self.default_shop is None:
                raise parsing.RowProblem(
                    _("the shop is missing: the report has no shop name; choose the shop")
                )
            return self.default_shop
        shop = self.keys.get(name.strip().lower())
        if shop is None:
            raise parsing.RowProblem(
                _("the shop “%(name)s” is not a known shop on %(platform)s")
                % {"name": name[:60], "platform": Platform(self.platform).label}
            )
        if shop.pk not in self.in_scope:
            raise parsing.RowProblem(_("the shop “%(name)s” lies outside your area") % {"name": name[:60]})
        return shop


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rows: int = 0


def _chunks(iterator: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(iterator, size)):
        yield chunk


def _progress_key(batch_id: int) -> str:
    return f"imports:progress:{batch_id}"


def _progress_clear(batch_id: int) -> None:
    caches["shared"].delete(_progress_key(batch_id))


def progress_of(batch: ImportBatch) -> int:
    """Rows done so far: kept in the shared cache while a batch runs (its transaction is not yet visible, and
    the worker that runs it is another process)."""
    if batch.status == BatchStatus.RUNNING:
        return caches["shared"].get(_progress_key(batch.pk), batch.rows_done)
    return batch.rows_done


class _SeenNumbers:
    """The order numbers accepted so far from the file, with their rows, for the "already on row N of this file"
    check: in a temporary table of this connection rather than in memory, which would grow with the file (a
    million order numbers take about 100 MB as a Python dict). Looked up and added to one chunk at a time."""

    def __init__(self):
        self.table = connection.ops.quote_name(f"import_seen_{uuid.uuid4().hex}")
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table} "
                "(external_id varchar(64) NOT NULL PRIMARY KEY, row_number integer NOT NULL)"
            )

    def rows_of(self, numbers: set[str]) -> dict[str, int]:
        if not numbers:
            return {}
        marks = ", ".join(["%s"] * len(numbers))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT external_id, row_number FROM {self.table} WHERE external_id IN ({marks})",  # noqa: S608
                list(numbers),
            )
            return dict(cursor.fetchall())

    def add(self, rows: dict[str, int]) -> None:
        table_insert(self.table, ["external_id", "row_number"], list(rows.items()))

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {self.table}")


def _scan(batch: ImportBatch, by: User, *, commit: bool) -> Counts:
    """Reads the stored file once, checks every row, and (when committing) writes the orders."""
    with _open(batch) as file, closing(parsing.raw_rows(file, batch.file_name)) as rows:
        layout = parsing.find_layout(rows, _profiles(batch.platform or None))
        batch.platform = layout.platform
        seen = _SeenNumbers()
        counts = _scan_rows(batch, by, rows, layout, seen, commit=commit)
        seen.drop()  # on an error, the rollback of the transaction drops it
    return counts


def _scan_rows(
    batch, by: User, rows, layout: parsing.Layout, seen: "_SeenNumbers", *, commit: bool
) -> Counts:
    matcher = _Matcher(by, layout.platform, batch.default_shop)
    counts = Counts()
    now = timezone.now()
    note = (_("Imported from %(file)s (batch %(batch)d)") % {"file": batch.file_name, "batch": batch.pk})[
        :300
    ]
    ImportRejection.objects.filter(batch=batch).delete()
    for chunk in _chunks(parsing.report_rows(rows, layout), CHUNK):
        rejections: list[ImportRejection] = []
        planned: list[Planned] = []
        earlier = seen.rows_of({row.external_id for _number, row in chunk if not isinstance(row, str)})
        accepted: dict[str, int] = {}  # in this chunk
        for number, row in chunk:
            try:
                if isinstance(row, str):
                    raise parsing.RowProblem(row)
                first = earlier.get(row.external_id) or accepted.get(row.external_id)
                if first is not None:
                    raise parsing.RowProblem(
                        _("the order number %(id)s is already on row %(row)d of this file")
                        % {"id": row.external_id, "row": first}
                    )
                shop = matcher.shop(row.shop)
                status, refunded = _outcome(row)
                accepted[row.external_id] = number
                planned.append(Planned(row, shop, status, refunded))
            except parsing.RowProblem as problem:
                rejections.append(ImportRejection(batch=batch, row=number, reason=problem.message[:300]))
        seen.add(accepted)
        existing = {
            values[0]: values
            for values in _orders_where(
                "external_id",
                [p.row.external_id for p in planned],
                ["external_id", "id", "shop_id", "status", "total_fen", "refunded_fen"],
                platform=layout.platform,
            )
        }
        new, changed = [], []
        for plan in planned:
            found = existing.get(plan.row.external_id)
            if found is None:
                new.append(plan)
                continue
            _id, pk, shop_id, status, total, refunded = found
            if shop_id != plan.shop.pk:
                rejections.append(
                    ImportRejection(
                        batch=batch,
                        row=plan.row.number,
                        reason=_("the order number %(id)s is already recorded for another shop")
                        % {"id": plan.row.external_id},
                    )
                )
            elif status == Status.REVERSED or (status, total, refunded) == (
                plan.status,
                plan.row.amount_fen,
                plan.refunded_fen,
            ):
                counts.unchanged += 1
            else:
                changed.append((pk, status, plan))
        counts.created += len(new)
        counts.updated += len(changed)
        counts.rejected += len(rejections)
        counts.rows += len(chunk)
        rejections.sort(key=lambda r: r.row)
        ImportRejection.objects.bulk_create(rejections, batch_size=1000)
        if commit:
            _insert(batch, by, new, now, note, matcher.members)
            _update(by, changed, now, note)
        caches["shared"].set(_progress_key(batch.pk), counts.rows, 3600)
    return counts


def _orders_where(column: str, values: list[str], columns: list[str], platform: str | None = None) -> list:
    """The `columns` of the orders whose `column` is one of `values` (a chunk's worth), in plain SQL: the ORM's
    preparation of thousands of parameters cost more than the query."""
    if not values:
        return []
    quote = connection.ops.quote_name
    where = f"{quote(column)} IN ({', '.join(['%s'] * len(values))})"
    params = list(values)
    if platform is not None:
        # The unique index on (platform, external_id) leaves out orders without an external id; SQLite uses
        # it only when the query repeats that condition (else it scans every order, once per chunk).
        where += f" AND {quote('platform')} = %s AND NOT ({quote('external_id')} = '')"
        params.append(platform)
    sql = "SELECT {} FROM {} WHERE {}".format(  # noqa: S608 - names from the model, quoted; values as parameters
        ", ".join(quote(c) for c in columns), quote(Order._meta.db_table), where
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The order fields an import fills, in the order of its rows; the others are blank (`orders.bulk`).
ORDER_FIELDS = (
    "number", "kind", "channel", "status", "shop_id", "unit_id", "platform", "external_id", "payment_method",
    "total_fen", "refunded_fen", "placed_at", "placed_on", "paid_at", "completed_on",
)  # fmt: skip


def _completed_on(plan: Planned, zone: ZoneInfo) -> datetime.date | None:
    if plan.status != Status.COMPLETED:
        return None
    return (plan.row.completed_at or plan.row.placed_at).astimezone(zone).date()


def _insert(batch: ImportBatch, by: User, plans: list[Planned], now, note: str, members: dict) -> None:
    if not plans:
        return
    numbers = {}
    rows = []
    zone = region_zone()
    for plan in plans:
        row = plan.row
        number = f"I{batch.pk}-{row.number}"
        numbers[number] = plan
        rows.append(
            (
                number,
                Kind.SALE,
                Channel.PLATFORM,
                plan.status,
                plan.shop.pk,
                plan.shop.unit_id,
                batch.platform,
                row.external_id,
                PaymentMethod.ONLINE,
                row.amount_fen,
                plan.refunded_fen,
                row.placed_at,
                row.placed_at.astimezone(zone).date(),
                None if plan.status == Status.CANCELLED else row.placed_at,
                _completed_on(plan, zone),
            )
        )
    orders_insert(ORDER_FIELDS, rows)
    ids = dict(_orders_where("number", list(numbers), ["number", "id"]))
    lines, events = [], []
    for number, plan in numbers.items():
        row = plan.row
        title = row.title or _("Order %(id)s") % {"id": row.external_id}
        lines.append(
            (ids[number], None, title[:200], row.quantity, row.amount_fen // row.quantity, row.amount_fen)
        )
        events.append((ids[number], plan.status, row.placed_at, by.pk, note))
    rows_insert(
        OrderLine,
        ["order_id", "product_id", "description", "quantity", "unit_price_fen", "amount_fen"],
        lines,
    )
    rows_insert(OrderEvent, ["order_id", "status", "at", "by_id", "note"], events)
    shares = _income_rows(ids, numbers, zone, members)
    rows_insert(IncomeShare, ["order_id", "household_id", "amount_fen", "day"], shares)
    facts_add_orders(ids.values())


def _income_rows(
    ids: dict[str, int], plans: dict[str, Planned], zone: ZoneInfo, members: dict
) -> list[tuple]:
    """The income shares of new orders (as `orders.services` records them for a completed sale), without
    loading the orders again: each row's shop, with its owner, is at hand; `members` caches organisations'
    households for the whole import."""
    rows = []
    for number, plan in plans.items():
        amount, day = plan.row.amount_fen - plan.refunded_fen, _completed_on(plan, zone)
        if day is None or amount <= 0:
            continue
        shop = plan.shop
        households = poor_beneficiaries(shop.household, shop.organisation, day.year, members)
        if households:
            rows += [(ids[number], h.pk, share, day) for h, share in income_split(amount, households)]
    return rows


def _update(by: User, changed: list[tuple[int, str, Planned]], now, note: str) -> None:
    if not changed:
        return
    quote = connection.ops.quote_name
    table = quote(Order._meta.db_table)
    assignments = ", ".join(
        f"{quote(c)} = %s" for c in ("status", "total_fen", "refunded_fen", "completed_on")
    )
    sql = f"UPDATE {table} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608 - model names, quoted
    ids = [pk for pk, _old, _plan in changed]
    zone = region_zone()
    with facts_follow(ids):
        with connection.cursor() as cursor:
            cursor.executemany(
                sql,
                [
                    (
                        plan.status,
                        plan.row.amount_fen,
                        plan.refunded_fen,
                        connection.ops.adapt_datefield_value(_completed_on(plan, zone)),
                        pk,
                    )
                    for pk, _old, plan in changed
                ],
            )
        income_recompute(ids)
    rows_insert(
        OrderEvent,
        ["order_id", "status", "at", "by_id", "note"],
        [(pk, plan.status, now, by.pk, note) for pk, old, plan in changed if old != plan.status],
    )


# ---------------------------------------------------------------------------------------------- entry points


def _store(file: BinaryIO, filename: str) -> str:
    """Copies the upload to the imports' media folder, a block at a time."""
    directory = _media_dir()
    directory.mkdir(parents=True, exist_ok=True)
    file.seek(0)
    suffix = ".xlsx" if parsing.is_xlsx(file.read(4), filename) else ".csv"
    file.seek(0)
    name = f"{uuid.uuid4().hex}{suffix}"
    with (directory / name).open("wb") as stored:
        shutil.copyfileobj(file, stored, parsing.BLOCK)
    return name


def discard_file(batch: ImportBatch) -> None:
    if batch.file_path:
        (_media_dir() / batch.file_path).unlink(missing_ok=True)


def _finish(batch: ImportBatch, counts: Counts, status: str) -> None:
    batch.created, batch.updated, batch.unchanged = counts.created, counts.updated, counts.unchanged
    batch.rejected, batch.rows_done, batch.rows_total = counts.rejected, counts.rows, counts.rows
    batch.status, batch.error = status, ""
    if status == BatchStatus.COMMITTED:
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
            counts = _scan(batch, by, commit=False)
            _finish(batch, counts, BatchStatus.PREVIEWED)
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
            counts = _scan(batch, by, commit=True)
            _finish(batch, counts, BatchStatus.COMMITTED)
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
                counts = _scan(batch, by, commit=False)
                _finish(batch, counts, BatchStatus.PREVIEWED)
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
    checked batches older than `days` expire and lose their file; batches still "running" after that long
    (their worker was stopped) fail; files no batch refers to (left by a crash between storing the upload
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
    created = 0
    for platform, name, columns, statuses in defaults:
        _profile, made = ImportProfile.objects.get_or_create(
            platform=platform, defaults={"name": name, "columns": columns, "statuses": statuses}
        )
        created += made
    return created
