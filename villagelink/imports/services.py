"""Preview and commit of platform order reports. Both stream the stored file in chunks: the preview writes
only the batch's counts and rejected rows; the commit writes all valid rows as orders in one transaction,
with raw bulk statements (executemany), and is idempotent: the same report again changes nothing."""

import datetime
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.accounts.permissions import can_work_in_registry
from villagelink.catalog.models import Platform, Shop
from villagelink.core.dates import region_day
from villagelink.core.exceptions import ApplicationError, ErrorCode
from villagelink.core.scope import in_scope, scope_unit_of, scoped
from villagelink.orders.models import Channel, Kind, Order, OrderEvent, OrderLine, PaymentMethod, Status

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


def _read(batch: ImportBatch) -> bytes:
    try:
        return (_media_dir() / batch.file_path).read_bytes()
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
        for shop in Shop.objects.filter(platform=platform).select_related("unit").order_by("-pk"):
            self.keys[shop.name.strip().lower()] = shop
        for shop in Shop.objects.filter(platform=platform).exclude(external_id="").select_related("unit"):
            self.keys[shop.external_id.strip().lower()] = shop
        self.in_scope = set(scoped(Shop.objects.filter(platform=platform), by).values_list("pk", flat=True))

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


def progress_of(batch: ImportBatch) -> int:
    """Rows done so far: kept in the cache while a batch runs (its transaction is not yet visible)."""
    if batch.status == BatchStatus.RUNNING:
        return cache.get(_progress_key(batch.pk), batch.rows_done)
    return batch.rows_done


