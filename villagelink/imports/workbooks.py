"""The workbook of an import's rejected rows, written in memory for the batch page's download."""

import io

from django.utils.translation import gettext as _

from villagelink.core.notes import note_text

from .models import ImportBatch


def _safe(value):
    """A text cell a spreadsheet would take for a formula is written as text (prefixed with ')."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def rejections_workbook(*, batch: ImportBatch) -> bytes:
    """Each rejected row of the batch as the report has it (its cells under the report's own header), with its
    row number and why it was refused, as an XLSX file: the officer corrects the rows there and imports
    them again. Streamed from the database, not held per row."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Rejected rows")[:31])
    header = (batch.summary or {}).get("header", [])
    sheet.append([_("Row"), _("Why it was refused"), *(_safe(h) for h in header)])
    rows = batch.rejections.values_list("row", "reason", "cells").iterator(chunk_size=2000)
    for row, reason, cells in rows:
        sheet.append([row, _safe(note_text(reason)), *(_safe(c) for c in cells or [])])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
