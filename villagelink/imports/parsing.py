"""Reading platform order reports as people download them: which platform's layout a report has (its header
row, found among the first rows), and what its cells mean: order numbers written ="123…" or '123…; amounts with
¥, ￥ and thousands separators; dates in the common layouts and as Excel serial numbers; totals rows; extra
columns. The file itself (CSV in UTF-8 or GBK/GB18030, or XLSX, streamed, within the limits) is read by
villagelink.core.tabular, the reader of every upload.
"""

import dataclasses
import datetime
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import islice
from operator import itemgetter
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from villagelink.core import tabular
from villagelink.core.crypto import buyer_key
from villagelink.core.dates import region_zone
from villagelink.core.exceptions import ApplicationError
from villagelink.core.money import yuan_to_fen
from villagelink.core.notes import note, note_text_lazy
from villagelink.core.tabular import text_of

from .models import FIELDS, REQUIRED_FIELDS, Outcome
from .vocabulary import AFTER_REFUNDED, Vocabulary

HEADER_SEARCH_ROWS = 10
PARSE_CHUNK = 2000  # rows read a column at a time (`parse_rows`)
TOTALS_WORDS = ("合计", "总计", "小计", "total", "totals", "sum")

# The reader's pieces this app's services use through this module.
BLOCK = tabular.BLOCK
binary = tabular.binary
check_size = tabular.check_size
count_rows = tabular.count_rows
is_xlsx = tabular.is_xlsx
limit = tabular.limit  # the VILLAGELINK_IMPORT_* settings, BACKGROUND_ROWS among them
size_of = tabular.size_of
raw_rows = tabular.read_rows  # (row number, cell values) of every row with a cell


class ImportFileError(tabular.UnreadableFile):
    """The file as a whole cannot be imported; nothing is written."""


class RowProblem(ApplicationError):
    """One row cannot be imported; its reason (a sentence of `core.notes`, stored as its code) is reported
    with its row number, in the reader's language."""

    kind = ""  # an OfficeWord.Kind when the row was refused for a word the import does not know
    word = ""

    def __init__(self, code: str, **params: str | int):
        self.reason = note(code, **params)
        super().__init__(note_text_lazy(self.reason))


class UnknownWord(RowProblem):
    """A row refused for a status word the import does not know; the office may give it a meaning."""

    def __init__(self, code: str, *, kind: str, word: str, **params: str | int):
        super().__init__(code, word=word[:40], **params)
        self.kind, self.word = kind, word[:100]


@dataclass
class Layout:
    platform: str
    profile_name: str
    index: dict[str, int]
    words: Vocabulary
    header_row: int
    header: list[str] = dataclasses.field(default_factory=list)  # the header row's cells as written
    zone: ZoneInfo = dataclasses.field(default_factory=region_zone)  # the clock of times without a zone
    read_at: datetime.datetime = dataclasses.field(default_factory=timezone.now)  # the moment of reading


@dataclass
class ReportRow:
    number: int
    external_id: str
    amount_fen: int
    refund_fen: int
    outcome: str
    placed_at: datetime.datetime
    completed_at: datetime.datetime | None
    title: str
    quantity: int
    shop: str
    buyer_key: str = ""  # the buyer's account or phone as a keyed hash; the plain value is never kept


# ---------------------------------------------------------------------------------------------- layout


_SPACES = re.compile(r"\s+")
_SHORTENED = re.compile(r"\d(\.\d+)?[eE]\+\d+")  # an order number Excel wrote in scientific notation
_COMPACT_DATE = re.compile(r"\d{8}")
_SERIAL = re.compile(r"\d{5}(\.\d+)?")  # a date as Excel's serial number


def normalise_header(value) -> str:
    text = text_of(value).replace("（", "(").replace("）", ")").replace("\ufeff", "")
    return _SPACES.sub("", text).lower()


def _match(header: list[str], columns: dict[str, list[str]]) -> dict[str, int]:
    index = {}
    for field in FIELDS:
        for name in columns.get(field, []):
            wanted = normalise_header(name)
            if wanted in header:
                index[field] = header.index(wanted)
                break
    return index


