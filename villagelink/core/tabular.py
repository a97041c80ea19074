"""Reading uploaded tables (CSV in UTF-8, UTF-8 with BOM or GB18030; XLSX) into rows of text cells."""

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from .exceptions import ApplicationError

MAX_ROWS = 100_000


class UnreadableFile(ApplicationError):
    pass


def read_table(data: bytes, filename: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header (lower-cased, stripped) and (row number, cells) for each non-blank row after it.

    Row numbers are as a spreadsheet shows them: the header is row 1.
    """
    if filename.lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data)
    else:
        rows = _csv_rows(data)
    try:
        first = next(rows)
    except StopIteration:
        raise UnreadableFile(_("The file is empty: it needs a header row and one row per record.")) from None
    header = [h.strip().lower() for h in first[1]]

    def body():
        for number, cells in rows:
            if number > MAX_ROWS + 1:
                raise UnreadableFile(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})
            if any(c.strip() for c in cells):
                yield number, [c.strip() for c in cells]

    return header, body()


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile(
            _("The file is neither UTF-8 nor GB18030 text. Save it as CSV UTF-8 and try again.")
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    for cells in reader:
        yield reader.line_num, cells


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableFile(
            _("The file cannot be read as an Excel workbook (.xlsx). Save it again and retry.")
        ) from exc
    sheet = workbook.worksheets[0]
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, ["" if v is None else _cell_text(v) for v in values]
    workbook.close()


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
