"""Reading platform order reports as people download them: CSV in UTF-8 (with or without BOM) or GBK/GB18030,
comma- or tab-separated, or XLSX; order numbers written ="123…" or '123…; amounts with ¥, ￥ and thousands
separators; dates in the common layouts and as Excel serial numbers; blank lines; a totals row at the end;
extra columns. Rows are streamed, never all held at once.
"""

import codecs
import csv
import dataclasses
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import BinaryIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from villagelink.core.dates import region_zone
from villagelink.core.exceptions import ApplicationError
from villagelink.core.money import yuan_to_fen

from .models import FIELDS, REQUIRED_FIELDS, Outcome

# Limits; each may be overridden by a setting of the same name prefixed with VILLAGELINK_IMPORT_.
DEFAULT_LIMITS = {
    "MAX_BYTES": 20 * 1024 * 1024,
    "MAX_ROWS": 1_000_000,
    "MAX_UNCOMPRESSED_BYTES": 200 * 1024 * 1024,
    "BACKGROUND_ROWS": 20_000,
}
HEADER_SEARCH_ROWS = 10
BLOCK = 1 << 20  # bytes read at a time
TOTALS_WORDS = ("合计", "总计", "小计", "total", "totals", "sum")


def limit(name: str) -> int:
    return int(getattr(settings, f"VILLAGELINK_IMPORT_{name}", DEFAULT_LIMITS[name]))


class ImportFileError(ApplicationError):
    """The file as a whole cannot be imported; nothing is written."""


class RowProblem(ApplicationError):
    """One row cannot be imported; its reason is reported with its row number."""


@dataclass
class Layout:
    platform: str
    profile_name: str
    index: dict[str, int]
    statuses: dict[str, str]
    header_row: int
    zone: ZoneInfo = dataclasses.field(default_factory=region_zone)  # the clock of times without a zone


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


# ---------------------------------------------------------------------------------------------- raw rows


def check_size(size: int) -> None:
    if size > limit("MAX_BYTES"):
        raise ImportFileError(
            _("The file is larger than %(mb).0f MB, the most one import takes; split it into smaller files.")
            % {"mb": limit("MAX_BYTES") / (1024 * 1024)}
        )
    if size == 0:
        raise ImportFileError(_("The file is empty: it needs a header row and one row per order."))


def binary(source: bytes | BinaryIO) -> BinaryIO:
    """A seekable binary file over the report: the bytes themselves, or the open file (an upload, the stored
    copy) rewound, so that a large file is streamed from disk rather than held whole."""
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(source)
    source.seek(0)
    return source


def size_of(file: BinaryIO) -> int:
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    return size


def _head(file: BinaryIO, size: int) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def is_xlsx(data: bytes, filename: str) -> bool:
    """`data`: the file's first bytes (4 are enough) or all of it."""
    return filename.lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04"


def raw_rows(source: bytes | BinaryIO, filename: str) -> Iterator[tuple[int, list]]:
    """(row number as a spreadsheet shows it, cell values) for every row, blank ones included. A file is read
    as it goes and must stay open meanwhile."""
    file = binary(source)
    check_size(size_of(file))
    if is_xlsx(_head(file, 4), filename):
        return _xlsx_rows(file)
    return _csv_rows(file)


def _blocks(file: BinaryIO) -> Iterator[bytes]:
    file.seek(0)
    while block := file.read(BLOCK):
        yield block
    file.seek(0)


def _encoding(file: BinaryIO) -> str:
    if _head(file, 3).startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for block in _blocks(file):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            file.seek(0)
        return encoding
    raise ImportFileError(
        _(
            "The file is neither an Excel workbook (.xlsx) nor CSV text in UTF-8 or GBK/GB18030. "
            "Download the report again, or save it as CSV UTF-8, and retry."
        )
    )


def _csv_rows(file: BinaryIO) -> Iterator[tuple[int, list]]:
    encoding = _encoding(file)
    if b"\x00" in _head(file, 4096):
        raise ImportFileError(_("The file holds binary data, not CSV text. Download the report again."))
    return _csv_reader(file, encoding)


