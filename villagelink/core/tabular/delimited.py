"""CSV: UTF-8 with or without a byte-order mark, or GBK/GB18030 (GB18030 decodes both); comma- or
tab-separated, whichever the first line has more of. Read a line at a time, no line held beyond a row's
length."""

import codecs
import csv
import io
from collections.abc import Iterator
from typing import BinaryIO

from django.utils.translation import gettext as _

from .limits import (
    MAX_ROW_CHARS,
    Limits,
    Row,
    UnreadableFile,
    blocks,
    head,
    row_too_long,
    too_many_cells,
    too_many_columns,
    too_many_rows,
)


def _encoding(file: BinaryIO) -> str:
    if head(file, 3).startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for block in blocks(file):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            file.seek(0)
        return encoding
    raise UnreadableFile(
        _(
            "The file is neither an Excel workbook (.xlsx) nor CSV text in UTF-8 or GBK/GB18030. Save it as "
            ".xlsx or as CSV UTF-8 and retry."
        )
    )


def csv_rows(file: BinaryIO, limits: Limits) -> Iterator[Row]:
    encoding = _encoding(file)
    if b"\x00" in head(file, 4096):
        raise UnreadableFile(
            _("The file holds binary data, not CSV text. Save it as .xlsx or as CSV UTF-8 and retry.")
        )
    return _csv_reader(file, encoding, limits)


def _csv_reader(file: BinaryIO, encoding: str, limits: Limits) -> Iterator[Row]:
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    row_chars = 0

    def lines() -> Iterator[str]:
        """The file's lines, none longer than a row may be (readline stops there, so none is held whole)."""
        nonlocal row_chars
        while line := text.readline(MAX_ROW_CHARS + 1):
            row_chars += len(line)
            if row_chars > MAX_ROW_CHARS:
                raise row_too_long(reader.line_num + 1)
            yield line

    try:
        first_line = text.readline(MAX_ROW_CHARS)
        text.seek(0)
        delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
        reader = csv.reader(lines(), delimiter=delimiter)
        rows = cells = 0
        try:
            for row in reader:
                row_chars = 0
                cells += len(row)
                if len(row) > limits.max_columns:
                    raise too_many_columns(reader.line_num, limits)
                if cells > limits.max_cells:
                    raise too_many_cells(limits)
                if any(row):
                    rows += 1
                    if rows > limits.max_rows + 1:
                        raise too_many_rows(limits)
                yield reader.line_num, row  # type: ignore[misc]
        except csv.Error as exc:
            raise UnreadableFile(
                _(
                    "Line %(line)d of the file is not valid CSV (%(error)s). Download or save it again and retry."
                )
                % {"line": reader.line_num, "error": exc}
            ) from exc
    finally:
        if not file.closed:
            text.detach()  # the file belongs to the caller: closing the wrapper must not close it
