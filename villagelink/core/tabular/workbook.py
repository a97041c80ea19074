"""XLSX: the first worksheet of a workbook, read as it unpacks with expat (no DTD, so no entity bombs), its
shared strings held as UTF-8, dates told by the cells' number formats as openpyxl tells them. openpyxl is not
used: it pads every row to the sheet's stated dimension (a 1 KB sheet claiming A1:XFD1048576 made it yield
a million rows of 16,384 cells) and holds a whole row's XML, however long, before handing it on."""

import contextlib
import datetime
import posixpath
import re
import struct
import zipfile
import zlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO
from xml.parsers import expat

from django.utils.translation import gettext as _

from .limits import (
    MAX_ROW_CHARS,
    Cell,
    Limits,
    Row,
    UnreadableFile,
    row_too_long,
    size_of,
    too_many_cells,
    too_many_columns,
    too_many_rows,
)

XML_CHUNK = 1 << 16  # bytes of a workbook's XML parsed at a time
MAX_RUN_BYTES = 1 << 20  # of XML without a "<": no tag, and no text of a cell, is so long
MAX_PARTS = 10_000
MAX_DIRECTORY_BYTES = 4 << 20
# Shared strings kept decoded, for the values a column repeats (a status, a shop): about the bytes they take,
# their characters and STRING_CACHE_ENTRY more each (a Python string, its index and its place in the dict).
# Small: a column of values that never repeat (Taobao's order numbers) fills it with strings never looked up
# again; 4 MiB of characters held 30 MB of 19-digit order numbers.
STRING_CACHE_BYTES = 1 << 18
STRING_CACHE_ENTRY = 100
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an .xls workbook, or an .xlsx with a password
EPOCH_1900 = datetime.datetime(1899, 12, 30)  # noqa: DTZ001 - Excel's dates hold no time zone
EPOCH_1904 = datetime.datetime(1904, 1, 1)  # noqa: DTZ001
# Number formats Excel has built in that show dates or times (27–36 and 50–58 in Chinese, Japanese and Korean).
DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), 45, 47, *range(50, 59)])
_LITERALS = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')  # quoted text, colours, locales
_DATE_CODES = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_DURATION = re.compile(r"\[hh?\]|\[mm?\]|\[ss?\]", re.IGNORECASE)  # [h]:mm: a length of time, kept a number


def _damaged() -> UnreadableFile:
    return UnreadableFile(
        _(
            "The file cannot be read as an Excel workbook (.xlsx); it may be damaged. Download or save it "
            "again and retry."
        )
    )


def open_workbook(file: BinaryIO, limits: Limits) -> zipfile.ZipFile:
    """The workbook's zip archive, once its directory is known to be small and its parts to unpack to no more
    than the limit (nothing is unpacked yet)."""
    _check_directory(file)
    try:
        archive = zipfile.ZipFile(file)
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        raise _damaged() from exc
    if unpacked > limits.max_unpacked_bytes:
        archive.close()
        raise UnreadableFile(
            _(
                "The workbook unpacks to more than %(mb).0f MB, the most one import takes; split it into "
                "smaller files."
            )
            % {"mb": limits.max_unpacked_bytes / (1024 * 1024)}
        )
    return archive


def _check_directory(file: BinaryIO) -> None:
    """Refuses, before zipfile reads it whole, a zip directory of more than MAX_PARTS parts, or a ZIP64 one
    (no workbook of a table needs either)."""
    size = size_of(file)
    file.seek(max(0, size - (1 << 16) - 22))  # the end record, and the longest comment it may follow
    tail = file.read()
    file.seek(0)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) < end + 22:
        return  # not a zip archive: zipfile says so
    parts, directory = struct.unpack_from("<HI", tail, end + 10)
    zip64 = end >= 20 and tail[end - 20 : end - 16] == b"PK\x06\x07"
    if zip64 or parts > MAX_PARTS or directory > MAX_DIRECTORY_BYTES:
        raise UnreadableFile(
            _(
                "The workbook is made of more parts than a table needs. Save the sheet alone as .xlsx, or as "
                "CSV UTF-8, and retry."
            )
        )


def _local(tag: str) -> str:
    return tag.rpartition(":")[2] if ":" in tag else tag


def _refuse_doctype(*_args) -> None:
    raise _damaged()  # no workbook declares a document type; entities are how XML bombs are made


class _Stop(Exception):
    """Stops a parse once what was wanted is found."""


