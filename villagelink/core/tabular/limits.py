"""The limits every uploaded table is held to, the error that refuses one, and the file's plumbing."""

import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from villagelink.core.exceptions import ApplicationError

Cell = str | int | float | bool | datetime.datetime | datetime.time | None
Row = tuple[int, list[Cell]]

BLOCK = 1 << 20  # bytes of a file read at a time
MAX_ROW_CHARS = 1 << 20  # of one row (and one line of CSV): no table needs more


def limit(name: str) -> int:
    """The setting VILLAGELINK_IMPORT_<name>."""
    return int(getattr(settings, f"VILLAGELINK_IMPORT_{name}"))


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_unpacked_bytes: int
    max_rows: int
    max_columns: int
    max_cells: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            max_bytes=limit("MAX_BYTES"),
            max_unpacked_bytes=limit("MAX_UNCOMPRESSED_BYTES"),
            max_rows=limit("MAX_ROWS"),
            max_columns=limit("MAX_COLUMNS"),
            max_cells=limit("MAX_CELLS"),
        )

    def at_most(self, **caps: int) -> "Limits":
        """These limits, each named one lowered to its cap (an upload that takes less than the settings)."""
        return replace(self, **{name: min(getattr(self, name), cap) for name, cap in caps.items()})


class UnreadableFile(ApplicationError):
    """The file as a whole cannot be read as a table, or lies beyond a limit; nothing is written."""


def binary(source: bytes | BinaryIO) -> BinaryIO:
    """A seekable binary file over the table: the bytes themselves, or the open file (an upload, a stored
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


def check_size(size: int, limits: Limits | None = None) -> None:
    limits = limits or Limits.from_settings()
    if size > limits.max_bytes:
        raise UnreadableFile(
            _("The file is larger than %(mb).0f MB, the most one import takes; split it into smaller files.")
            % {"mb": limits.max_bytes / (1024 * 1024)}
        )
    if size == 0:
        raise UnreadableFile(_("The file is empty: it needs a header row and one row per record."))


def is_xlsx(data: bytes, filename: str) -> bool:
    """`data`: the file's first bytes (4 are enough) or all of it."""
    return filename.lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04"


def head(file: BinaryIO, size: int) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def blocks(file: BinaryIO) -> Iterator[bytes]:
    file.seek(0)
    while block := file.read(BLOCK):
        yield block
    file.seek(0)


def too_many_rows(limits: Limits) -> UnreadableFile:
    return UnreadableFile(
        _("The file has more than %(max)s rows, the most one import takes; split it.")
        % {"max": f"{limits.max_rows:,}"}
    )


def too_many_columns(row: int, limits: Limits) -> UnreadableFile:
    return UnreadableFile(
        _(
            "Row %(row)d has more than %(max)s columns, the most one import takes. Delete the columns the "
            "table does not need and retry."
        )
        % {"row": row, "max": f"{limits.max_columns:,}"}
    )


def too_many_cells(limits: Limits) -> UnreadableFile:
    return UnreadableFile(
        _(
            "The file has more than %(max)s cells, the most one import takes. Delete the columns the table "
            "does not need, or split it, and retry."
        )
        % {"max": f"{limits.max_cells:,}"}
    )


def row_too_long(row: int) -> UnreadableFile:
    return UnreadableFile(
        _(
            "Row %(row)d holds more than %(max)s characters, more than a row of a table can. Check that this "
            "is the right file and retry."
        )
        % {"row": row, "max": f"{MAX_ROW_CHARS:,}"}
    )