def find_layout(rows: Iterator[tuple[int, list]], profiles: Iterable) -> Layout:
    """Reads up to the header row: the first of the first rows in which a profile finds the order number and
    the amount. With several profiles (platform not given), the one that finds the most of our fields wins."""
    profiles = list(profiles)
    seen_header: list[str] = []
    for count, (number, cells) in enumerate(rows):
        if count >= HEADER_SEARCH_ROWS:
            break
        header = [normalise_header(c) for c in cells]
        if not any(header):
            continue
        seen_header = seen_header or [h for h in header if h]
        best = None
        for profile in profiles:
            index = _match(header, profile.columns)
            if all(f in index for f in REQUIRED_FIELDS) and (best is None or len(index) > len(best[1])):
                best = (profile, index)
        if best is not None:
            profile, index = best
            words = Vocabulary(profile.platform, profile.statuses, getattr(profile, "after_sales", None))
            shown = [text_of(c)[:100] for c in cells[: tabular.limit("MAX_COLUMNS")]]
            return Layout(profile.platform, profile.name, index, words, number, shown)
    expected = "; ".join(
        "{}: {}".format(
            profile.name,
            ", ".join(
                " / ".join(profile.columns.get(f, [])) for f in REQUIRED_FIELDS if profile.columns.get(f)
            ),
        )
        for profile in profiles
    )
    if not seen_header:
        raise ImportFileError(_("The file is empty: it needs a header row and one row per order."))
    raise ImportFileError(
        _(
            "The header row has no column for the order number or the amount. Expected (%(expected)s); "
            "found: %(found)s. Choose the right platform or download the report again."
        )
        % {"expected": expected, "found": ", ".join(seen_header[:20])}
    )


# ---------------------------------------------------------------------------------------------- cells


def order_number(value) -> str:
    text = text_of(value).strip("\t ")
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    text = text.lstrip("'`\t ").strip()
    if _SHORTENED.fullmatch(text):
        raise RowProblem("number_shortened", text=text)
    if len(text) > 64:
        raise RowProblem("number_too_long")
    return text


def money(value, what: str) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            fen = int((Decimal(str(value)) * 100).to_integral_value())
        except InvalidOperation as exc:
            raise RowProblem("not_amount", what=what) from exc
    else:
        text = text_of(value)
        if text.startswith('="') and text.endswith('"'):
            text = text[2:-1]
        text = text.lstrip("'")
        if not text:
            return 0
        fen = _plain_fen(text)
        if fen is None:
            try:
                fen = yuan_to_fen(text)
            except ApplicationError as exc:
                raise RowProblem("not_yuan", what=what, text=text[:40]) from exc
    if fen < 0:
        raise RowProblem("negative", what=what)
    if fen > 10**13:
        raise RowProblem("too_large", what=what)
    return fen


def _plain_fen(text: str) -> int | None:
    """The fen of an amount written plainly ("1234", "12.5", "12.50"), the most common form, without the
    decimal arithmetic of `yuan_to_fen`; None for any other form, which that reads."""
    whole, point, cents = text.partition(".")
    if not (whole.isascii() and whole.isdigit() and len(whole) <= 11):
        return None
    if point and not (cents.isascii() and cents.isdigit() and len(cents) <= 2):
        return None
    return int(whole) * 100 + (int(cents.ljust(2, "0")) if cents else 0)


_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2}))?(?:\.\d+)?)?"
)
_ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", re.ASCII)
EXCEL_EPOCH = datetime.datetime(1899, 12, 30)  # noqa: DTZ001 - a naive local moment, made aware below


