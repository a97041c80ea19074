"""The check of a stored report: one pass over its rows, a chunk at a time, each checked against our shops
and orders; its rejections recorded, its summary made, and its accepted rows left in the batch's staging
table (`staging`) for the commit. Order numbers seen earlier in the file are looked up there, so memory stays
flat however long the file."""

import gc
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from itertools import islice

from django.core.cache import caches
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.catalog.categories import category_of_title
from villagelink.catalog.models import Platform
from villagelink.core.dates import region_zone
from villagelink.geo.models import LEVEL_PATH_WIDTH
from villagelink.orders.models import Status

from . import parsing, staging
from .errors import ImportError_
from .matching import Planned, _Matcher, _outcome
from .models import FIELDS, ImportBatch, ImportOlderRow, ImportProfile, ImportRejection, OfficeWord
from .progress import _progress_key
from .storage import _open
from .summary import Summary, sample_entry
from .writing import _orders_where

CHUNK = 2000


@dataclass
class _Profile:
    """An import profile with the words the offices of the uploader's area gave meanings to (`OfficeWord`)."""

    platform: str
    name: str
    columns: dict[str, list[str]]
    statuses: dict[str, str]
    after_sales: dict[str, str]


def _profiles(platform: str | None, scope_path: str) -> list[_Profile]:
    profiles = ImportProfile.objects.all()
    if platform:
        profiles = profiles.filter(platform=platform)
        if not profiles.exists():
            raise ImportError_(_("There is no import profile for the platform “%(p)s”.") % {"p": platform})
    areas = [""] + [scope_path[:width] for width in LEVEL_PATH_WIDTH.values() if width <= len(scope_path)]
    words = (
        OfficeWord.objects.filter(scope_path__in=areas)
        .order_by(Length("scope_path"), "pk")  # the office nearest the uploader has the last word
        .values_list("platform", "kind", "word", "meaning")
    )
    office: dict[tuple[str, str], dict[str, str]] = {}
    for word_platform, kind, word, meaning in words:
        office.setdefault((word_platform, kind), {})[word] = meaning
    found = []
    for profile in profiles:
        headings = office.get((profile.platform, OfficeWord.Kind.COLUMN), {})
        columns = {
            field: [h for h, meaning in headings.items() if meaning == field] + profile.columns.get(field, [])
            for field in FIELDS
        }
        statuses = {**profile.statuses, **office.get((profile.platform, OfficeWord.Kind.STATUS), {})}
        after_sales = office.get((profile.platform, OfficeWord.Kind.AFTER_SALE), {})
        found.append(_Profile(profile.platform, profile.name, columns, statuses, after_sales))
    return found


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    older: int = 0
    rows: int = 0


# How far along its life an order is: a report's row never moves an order back (an older report read after a
# newer one). Closed and refunded end it from any step; a refund, once recorded, is not undone by a closing.
STEP = {
    Status.PLACED: 0,
    Status.PAID: 1,
    Status.SHIPPED: 2,
    Status.DELIVERED: 3,
    Status.COMPLETED: 4,
    Status.CANCELLED: 5,
    Status.REFUNDED: 6,
}


def _is_older(status: str, refunded: int, plan: Planned) -> bool:
    """Whether a row says less than what is recorded of its order: an earlier step, or a smaller refund."""
    step, recorded = STEP.get(plan.status, 0), STEP.get(status, 0)
    return step < recorded or (step == recorded and plan.refunded_fen < refunded)