def _xml(
    archive: zipfile.ZipFile,
    name: str,
    start: Callable,
    end: Callable | None = None,
    text: Callable | None = None,
    damaged: Callable[[], UnreadableFile] = _damaged,
) -> Iterator[None]:
    """Parses one part of the workbook as it unpacks, a chunk at a time; yields after each chunk, so that the
    caller may hand on what the handlers gathered."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = _refuse_doctype
    try:
        with archive.open(name) as part:
            run = 0
            while chunk := part.read(XML_CHUNK):
                last = chunk.rfind(b"<")
                run = run + len(chunk) if last < 0 else len(chunk) - last
                if run > MAX_RUN_BYTES:
                    raise damaged()
                parser.Parse(chunk, False)
                yield
            parser.Parse(b"", True)
        yield
    except (
        expat.ExpatError,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        KeyError,
        ValueError,
        IndexError,
        OverflowError,
        NotImplementedError,
    ) as exc:
        raise damaged() from exc


def _parse(
    archive: zipfile.ZipFile, name: str, start: Callable, end: Callable | None = None, text=None
) -> None:
    for _chunk in _xml(archive, name, start, end, text):
        pass


@dataclass
class _Parts:
    sheet: str
    strings: str | None
    styles: str | None
    epoch: datetime.datetime


def _relationships(archive: zipfile.ZipFile, name: str) -> list[tuple[str, str, str]]:
    """(id, type, part name) of each internal relationship a .rels part declares."""
    if name not in archive.NameToInfo:
        return []
    base = posixpath.dirname(posixpath.dirname(name))  # xl/_rels/workbook.xml.rels: targets are under xl/
    found = []

    def start(tag, attrs):
        if _local(tag) == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            if target.startswith("/"):
                target = target[1:]
            else:
                target = posixpath.normpath(posixpath.join(base, target))
            found.append((attrs.get("Id", ""), attrs.get("Type", ""), target))

    _parse(archive, name, start)
    return found


def locate_parts(archive: zipfile.ZipFile) -> _Parts:
    """Where the first worksheet, the shared strings and the styles are, and the workbook's date epoch."""
    names = archive.NameToInfo
    book = next(
        (t for _id, kind, t in _relationships(archive, "_rels/.rels") if kind.endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    sheet_ids: list[str] = []
    epoch = [EPOCH_1900]

    def start(tag, attrs):
        tag = _local(tag)
        if tag == "sheet":
            sheet_ids.extend(v for k, v in attrs.items() if k == "id" or k.endswith(":id"))
        elif tag == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            epoch[0] = EPOCH_1904

    if book in names:
        _parse(archive, book, start)
    related = _relationships(
        archive, posixpath.join(posixpath.dirname(book), "_rels", posixpath.basename(book) + ".rels")
    )
    targets = {rid: (kind, target) for rid, kind, target in related}
    sheets = [targets[i][1] for i in sheet_ids if i in targets and targets[i][0].endswith("/worksheet")]
    sheet = next((s for s in sheets if s in names), "xl/worksheets/sheet1.xml")
    if sheet not in names:
        raise UnreadableFile(
            _("The workbook has no sheet to read. Open it in Excel or WPS, save it again and retry.")
        )

    def part(kind: str, default: str) -> str | None:
        found = next((t for _id, k, t in related if k.endswith(kind) and t in names), default)
        return found if found in names else None

    return _Parts(
        sheet=sheet,
        strings=part("/sharedStrings", "xl/sharedStrings.xml"),
        styles=part("/styles", "xl/styles.xml"),
        epoch=epoch[0],
    )


class _Strings:
    """A workbook's shared strings, kept as UTF-8 end to end (a Python string each would take 50 bytes
    more), each string's end in 4 bytes (or 8, should the limit on unpacked parts allow 2 GiB: a part in
    UTF-16 grows by half as UTF-8); the ones looked up lately are kept decoded too, within
    STRING_CACHE_BYTES."""

    def __init__(self, max_bytes: int = 0):
        self.data = bytearray()
        self.ends = array("I" if max_bytes < 1 << 31 else "Q")
        self.cache: dict[int, str] = {}
        self.cached = 0

    def __len__(self) -> int:
        return len(self.ends)

    def add(self, text: str) -> None:
        self.data += text.encode("utf-8")
        self.ends.append(len(self.data))

    def size(self, index: int) -> int:
        """The string's length in bytes, at least its length in characters. IndexError: no such string."""
        if index < 0:
            raise IndexError(index)
        return self.ends[index] - (self.ends[index - 1] if index else 0)

    def get(self, index: int) -> str:
        text = self.cache.get(index)
        if text is None:
            text = self.data[self.ends[index - 1] if index else 0 : self.ends[index]].decode("utf-8")
            if self.cached > STRING_CACHE_BYTES:
                self.cache.clear()
                self.cached = 0
            self.cache[index] = text
            self.cached += len(text) + STRING_CACHE_ENTRY
        return text


class _StringsReader:
    """Handlers that read xl/sharedStrings.xml: one string per <si>, its <t> texts joined (rich text runs
    too), phonetic guides (<rPh>) left out."""

    def __init__(self, limits: Limits):
        self.strings = _Strings(limits.max_unpacked_bytes)
        self.limits = limits
        self.parts: list[str] = []
        self.chars = 0
        self.collect = False
        self.phonetic = False

    def start(self, tag, attrs):
        tag = _local(tag)
        if tag == "t":
            self.collect = not self.phonetic
        elif tag == "si":
            self.parts.clear()
            self.chars = 0
        elif tag == "rPh":
            self.phonetic = True

    def end(self, tag):
        tag = _local(tag)
        if tag == "t":
            self.collect = False
        elif tag == "si":
            self.strings.add("".join(self.parts))
            if len(self.strings) > self.limits.max_cells:
                raise too_many_cells(self.limits)
        elif tag == "rPh":
            self.phonetic = False

    def text(self, data):
        if self.collect:
            self.parts.append(data)
            self.chars += len(data)
            if self.chars > MAX_ROW_CHARS:
                raise _damaged()


def _shared_strings(archive: zipfile.ZipFile, name: str | None, limits: Limits) -> _Strings:
    if name is None:
        return _Strings()
    reader = _StringsReader(limits)
    _parse(archive, name, reader.start, reader.end, reader.text)
    return reader.strings


def _is_date_format(number_format: int, code: str | None) -> bool:
    if code is None:
        return number_format in DATE_FORMATS
    first = code.split(";")[0]
    return not _DURATION.search(first) and bool(_DATE_CODES.search(_LITERALS.sub("", first)))


def _date_styles(archive: zipfile.ZipFile, name: str | None) -> frozenset[str]:
    """The cell styles (their indexes, as the sheet writes them) whose number format shows a date or time."""
    if name is None:
        return frozenset()
    codes: dict[int, str] = {}
    formats: list[int] = []
    in_cell_formats = [False]

    def start(tag, attrs):
        tag = _local(tag)
        if tag == "xf" and in_cell_formats[0]:
            formats.append(int(attrs.get("numFmtId", "0") or 0))
        elif tag == "numFmt":
            codes[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            in_cell_formats[0] = True

    def end(tag):
        if _local(tag) == "cellXfs":
            in_cell_formats[0] = False

    _parse(archive, name, start, end)
    return frozenset(str(i) for i, f in enumerate(formats) if _is_date_format(f, codes.get(f)))


def _from_excel(value: float, epoch: datetime.datetime) -> datetime.datetime | datetime.time:
    """A date cell's serial number as a moment (as openpyxl reads it: to the millisecond; under a day, a time
    of day; the 1900 calendar's phantom 29 February before 1 March 1900)."""
    day, fraction = divmod(value, 1)
    milliseconds = round(fraction * 86_400_000)
    if 0 <= value < 1 and milliseconds < 86_400_000:
        seconds, millisecond = divmod(milliseconds, 1000)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        return datetime.time(hour, minute, second, millisecond * 1000)
    if 0 < value < 60 and epoch == EPOCH_1900:
        day += 1
    return epoch + datetime.timedelta(days=day, milliseconds=milliseconds)


_COLUMN_OF: dict[str, int] = {}


def _column(reference: str) -> int:
    """The column of a cell reference such as "AB12": 28. Beyond XFD, Excel's last column, a huge number."""
    letters = reference.rstrip("0123456789")
    column = _COLUMN_OF.get(letters)
    if column is None:
        if len(letters) > 3:
            return 1 << 30
        if not letters or not letters.isascii() or not letters.isalpha():
            raise ValueError(reference)  # the workbook is damaged
        column = 0
        for letter in letters.upper():
            column = column * 26 + ord(letter) - 64
        _COLUMN_OF[letters] = column  # at most 26³ + 26² + 26 of them
    return column


class _SheetReader:
    """Handlers that read a worksheet's rows (data only: a formula's last computed value). Completed rows
    gather in `done` as (row number, cells, positions of the cells that hold a shared string's index); the
    strings are looked up as each row is handed on, so that rows waiting in `done` stay small."""

    def __init__(
        self, strings: _Strings, date_styles: frozenset[str], epoch: datetime.datetime, limits: Limits
    ):
        self.strings = strings
        self.date_styles = date_styles
        self.epoch = epoch
        self.limits = limits
        self.done: list[tuple[int, list[Cell], list[int]]] = []
        self.number = 0  # the row being read
        self.cells: list[Cell] = []
        self.shared: list[int] = []
        self.row_chars = 0
        self.column = 0
        self.kind = "n"
        self.style: str | None = None
        self.parts: list[str] = []
        self.collect = False
        self.inline = False
        self.phonetic = False
        self.rows = 0  # rows with a value
        self.cell_count = 0

    def start(self, tag, attrs):
        if ":" in tag:
            tag = tag.rpartition(":")[2]
        if tag == "c":
            self.cell_count += 1
            if self.cell_count > self.limits.max_cells:
                raise too_many_cells(self.limits)
            reference = attrs.get("r")
            self.column = _column(reference) if reference else self.column + 1
            self.kind = attrs.get("t", "n")
            self.style = attrs.get("s")
            self.parts.clear()
        elif tag == "v":
            self.collect = True
        elif tag == "row":
            number = attrs.get("r")
            self.number = int(number) if number else self.number + 1
            self.column = 0
        elif tag == "t":
            self.collect = self.inline and not self.phonetic
        elif tag == "is":
            self.inline = True
        elif tag == "rPh":
            self.phonetic = True

    def end(self, tag):
        if ":" in tag:
            tag = tag.rpartition(":")[2]
        if tag == "v":
            self.collect = False
        elif tag == "c":
            self.collect = False
            if self.parts:
                self._cell()
        elif tag == "row":
            if self.cells:
                self.rows += 1
                if self.rows > self.limits.max_rows + 1:
                    raise too_many_rows(self.limits)
                self.done.append((self.number, self.cells, self.shared))
                self.cells, self.shared = [], []
            self.row_chars = 0
        elif tag == "t":
            self.collect = False
        elif tag == "is":
            self.inline = False
        elif tag == "rPh":
            self.phonetic = False

    def text(self, data):
        if self.collect:
            self.parts.append(data)
            self.row_chars += len(data)
            if self.row_chars > MAX_ROW_CHARS:
                raise row_too_long(self.number)

    def _cell(self) -> None:
        parts = self.parts
        text = parts[0] if len(parts) == 1 else "".join(parts)
        kind = self.kind
        shared = False
        value: Cell
        if kind == "n":
            value = float(text) if "." in text or "e" in text or "E" in text else int(text)
            if self.style in self.date_styles:
                with contextlib.suppress(OverflowError, ValueError):  # beyond the calendar: left a number
                    value = _from_excel(value, self.epoch)
        elif kind == "s":
            value = int(text)
            self.row_chars += self.strings.size(value)
            if self.row_chars > MAX_ROW_CHARS:
                raise row_too_long(self.number)
            shared = True
        elif kind == "b":
            value = text.strip() in ("1", "true")
        elif kind == "d":
            try:
                value = datetime.datetime.fromisoformat(text.strip())
            except ValueError:
                value = text
        else:  # inlineStr, str (a formula's text), e (an error such as #N/A)
            value = text
        column = self.column
        if column > self.limits.max_columns:
            raise too_many_columns(self.number, self.limits)
        cells = self.cells
        if column > len(cells):
            if column > len(cells) + 1:
                cells.extend([None] * (column - 1 - len(cells)))
            cells.append(value)
        else:  # a column written twice, or out of order
            cells[column - 1] = value
            if column - 1 in self.shared:
                self.shared.remove(column - 1)
        if shared:
            self.shared.append(column - 1)


def workbook_rows(archive: zipfile.ZipFile, limits: Limits) -> Iterator[Row]:
    with archive:
        parts = locate_parts(archive)
        strings = _shared_strings(archive, parts.strings, limits)
        sheet = _SheetReader(strings, _date_styles(archive, parts.styles), parts.epoch, limits)

        def damaged() -> UnreadableFile:
            if not sheet.number:
                return _damaged()
            return UnreadableFile(
                _("The workbook is damaged after row %(row)d. Download or save it again and retry.")
                % {"row": sheet.number}
            )

        for _chunk in _xml(archive, parts.sheet, sheet.start, sheet.end, sheet.text, damaged):
            done, sheet.done = sheet.done, []
            for number, cells, shared in done:
                for i in shared:
                    cells[i] = strings.get(cells[i])  # type: ignore[arg-type]
                yield number, cells


def stated_rows(archive: zipfile.ZipFile, sheet: str) -> int:
    """The last row of the dimension the sheet states before its data ("A1:K1000": 1000), or 0."""
    stated: list[str] = []

    def start(tag, attrs):
        tag = _local(tag)
        if tag == "dimension":
            stated.append(attrs.get("ref", ""))
            raise _Stop
        if tag == "sheetData":
            raise _Stop

    with contextlib.suppress(_Stop):
        _parse(archive, sheet, start)
    digits = re.search(r"(\d+)$", stated[0]) if stated else None
    return int(digits.group(1)) if digits else 0