def moment(value, what: str, zone: ZoneInfo | None = None) -> datetime.datetime:
    """A timezone-aware moment; times without a zone are in `zone`, by default the region's local time."""
    zone = zone or region_zone()
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=zone)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(float(value), what, zone)
    text = text_of(value)
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    text = text.lstrip("'").strip()
    if _ISO_MOMENT.fullmatch(text):
        try:  # 2019-06-01 12:30:00, the usual form, without the general pattern's work
            return datetime.datetime.fromisoformat(text).replace(tzinfo=zone)
        except ValueError:
            pass  # e.g. hour 24: refused below with the others
    try:
        if _COMPACT_DATE.fullmatch(text):
            return datetime.datetime.strptime(text, "%Y%m%d").replace(tzinfo=zone)
        if _SERIAL.fullmatch(text):
            return _serial(float(text), what, zone)
        found = _DATE.fullmatch(text)
        if found:
            parts = [int(p) if p else 0 for p in found.groups()]
            return datetime.datetime(*parts, tzinfo=zone)
    except ValueError:
        pass
    if not text:
        raise RowProblem("missing", what=what)
    raise RowProblem("not_date", what=what, text=text[:40])


def _serial(value: float, what: str, zone: ZoneInfo) -> datetime.datetime:
    if not 20000 <= value <= 80000:
        raise RowProblem("not_serial_date", what=what, value=str(value))
    naive = EXCEL_EPOCH + datetime.timedelta(days=value)
    return naive.replace(microsecond=0, tzinfo=zone)


def quantity(value) -> int:
    text = text_of(value)
    if not text:
        return 1
    if not text.isdigit() or not 1 <= int(text) <= 1_000_000:
        raise RowProblem("not_quantity", text=text[:20])
    return int(text)


# ---------------------------------------------------------------------------------------------- rows


def is_blank(cells: list) -> bool:
    try:  # a row of text (every CSV row): blank when all of it together is
        return not "".join(cells).strip()
    except TypeError:  # numbers or dates from a workbook
        return not any(text_of(c) for c in cells)


TOTALS_LENGTH = max(len(word) for word in TOTALS_WORDS) + 3  # room for spaces and a colon


def is_totals(cells: list) -> bool:
    """A totals row names itself in one of its first cells (a number or a date never does)."""
    for c in cells[:5]:  # a loop, not any(): this runs for every row
        if isinstance(c, str) and len(c) <= TOTALS_LENGTH and c.strip().lower().rstrip(":：") in TOTALS_WORDS:
            return True
    return False


# What a cell holds, as the reasons name it (words of `core.notes`, translated only when a reason is read).
AMOUNT = "amount"
REFUND = "refund"
ORDER_DATE = "order_date"
COMPLETION_DATE = "completion_date"
OUTCOMES = frozenset(Outcome.values)


# The outcomes of a row that may come without dates (an order closed before payment has none).
UNDATED = frozenset({Outcome.CANCELLED, Outcome.REFUNDED, Outcome.PLACED})


def _order_outcome(value, layout: Layout) -> str:
    word = text_of(value)
    if not word:
        raise RowProblem("status_missing")
    outcome = layout.words.order(word)
    if outcome not in OUTCOMES:
        raise UnknownWord("status_unknown", kind="status", word=word, profile=layout.profile_name)
    return outcome


def parse_row(number: int, cells: list, layout: Layout) -> ReportRow:
    index, length = layout.index, len(cells)

    def cell(field: str):
        i = index.get(field, length)
        return cells[i] if i < length else None

    external_id = order_number(cell("external_id"))
    if not external_id:
        raise RowProblem("number_missing")
    amount = money(cell("amount"), AMOUNT)
    refund = money(cell("refund"), REFUND)
    if refund > amount:
        raise RowProblem("refund_too_large")
    outcome = _order_outcome(cell("status"), layout) if "status" in layout.index else Outcome.COMPLETED
    after_sale = text_of(cell("after_sale"))
    if after_sale:
        meaning = layout.words.after_sale(after_sale)
        if meaning is None:
            raise UnknownWord(
                "after_sale_unknown", kind="after_sale", word=after_sale, profile=layout.profile_name
            )
        if meaning == AFTER_REFUNDED and (not refund or refund >= amount):
            outcome, refund = Outcome.REFUNDED, amount  # refunded in full: nothing counts
    completed_raw = cell("completed_at")
    completed_at = moment(completed_raw, COMPLETION_DATE, layout.zone) if text_of(completed_raw) else None
    placed_raw = cell("placed_at")
    if not text_of(placed_raw) and outcome in UNDATED:
        placed_at = completed_at or layout.read_at  # a sale that never was: recorded, never counted
    else:
        placed_at = moment(placed_raw, ORDER_DATE, layout.zone)
    return ReportRow(
        number=number,
        external_id=external_id,
        amount_fen=amount,
        refund_fen=refund,
        outcome=outcome,
        placed_at=placed_at,
        completed_at=completed_at,
        title=text_of(cell("title"))[:200],
        quantity=quantity(cell("quantity")),
        shop=text_of(cell("shop"))[:200],
        buyer_key=buyer_key(text_of(cell("buyer"))[:200]),
    )