def _chunks(iterator: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(iterator, size)):
        yield chunk


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cycle collector less often while the check runs: a chunk's rows are made by the ten thousand and
    freed together, and at the usual thresholds (a young collection every 700 new objects) the collector went
    over them again and again, about an eighth of a large check. Nothing the check keeps forms a cycle (a
    refused row's problem is kept without its traceback, `parsing.parse_rows`); the thresholds are set back
    after it."""
    before = gc.get_threshold()
    gc.set_threshold(10_000, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _scan(batch: ImportBatch, by: User) -> Counts:
    """Reads the stored file once and checks every row; leaves the rows to write in the batch's staging
    table for the commit (`staging`, `writing`)."""
    with _open(batch) as file, closing(parsing.raw_rows(file, batch.file_name)) as rows:
        layout = parsing.find_layout(rows, _profiles(batch.platform or None, batch.scope_path))
        batch.platform = layout.platform
        _check_shop(batch, layout)
        staging.create(batch.pk)  # in the check's transaction: a check that fails leaves none
        summary = _summary_of(layout)
        with _fewer_collections():
            counts = _scan_rows(batch, by, rows, layout, summary)
        staging.analyse(batch.pk)
        batch.summary = summary.as_json()
    if not counts.rows:
        raise parsing.ImportFileError(
            _(
                "The file has a header row but no orders under it. Download the report again with the "
                "orders of the period you want to import."
            )
        )
    return counts


def _summary_of(layout: parsing.Layout) -> Summary:
    taken = set(layout.index.values())
    return Summary(
        header=layout.header,
        unused=[h for i, h in enumerate(layout.header) if h and i not in taken],
        missing=[f for f in FIELDS if f not in layout.index],
        zone=layout.zone,
    )


def _check_shop(batch: ImportBatch, layout: parsing.Layout) -> None:
    """A shop chosen for the report's rows must be on the report's platform."""
    shop = batch.default_shop
    if shop is not None and shop.platform != layout.platform:
        raise parsing.ImportFileError(
            _(
                "The shop “%(shop)s” is on %(shop_platform)s, but this report is from %(platform)s: "
                "choose a shop on %(platform)s, or none if the report names its shops."
            )
            % {
                "shop": shop.name,
                "shop_platform": shop.get_platform_display(),
                "platform": Platform(layout.platform).label,
            }
        )


def _rejection(batch: ImportBatch, number: int, problem: parsing.RowProblem, cells: list) -> ImportRejection:
    return ImportRejection(
        batch=batch,
        row=number,
        reason=problem.reason,
        cells=parsing.cells_kept(cells),
        unknown_kind=problem.kind,
        unknown=problem.word,
    )


def _scan_rows(batch, by: User, rows, layout: parsing.Layout, summary: Summary) -> Counts:
    matcher = _Matcher(by, layout.platform, batch.default_shop)
    counts = Counts()
    zone = region_zone()  # the days of orders and of the facts
    staged_numbers = staging.Staged(batch.pk)
    ImportRejection.objects.filter(batch=batch).delete()
    ImportOlderRow.objects.filter(batch=batch).delete()
    for chunk in _chunks(parsing.report_rows(rows, layout), CHUNK):
        rejections: list[ImportRejection] = []
        planned: list[Planned] = []
        cells_of = {number: cells for number, _row, cells in chunk}
        earlier = staged_numbers.rows_of(
            {row.external_id for _n, row, _c in chunk if isinstance(row, parsing.ReportRow)}
        )
        accepted: dict[str, int] = {}  # in this chunk
        for number, row, cells in chunk:
            try:
                if isinstance(row, parsing.RowProblem):
                    raise row
                first = earlier.get(row.external_id) or accepted.get(row.external_id)
                if first is not None:
                    raise parsing.RowProblem("number_repeated", id=row.external_id, row=first)
                shop = matcher.shop(row.shop)
                status, refunded = _outcome(row)
                accepted[row.external_id] = number
                planned.append(Planned(row, shop, status, refunded))
            except parsing.RowProblem as problem:
                rejections.append(_rejection(batch, number, problem, cells))
        existing = {
            values[0]: values
            for values in _orders_where(
                "external_id",
                [p.row.external_id for p in planned],
                [
                    "external_id",
                    "id",
                    "shop_id",
                    "status",
                    "total_fen",
                    "refunded_fen",
                    "placed_on",
                    "excluded",
                ],
                platform=layout.platform,
            )
        }
        older: list[ImportOlderRow] = []
        staged: list[tuple] = []  # every accepted row, by what it does (`staging`)
        new: list[int] = []  # where the new orders are in it
        shown: list[dict] = []
        showing = summary.wants_rows()  # the first chunk gives the first rows: later ones need no entries
        for plan in planned:
            found = existing.get(plan.row.external_id)
            effect, excluded = staging.NEW, False
            if found is None:
                counts.created += 1
                day = plan.row.placed_at.astimezone(zone).date()
                new.append(len(staged))
                staged.append(_written(plan, effect, zone, day))
                summary.new(plan, day)
            else:
                _id, pk, shop_id, status, total, refunded, placed_on, excluded = found
                excluded = bool(excluded)  # SQLite's cursor gives 0 or 1
                if shop_id != plan.shop.pk:
                    code = "number_other_shop" if shop_id in matcher.in_scope else "number_outside"
                    number = plan.row.number
                    problem = parsing.RowProblem(code, id=plan.row.external_id)
                    rejections.append(_rejection(batch, number, problem, cells_of[number]))
                    staged.append((plan.row.external_id, number, staging.REFUSED))
                    continue
                if status == Status.REVERSED or (status, total, refunded) == (
                    plan.status,
                    plan.row.amount_fen,
                    plan.refunded_fen,
                ):
                    effect = staging.UNCHANGED
                    counts.unchanged += 1
                    staged.append((plan.row.external_id, plan.row.number, effect))
                elif _is_older(status, refunded, plan):
                    effect = staging.OLDER
                    older.append(
                        ImportOlderRow(batch=batch, row=plan.row.number, external_id=plan.row.external_id)
                    )
                    staged.append((plan.row.external_id, plan.row.number, effect))
                else:
                    effect = staging.UPDATED
                    counts.updated += 1
                    staged.append(
                        (
                            *_written(plan, effect, zone, plan.row.placed_at.astimezone(zone).date()),
                            pk,
                            status,
                            total,
                            refunded,
                            excluded,
                        )
                    )
                    # An excluded order stays excluded (see `Summary.changed`): the commit leaves the flag.
                    summary.changed(plan, placed_on, status, total, refunded, excluded=excluded)
            summary.row(plan, excluded=excluded)
            if showing:
                shown.append(sample_entry(plan, effect, layout.zone))
        if showing:
            shown += [{"row": r.row, "effect": "rejected", "reason": r.reason} for r in rejections]
            summary.show(shown)
        counts.rejected += len(rejections)
        counts.older += len(older)
        counts.rows += len(chunk)
        rejections.sort(key=lambda r: r.row)
        ImportRejection.objects.bulk_create(rejections, batch_size=1000)
        ImportOlderRow.objects.bulk_create(older, batch_size=1000)
        for position, order_id in zip(new, staging.order_ids(len(new)), strict=True):
            staged[position] = (*staged[position], order_id)
        staging.add(batch.pk, staged)
        staged_numbers.add(accepted)
        caches["shared"].set(_progress_key(batch.pk), counts.rows, 3600)
    return counts


def _written(plan: Planned, effect: str, zone, placed_on) -> tuple:
    """A row the commit writes, in the staging table's columns up to the recorded order's; `placed_on`: the
    day of its placing in the region (`zone`)."""
    row = plan.row
    completed_on = None
    if plan.status == Status.COMPLETED:
        completed_on = (row.completed_at or row.placed_at).astimezone(zone).date()
    title = row.title or _("Order %(id)s") % {"id": row.external_id}
    return (
        row.external_id,
        row.number,
        effect,
        plan.shop.pk,
        plan.status,
        row.amount_fen,
        plan.refunded_fen,
        row.placed_at,
        placed_on,
        completed_on,
        completed_on.year if completed_on else None,
        title[:200],
        category_of_title(row.title),
        row.quantity,
        row.buyer_key,
    )
