"""The workbook of an import's rejected rows, written in memory for the batch page's download."""

import io

from django.utils.translation import gettext as _

from .models import ImportBatch


def _safe(value):
    """A text cell a spreadsheet would take for a formula is written as text (prefixed with ')."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def rejections_workbook(*, batch: ImportBatch) -> bytes:
    """Each rejected row of the batch with why it was refused, as an XLSX file; streamed, not held per row."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Rejected rows")[:31])
    sheet.append([_("Row"), _("Why it was refused")])
    for row, reason in batch.rejections.values_list("row", "reason").iterator(chunk_size=2000):
        sheet.append([row, _safe(reason)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