# The usual forms of a report's cells, which `parse_rows` reads a column at a time without the general rules.
_PLAIN_NUMBER = re.compile(r"[0-9A-Za-z_-]{1,64}", re.ASCII)  # an order number as it is, nothing to take off
_PLAIN_QUANTITY = re.compile(r"[1-9][0-9]{0,5}", re.ASCII)  # 1 to 999,999
_BAD = object()  # a cell the general rules refuse: its row goes through `parse_row`, which says why


def _or_bad(read, *args):
    try:
        return read(*args)
    except RowProblem:
        return _BAD


def _columns(rows: list[tuple[int, list]], layout: Layout) -> dict[str, Sequence]:
    """Each field's cells in these rows (None for a row that stops short, or a field the report lacks)."""
    fields = list(layout.index)
    width = max(layout.index.values()) + 1
    if len(fields) > 1 and all(len(cells) >= width for _number, cells in rows):  # the usual case: one pass
        pick = itemgetter(*(layout.index[field] for field in fields))
        found = dict(zip(fields, zip(*(pick(cells) for _number, cells in rows), strict=True), strict=True))
    else:
        found = {
            field: [cells[i] if i < len(cells) else None for _number, cells in rows]
            for field, i in layout.index.items()
        }
    return {field: found.get(field) or [None] * len(rows) for field in FIELDS}


_PLAIN_YUAN = re.compile(r"[0-9]{1,11}(\.[0-9]{1,2})?", re.ASCII)


def _amounts(values: Sequence, what: str) -> list:
    """Each cell's fen, or _BAD. A plain amount (at most 13 digits) is read through a float: a double holds
    it to well within half a fen, so rounding gives its exact fen."""
    plain = _PLAIN_YUAN.fullmatch
    return [
        round(float(value) * 100)
        if type(value) is str and plain(value)
        else 0
        if value == "" or value is None  # an empty cell, as money reads it: the usual refund
        else _or_bad(money, value, what)
        for value in values
    ]


def _moments(values: Sequence, what: str, zone: ZoneInfo) -> list:
    """Each cell's moment, None for an empty cell (whose meaning depends on the row), or _BAD."""
    read = []
    for value in values:
        if type(value) is str and _ISO_MOMENT.fullmatch(value):
            try:
                read.append(datetime.datetime.fromisoformat(value).replace(tzinfo=zone))
                continue
            except ValueError:
                pass
        read.append(_or_bad(moment, value, what, zone) if text_of(value) else None)
    return read


def _meanings(values: Sequence, mean) -> list:
    """`mean(cell)` for each cell, worked out once for each distinct cell (a report has a handful)."""
    meant: dict = {}
    read = []
    for value in values:
        key = (type(value), value)  # True and 1 are equal keys, but read as different words
        if key not in meant:
            meant[key] = _or_bad(mean, value)
        read.append(meant[key])
    return read


