"""The one reader of uploaded tables: platform order reports, households, units.

A table comes as CSV text (UTF-8 with or without a byte-order mark, or GBK/GB18030; comma- or tab-separated)
or as an Excel workbook (.xlsx, its first sheet). Rows are streamed as the file is read, never all held at
once, and a file is held to the limits below as it is read: what is beyond them, damaged or not a table
raises UnreadableFile, whose message says what was wrong and what to do. The reader writes nothing.

    read_rows(source, filename)   (row number, cells) for every row with a cell in it; a workbook's cells
                                  as typed (text, numbers, dates as naive datetimes, booleans), CSV's as text
    read_table(source, filename)  the header (the first row with text: stripped, lower-cased) and the
                                  (row number, stripped texts) of every non-blank row after it

`source`: the file's bytes, or the file open for reading in binary (it is read, never closed). Row numbers
are as a spreadsheet shows them, the first line or row being 1.

The limits are the settings VILLAGELINK_IMPORT_* (config/settings/base.py); an upload may lower them
(Limits.at_most):

- MAX_BYTES: the file as uploaded;
- MAX_UNCOMPRESSED_BYTES: a workbook's parts unpacked, as its zip directory states them, checked before
  anything is unpacked (a zip bomb is refused unread; a part that unpacks to more than it states is cut off
  there by zipfile, and refused as damaged);
- MAX_ROWS: rows with something in them, a header row aside;
- MAX_COLUMNS: the columns of one row;
- MAX_CELLS: the cells of the whole file (of a workbook: its shared strings too).

Besides, so that memory stays bounded whatever the file: a row of at most MAX_ROW_CHARS characters (a line of
CSV too), at most MAX_RUN_BYTES of a workbook's XML without a tag beginning, and no more than MAX_PARTS parts
in a workbook's zip directory.

limits.py holds the limits and the file's plumbing, delimited.py reads CSV, workbook.py XLSX.
"""

from collections.abc import Iterator, Sequence
from typing import BinaryIO

from django.utils.translation import gettext as _

from . import delimited, workbook
from .limits import (
    BLOCK,
    MAX_ROW_CHARS,
    Cell,
    Limits,
    Row,
    UnreadableFile,
    binary,
    blocks,
    check_size,
    head,
    is_xlsx,
    limit,
    size_of,
)

__all__ = [
    "BLOCK",
    "MAX_ROW_CHARS",
    "Cell",
    "Limits",
    "Row",
    "UnreadableFile",
    "binary",
    "check_size",
    "count_rows",
    "is_xlsx",
    "limit",
    "read_rows",
    "read_table",
    "size_of",
    "text_of",
]


def read_rows(source: bytes | BinaryIO, filename: str, *, limits: Limits | None = None) -> Iterator[Row]:
    """(row number, cells) for every row with a cell in it; see the module's text. The size of the file, and
    a workbook's zip directory, are checked at once; the rest as the rows are read."""
    limits = limits or Limits.from_settings()
    file = binary(source)
    check_size(size_of(file), limits)
    first = head(file, len(workbook.OLE))
    if first == workbook.OLE:
        raise UnreadableFile(
            _(
                "The file is an old Excel workbook (.xls) or one with a password. Open it in Excel or WPS, "
                "save it as .xlsx without a password or as CSV UTF-8, and retry."
            )
        )
    if is_xlsx(first, filename):
        return workbook.workbook_rows(workbook.open_workbook(file, limits), limits)
    return delimited.csv_rows(file, limits)


def read_table(
    source: bytes | BinaryIO, filename: str, *, limits: Limits | None = None
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header (the first row with text in it, stripped and lower-cased) and (row number, stripped texts)
    for each non-blank row after it."""
    rows = read_rows(source, filename, limits=limits)
    for _number, cells in rows:
        texts = [text_of(c) for c in cells]
        if any(texts):
            header = [t.lower() for t in texts]
            break
    else:
        raise UnreadableFile(_("The file is empty: it needs a header row and one row per record."))

    def body() -> Iterator[tuple[int, list[str]]]:
        for number, cells in rows:
            texts = [text_of(c) for c in cells]
            if any(texts):
                yield number, texts

    return header, body()


def read_records(
    source: bytes | BinaryIO,
    filename: str,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    limits: Limits | None = None,
) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for each non-blank row of a table whose header names every `required`
    column, and perhaps some `optional` ones (a short row's missing cells read ""). A header without them is
    refused at once, naming what is missing and what is expected."""
    header, rows = read_table(source, filename, limits=limits)
    missing = [c for c in required if c not in header]
    if missing:
        raise UnreadableFile(
            _(
                "The header row lacks the column(s) %(missing)s. Columns: %(columns)s (optional: %(optional)s)."
            )
            % {"missing": ", ".join(missing), "columns": ", ".join(required), "optional": ", ".join(optional)}
        )
    index = {name: header.index(name) for name in (*required, *optional) if name in header}
    return (
        (number, {name: cells[i] if i < len(cells) else "" for name, i in index.items()})
        for number, cells in rows
    )


def count_rows(source: bytes | BinaryIO, filename: str) -> int:
    """About how many rows the file holds, cheaply: its line breaks, or the dimension its sheet states (0 when
    it states none). A workbook's zip directory is checked as read_rows checks it."""
    file = binary(source)
    try:
        if not is_xlsx(head(file, 4), filename):
            count, last = 0, b""
            for block in blocks(file):
                count += block.count(b"\n")
                last = block[-1:]
            return count + (0 if last in (b"\n", b"") else 1)
        with workbook.open_workbook(file, Limits.from_settings()) as archive:
            return workbook.stated_rows(archive, workbook.locate_parts(archive).sheet)
    finally:
        file.seek(0)


def text_of(value: Cell) -> str:
    """A cell as text, stripped; a whole number Excel stored as a float without its ".0"."""
    if type(value) is str:  # every cell of a CSV file: the common case first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