def _csv_reader(file: BinaryIO, encoding: str) -> Iterator[tuple[int, list]]:
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    try:
        first_line = text.readline()
        text.seek(0)
        delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
        reader = csv.reader(text, delimiter=delimiter)
        try:
            for cells in reader:
                yield reader.line_num, cells
        except csv.Error as exc:
            raise ImportFileError(
                _("Line %(line)d of the file is not valid CSV (%(error)s). Download the report again.")
                % {"line": reader.line_num, "error": exc}
            ) from exc
    finally:
        if not file.closed:
            text.detach()  # the file belongs to the caller: closing the wrapper must not close it


def _check_zip(file: BinaryIO) -> None:
    try:
        archive = zipfile.ZipFile(file)
    except zipfile.BadZipFile as exc:
        raise ImportFileError(
            _("The file cannot be read as an Excel workbook (.xlsx); it may be damaged. Download it again.")
        ) from exc
    with archive:
        uncompressed = sum(info.file_size for info in archive.infolist())
    file.seek(0)
    if uncompressed > limit("MAX_UNCOMPRESSED_BYTES"):
        raise ImportFileError(
            _(
                "The workbook unpacks to more than %(mb).0f MB, the most one import takes; split it into "
                "smaller files."
            )
            % {"mb": limit("MAX_UNCOMPRESSED_BYTES") / (1024 * 1024)}
        )


def _xlsx_rows(file: BinaryIO) -> Iterator[tuple[int, list]]:
    _check_zip(file)
    return _xlsx_reader(file)


def _xlsx_reader(file: BinaryIO) -> Iterator[tuple[int, list]]:
    import warnings

    import defusedxml

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # defusedxml's own cElementTree shim
        defusedxml.defuse_stdlib()
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:
        raise ImportFileError(
            _("The file cannot be read as an Excel workbook (.xlsx); it may be damaged. Download it again.")
        ) from exc
    number = 0
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    except Exception as exc:
        raise ImportFileError(
            _("The workbook is damaged after row %(row)d. Download it again.") % {"row": number}
        ) from exc
    finally:
        workbook.close()


def count_rows(source: bytes | BinaryIO, filename: str) -> int:
    """About how many rows the file holds (cheap: line breaks, or the sheet's stated dimension)."""
    file = binary(source)
    if not is_xlsx(_head(file, 4), filename):
        count, last = 0, b""
        for block in _blocks(file):
            count += block.count(b"\n")
            last = block[-1:]
        return count + (0 if last in (b"\n", b"") else 1)
    try:
        from openpyxl import load_workbook

        _check_zip(file)
        workbook = load_workbook(file, read_only=True)
        rows = workbook.worksheets[0].max_row or 0
        workbook.close()
        return rows
    except ImportFileError:
        raise
    except Exception:
        return 0
    finally:
        file.seek(0)


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
            statuses = {normalise_header(word): outcome for word, outcome in profile.statuses.items()}
            return Layout(profile.platform, profile.name, index, statuses, number)
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


def text_of(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def order_number(value) -> str:
    text = text_of(value).strip("\t ")
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    text = text.lstrip("'`\t ").strip()
    if _SHORTENED.fullmatch(text):
        raise RowProblem(
            _("the order number “%(text)s” was shortened by Excel; download the report again as it came")
            % {"text": text}
        )
    if len(text) > 64:
        raise RowProblem(_("the order number is longer than 64 characters"))
    return text


def money(value, what: str) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            fen = int((Decimal(str(value)) * 100).to_integral_value())
        except InvalidOperation as exc:
            raise RowProblem(_("the %(what)s is not an amount") % {"what": what}) from exc
    else:
        text = text_of(value)
        if text.startswith('="') and text.endswith('"'):
            text = text[2:-1]
        text = text.lstrip("'")
        if not text:
            return 0
        try:
            fen = yuan_to_fen(text)
        except ApplicationError as exc:
            raise RowProblem(
                _("the %(what)s “%(text)s” is not an amount in yuan") % {"what": what, "text": text[:40]}
            ) from exc
    if fen < 0:
        raise RowProblem(_("the %(what)s is negative") % {"what": what})
    if fen > 10**13:
        raise RowProblem(_("the %(what)s is implausibly large") % {"what": what})
    return fen


_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2}))?(?:\.\d+)?)?"
)
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
        raise RowProblem(_("the %(what)s is missing") % {"what": what})
    raise RowProblem(
        _("the %(what)s “%(text)s” is not a date such as 2019-06-01 12:30:00")
        % {"what": what, "text": text[:40]}
    )