def parse_rows(rows: list[tuple[int, list]], layout: Layout) -> list[ReportRow | RowProblem]:
    """`parse_row` of each of these (row number, cells), a column at a time: the usual form of each column
    (numbers and amounts written plainly, moments as 2019-06-01 12:30:00, the report's status words) read for
    all the rows in one pass, any other form by the general rules; a row with a cell they refuse, or with
    cells that do not go together, goes through `parse_row` itself, which says what is wrong. The result is
    `parse_row`'s, row by row (a property test holds them equal); plain Python lists, since the rest of the
    check takes Python values (an Arrow table's conversions back cost more than they saved)."""
    if not rows:
        return []
    zone = layout.zone
    columns = _columns(rows, layout)
    numbers = [
        value if type(value) is str and _PLAIN_NUMBER.fullmatch(value) else _or_bad(order_number, value)
        for value in columns["external_id"]
    ]
    amounts = _amounts(columns["amount"], AMOUNT)
    refunds = _amounts(columns["refund"], REFUND)
    if "status" in layout.index:
        outcomes = _meanings(columns["status"], lambda value: _order_outcome(value, layout))
    else:
        outcomes = [Outcome.COMPLETED] * len(rows)

    def after_sale(value):
        text = text_of(value)
        meaning = layout.words.after_sale(text) if text else ""
        return _BAD if meaning is None else meaning  # an unknown word: parse_row says which

    after_sales = _meanings(columns["after_sale"], after_sale)
    completed = _moments(columns["completed_at"], COMPLETION_DATE, zone)
    placed = _moments(columns["placed_at"], ORDER_DATE, zone)
    quantities = [
        int(value) if type(value) is str and _PLAIN_QUANTITY.fullmatch(value) else _or_bad(quantity, value)
        for value in columns["quantity"]
    ]
    titles = [text_of(value)[:200] for value in columns["title"]]
    shops = [text_of(value)[:200] for value in columns["shop"]]
    buyers = columns["buyer"] if "buyer" in layout.index else None
    parsed: list[ReportRow | RowProblem] = []
    for k, (number, cells) in enumerate(rows):
        external_id, amount, refund = numbers[k], amounts[k], refunds[k]
        outcome, after, placed_at, completed_at = outcomes[k], after_sales[k], placed[k], completed[k]
        refused = (
            _BAD in (external_id, amount, refund, outcome, after, placed_at, completed_at, quantities[k])
            or not external_id
            or refund > amount
        )
        if not refused and after == AFTER_REFUNDED and (not refund or refund >= amount):
            outcome, refund = Outcome.REFUNDED, amount  # refunded in full: nothing counts
        if refused or (placed_at is None and outcome not in UNDATED):
            try:
                parsed.append(parse_row(number, cells, layout))
            except RowProblem as problem:
                # Kept without its traceback, whose frames would hold this chunk's columns in a cycle.
                parsed.append(problem.with_traceback(None))
            continue
        parsed.append(
            ReportRow(
                number=number,
                external_id=external_id,
                amount_fen=amount,
                refund_fen=refund,
                outcome=outcome,
                placed_at=placed_at or completed_at or layout.read_at,
                completed_at=completed_at,
                title=titles[k],
                quantity=quantities[k],
                shop=shops[k],
                buyer_key=buyer_key(text_of(buyers[k])[:200]) if buyers is not None else "",
            )
        )
    return parsed


MAX_KEPT_CELLS = 100  # of a refused row, kept for the workbook of rejected rows
MAX_KEPT_CHARS = 500  # of each of its cells


def cells_kept(cells: list) -> list[str]:
    """A row's cells as text, as the workbook of rejected rows gives them back (long ones shortened)."""
    return [text_of(c)[:MAX_KEPT_CHARS] for c in cells[:MAX_KEPT_CELLS]]


def report_rows(
    rows: Iterator[tuple[int, list]], layout: Layout
) -> Iterator[tuple[int, ReportRow | RowProblem, list]]:
    """(row number, a parsed row or why it cannot be imported, the row's cells) for each row after the header.
    Blank rows and totals rows are skipped, and so is a last row without an order number (a totals row
    without its word). The reader holds the file to the row limit."""
    pending: tuple[int, RowProblem, list] | None = None
    i = layout.index["external_id"]
    while chunk := list(islice(rows, PARSE_CHUNK)):
        kept = [(number, cells) for number, cells in chunk if not (is_blank(cells) or is_totals(cells))]
        for (number, cells), row in zip(kept, parse_rows(kept, layout), strict=True):
            if pending is not None:
                yield pending
                pending = None
            if isinstance(row, RowProblem) and (i >= len(cells) or not text_of(cells[i])):
                pending = (number, row, cells)
            else:
                yield number, row, cells