def _scan(batch: ImportBatch, by: User, *, commit: bool) -> Counts:
    """Reads the stored file once, checks every row, and (when committing) writes the orders."""
    data = _read(batch)
    rows = parsing.raw_rows(data, batch.file_name)
    layout = parsing.find_layout(rows, _profiles(batch.platform or None))
    batch.platform = layout.platform
    matcher = _Matcher(by, layout.platform, batch.default_shop)
    seen: dict[str, int] = {}
    counts = Counts()
    now = timezone.now()
    note = (_("Imported from %(file)s (batch %(batch)d)") % {"file": batch.file_name, "batch": batch.pk})[
        :300
    ]
    ImportRejection.objects.filter(batch=batch).delete()
    for chunk in _chunks(parsing.report_rows(rows, layout), CHUNK):
        rejections: list[ImportRejection] = []
        planned: list[Planned] = []
        for number, row in chunk:
            try:
                if isinstance(row, str):
                    raise parsing.RowProblem(row)
                if row.external_id in seen:
                    raise parsing.RowProblem(
                        _("the order number %(id)s is already on row %(row)d of this file")
                        % {"id": row.external_id, "row": seen[row.external_id]}
                    )
                shop = matcher.shop(row.shop)
                status, refunded = _outcome(row)
                seen[row.external_id] = number
                planned.append(Planned(row, shop, status, refunded))
            except parsing.RowProblem as problem:
                rejections.append(ImportRejection(batch=batch, row=number, reason=problem.message[:300]))
        existing = {
            values[0]: values
            for values in Order.objects.filter(
                platform=layout.platform, external_id__in=[p.row.external_id for p in planned]
            ).values_list("external_id", "pk", "shop_id", "status", "total_fen", "refunded_fen")
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
            _insert(batch, by, new, now, note)
            _update(by, changed, now, note)
        cache.set(_progress_key(batch.pk), counts.rows, 3600)
    return counts


def _adapt(value):
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _executemany(model, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model, quoted
        quote(model._meta.db_table), ", ".join(quote(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(_adapt(v) for v in row) for row in rows])


ORDER_DEFAULTS = {
    "checkout_id": None,
    "site_id": None,
    "category": "",
    "household_id": None,
    "organisation_id": None,
    "service_fee_fen": 0,
    "local_price_fen": None,
    "buyer_id": None,
    "buyer_name": "",
    "phone_encrypted": "",
    "phone_last4": "",
    "address_encrypted": "",
    "note": "",
    "expires_at": None,
    "holds_stock": False,
    "carrier": "",
    "tracking_number": "",
    "handed_over_at_id": None,
    "cancel_reason": "",
}


def _completed_on(plan: Planned) -> datetime.date | None:
    if plan.status != Status.COMPLETED:
        return None
    return region_day(plan.row.completed_at or plan.row.placed_at)


def _insert(batch: ImportBatch, by: User, plans: list[Planned], now, note: str) -> None:
    if not plans:
        return
    fields = [f for f in Order._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    missing = {f.attname for f in fields} - set(ORDER_DEFAULTS) - {
        "number", "kind", "channel", "status", "shop_id", "unit_id", "platform", "external_id", "payment_method",
        "total_fen", "refunded_fen", "placed_at", "placed_on", "paid_at", "completed_on",
    }  # fmt: skip
    assert not missing, f"Order has new fields the import does not fill: {missing}"
    numbers = {}
    rows = []
    for plan in plans:
        row = plan.row
        number = f"I{batch.pk}-{row.number}"
        numbers[number] = plan
        values = {
            **ORDER_DEFAULTS,
            "number": number,
            "kind": Kind.SALE,
            "channel": Channel.PLATFORM,
            "status": plan.status,
            "shop_id": plan.shop.pk,
            "unit_id": plan.shop.unit_id,
            "platform": batch.platform,
            "external_id": row.external_id,
            "payment_method": PaymentMethod.ONLINE,
            "total_fen": row.amount_fen,
            "refunded_fen": plan.refunded_fen,
            "placed_at": row.placed_at,
            "placed_on": region_day(row.placed_at),
            "paid_at": None if plan.status == Status.CANCELLED else row.placed_at,
            "completed_on": _completed_on(plan),
        }
        rows.append(tuple(values[f.attname] for f in fields))
    _executemany(Order, columns, rows)
    ids = dict(Order.objects.filter(number__in=list(numbers)).values_list("number", "pk"))
    lines, events = [], []
    for number, plan in numbers.items():
        row = plan.row
        title = row.title or _("Order %(id)s") % {"id": row.external_id}
        lines.append(
            (ids[number], None, title[:200], row.quantity, row.amount_fen // row.quantity, row.amount_fen)
        )
        events.append((ids[number], plan.status, row.placed_at, by.pk, note))
    _executemany(
        OrderLine,
        ["order_id", "product_id", "description", "quantity", "unit_price_fen", "amount_fen"],
        lines,
    )
    _executemany(OrderEvent, ["order_id", "status", "at", "by_id", "note"], events)


def _update(by: User, changed: list[tuple[int, str, Planned]], now, note: str) -> None:
    if not changed:
        return
    quote = connection.ops.quote_name
    table = quote(Order._meta.db_table)
    assignments = ", ".join(
        f"{quote(c)} = %s" for c in ("status", "total_fen", "refunded_fen", "completed_on")
    )
    sql = f"UPDATE {table} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608 - model names, quoted
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                (plan.status, plan.row.amount_fen, plan.refunded_fen, _adapt(_completed_on(plan)), pk)
                for pk, _old, plan in changed
            ],
        )
    _executemany(
        OrderEvent,
        ["order_id", "status", "at", "by_id", "note"],
        [(pk, plan.status, now, by.pk, note) for pk, old, plan in changed if old != plan.status],
    )


# ---------------------------------------------------------------------------------------------- entry points


def _store(data: bytes, filename: str) -> str:
    directory = _media_dir()
    directory.mkdir(parents=True, exist_ok=True)
    suffix = ".xlsx" if parsing.is_xlsx(data, filename) else ".csv"
    name = f"{uuid.uuid4().hex}{suffix}"
    (directory / name).write_bytes(data)
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
    cache.delete(_progress_key(batch.pk))


def import_preview(
    *,
    by: User,
    data: bytes,
    filename: str,
    platform: str | None = None,
    shop: Shop | None = None,
    background: bool = True,
) -> ImportBatch:
    """Checks every row of a report against our shops and orders; writes the batch, its counts and rejected
    rows, never orders. A large file is checked in the background (the batch is returned running)."""
    _require(by)
    if platform and platform not in {"taobao", "jd", "pinduoduo", "other"}:
        raise ImportError_(_("Choose Taobao / Tmall, JD, Pinduoduo or a generic sheet."))
    if shop is not None and not in_scope(by, shop.unit.path):
        raise ImportError_(_("That shop lies outside your area."), code=ErrorCode.NOT_FOUND)
    parsing.check_size(len(data))
    estimate = parsing.count_rows(data, filename)
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
        batch.file_path = _store(data, filename)
        batch.save()
        from .tasks import run_batch

        run_batch.enqueue(batch.pk)
        batch.refresh_from_db()
        return batch
    batch.file_path = _store(data, filename)
    try:
        with transaction.atomic():
            batch.save()
            counts = _scan(batch, by, commit=False)
            _finish(batch, counts, BatchStatus.PREVIEWED)
    except ApplicationError:
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
    except ApplicationError:
        _back_to_previewed(batch)
        raise
    discard_file(batch)


def _back_to_previewed(batch: ImportBatch) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.PREVIEWED)
    batch.status = BatchStatus.PREVIEWED
    cache.delete(_progress_key(batch.pk))


def batch_run(*, batch_id: int) -> None:
    """The background work of a running batch (see tasks.run_batch)."""
    batch = ImportBatch.objects.select_related("uploaded_by", "default_shop").get(pk=batch_id)
    if batch.status != BatchStatus.RUNNING or batch.uploaded_by is None:
        return
    by = batch.uploaded_by
    try:
        if batch.action == BatchAction.COMMIT:
            _run_commit(batch, by)
        else:
            with transaction.atomic():
                counts = _scan(batch, by, commit=False)
                _finish(batch, counts, BatchStatus.PREVIEWED)
    except ApplicationError as error:
        failed = BatchStatus.PREVIEWED if batch.action == BatchAction.COMMIT else BatchStatus.FAILED
        ImportBatch.objects.filter(pk=batch.pk).update(status=failed, error=error.message[:500])
        cache.delete(_progress_key(batch.pk))
        if failed == BatchStatus.FAILED:
            discard_file(batch)