def _serial(value: float, what: str, zone: ZoneInfo) -> datetime.datetime:
    if not 20000 <= value <= 80000:
        raise RowProblem(_("the %(what)s “%(value)s” is not a date") % {"what": what, "value": value})
    naive = EXCEL_EPOCH + datetime.timedelta(days=value)
    return naive.replace(microsecond=0, tzinfo=zone)


def quantity(value) -> int:
    text = text_of(value)
    if not text:
        return 1
    if not text.isdigit() or not 1 <= int(text) <= 1_000_000:
        raise RowProblem(_("the quantity “%(text)s” is not a whole number of items") % {"text": text[:20]})
    return int(text)


# ---------------------------------------------------------------------------------------------- rows


def is_blank(cells: list) -> bool:
    return not any(text_of(c) for c in cells)


TOTALS_LENGTH = max(len(word) for word in TOTALS_WORDS) + 3  # room for spaces and a colon


def is_totals(cells: list) -> bool:
    """A totals row names itself in one of its first cells (a number or a date never does)."""
    return any(
        isinstance(c, str) and len(c) <= TOTALS_LENGTH and c.strip().lower().rstrip(":：") in TOTALS_WORDS
        for c in cells[:5]
    )


# Translated only when a message needs them (translating them for every row took a quarter of a large import).
AMOUNT = gettext_lazy("amount")
REFUND = gettext_lazy("refund")
ORDER_DATE = gettext_lazy("order date")
COMPLETION_DATE = gettext_lazy("completion date")
OUTCOMES = frozenset(Outcome.values)


def parse_row(number: int, cells: list, layout: Layout) -> ReportRow:
    def cell(field: str):
        i = layout.index.get(field)
        return cells[i] if i is not None and i < len(cells) else None

    external_id = order_number(cell("external_id"))
    if not external_id:
        raise RowProblem(_("the order number is missing"))
    amount = money(cell("amount"), AMOUNT)
    refund = money(cell("refund"), REFUND)
    if refund > amount:
        raise RowProblem(_("the refund is larger than the amount"))
    if "status" in layout.index:
        word = normalise_header(cell("status"))
        if not word:
            raise RowProblem(_("the order status is missing"))
        outcome = layout.statuses.get(word)
        if outcome not in OUTCOMES:
            raise RowProblem(
                _("the order status “%(word)s” is unknown; add it to the %(profile)s import profile")
                % {"word": text_of(cell("status"))[:40], "profile": layout.profile_name}
            )
    else:
        outcome = Outcome.COMPLETED
    placed_at = moment(cell("placed_at"), ORDER_DATE, layout.zone)
    completed_raw = cell("completed_at")
    completed_at = moment(completed_raw, COMPLETION_DATE, layout.zone) if text_of(completed_raw) else None
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
    )


def report_rows(rows: Iterator[tuple[int, list]], layout: Layout) -> Iterator[tuple[int, ReportRow | str]]:
    """(row number, a parsed row or the reason it cannot be imported) for each row after the header. Blank
    rows and totals rows are skipped, and so is a last row without an order number (a totals row without
    its word)."""
    max_rows = limit("MAX_ROWS")
    pending: tuple[int, str] | None = None
    count = 0
    for number, cells in rows:
        if is_blank(cells) or is_totals(cells):
            continue
        count += 1
        if count > max_rows:
            raise ImportFileError(
                _("The file has more than %(max)s rows, the most one import takes; split it.")
                % {"max": f"{max_rows:,}"}
            )
        if pending is not None:
            yield pending
            pending = None
        try:
            yield number, parse_row(number, cells, layout)
        except RowProblem as problem:
            i = layout.index["external_id"]
            if i >= len(cells) or not text_of(cells[i]):
                pending = (number, problem.message)
            else:
                yield number, problem.message
