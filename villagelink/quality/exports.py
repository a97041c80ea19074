"""The data-quality workbook of an area and a month: its flags (each with its rule, unit, shop, amount, status,
reviewer, reason and evidence written out as the reviewer reads it) and its reporting completeness (per child
unit, the shops without a report and the silent village points).

Money is written as numbers in yuan and shares as fractions shown as percentages, so that the cells can be
summed; every text cell goes through `_safe`: a shop's name or a reason that begins like a formula is written
as text, never as a formula. Callers pass flags and a completeness read within the person's scope.
"""

import datetime
import io
from collections.abc import Iterable, Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from villagelink.catalog.models import Platform
from villagelink.core.dates import region_zone
from villagelink.geo.models import AdminUnit

from .completeness import Completeness, Tally
from .models import Flag, evidence_shown

YUAN_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
SHARE_FORMAT = "0.0%"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _safe(text) -> str:
    """Text as a spreadsheet shows it, never as a formula (a leading =, +, -, @, tab or carriage return gets an
    apostrophe in front); characters an XLSX file cannot hold are left out."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(text))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _put(sheet: Worksheet, row: int, column: int, value, number_format: str | None = None) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = _safe(value)
    else:
        cell.value = value
        if number_format is not None and value is not None:
            cell.number_format = number_format


def _header(sheet: Worksheet, row: int, titles: Iterable[str]) -> None:
    for column, title in enumerate(titles, start=1):
        _put(sheet, row, column, str(title))
        sheet.cell(row=row, column=column).font = BOLD
        sheet.cell(row=row, column=column).alignment = WRAP


def _widths(sheet: Worksheet, widths: Sequence[float]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _title(sheet: Worksheet, unit: AdminUnit, month: datetime.date) -> int:
    """The sheet's heading (unit, month, when it was written); returns the row its table's header goes on."""
    zone = region_zone()
    rows = [
        (_("Unit"), unit.name, unit.code),
        (_("Month"), f"{month:%Y-%m}", ""),
        (_("Generated at"), f"{timezone.now().astimezone(zone):%Y-%m-%d %H:%M:%S}", zone.key),
    ]
    for row, cells in enumerate(rows, start=1):
        for column, text in enumerate(cells, start=1):
            _put(sheet, row, column, str(text))
        sheet.cell(row=row, column=1).font = BOLD
    return len(rows) + 2


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _flags_sheet(workbook: Workbook, unit: AdminUnit, month: datetime.date, flags: Iterable[Flag]) -> None:
    sheet = workbook.create_sheet(_("Flags")[:31])
    top = _title(sheet, unit, month)
    _header(
        sheet,
        top,
        [
            _("Flag"),
            _("Rule"),
            _("Unit code"),
            _("Unit"),
            _("Shop"),
            _("Month"),
            _("Orders"),
            _("Amount (yuan)"),
            _("Status"),
            _("Reviewed by"),
            _("Reviewed at"),
            _("Reason"),
            _("Evidence"),
        ],
    )
    zone = region_zone()
    row = top
    for row, flag in enumerate(flags, start=top + 1):
        evidence = "\n".join(f"{label}: {value}" for label, value in evidence_shown(flag.evidence))
        reviewed_at = f"{flag.reviewed_at.astimezone(zone):%Y-%m-%d %H:%M}" if flag.reviewed_at else ""
        _put(sheet, row, 1, flag.pk, "0")
        _put(sheet, row, 2, str(flag.get_rule_display()))
        _put(sheet, row, 3, flag.unit.code)
        _put(sheet, row, 4, flag.unit.name)
        _put(sheet, row, 5, flag.shop.local_name if flag.shop else "")
        _put(sheet, row, 6, f"{flag.month:%Y-%m}")
        _put(sheet, row, 7, getattr(flag, "order_count", None), COUNT_FORMAT)
        _put(sheet, row, 8, flag.amount_fen / 100, YUAN_FORMAT)
        _put(sheet, row, 9, str(flag.get_status_display()))
        _put(sheet, row, 10, _person(flag.reviewed_by))
        _put(sheet, row, 11, reviewed_at)
        _put(sheet, row, 12, flag.reason)
        _put(sheet, row, 13, evidence)
        for column in (12, 13):
            sheet.cell(row=row, column=column).alignment = WRAP
    if row == top:
        _put(sheet, top + 1, 1, _("No flags in this area for this month."))
    sheet.freeze_panes = sheet.cell(row=top + 1, column=1)
    _widths(sheet, [8, 36, 14, 24, 28, 9, 8, 14, 24, 18, 17, 40, 60])


def _tally_cells(sheet: Worksheet, row: int, tally: Tally) -> None:
    _put(sheet, row, 3, tally.shops_expected, COUNT_FORMAT)
    _put(sheet, row, 4, tally.shops_reported, COUNT_FORMAT)
    _put(sheet, row, 5, tally.shops_missing, COUNT_FORMAT)
    _put(sheet, row, 6, tally.points_expected, COUNT_FORMAT)
    _put(sheet, row, 7, tally.points_silent, COUNT_FORMAT)
    _put(sheet, row, 8, tally.share, SHARE_FORMAT)


def _completeness_sheets(workbook: Workbook, found: Completeness) -> None:
    sheet = workbook.create_sheet(_("Completeness")[:31])
    top = _title(sheet, found.unit, found.month)
    _header(
        sheet,
        top,
        [
            _("Code"),
            _("Unit"),
            _("Shops expected to report"),
            _("Shops that reported"),
            _("Shops without a report"),
            _("Village points expected"),
            _("Village points that recorded nothing"),
            _("Share complete"),
        ],
    )
    row = top
    for row, child in enumerate(found.children, start=top + 1):
        _put(sheet, row, 1, child.unit.code)
        _put(sheet, row, 2, child.unit.name)
        _tally_cells(sheet, row, child.tally)
    if found.own is not None:
        row += 1
        _put(sheet, row, 2, _("Recorded at %(unit)s itself") % {"unit": found.unit.name})
        _tally_cells(sheet, row, found.own)
    row += 1
    _put(sheet, row, 1, found.unit.code)
    _put(sheet, row, 2, _("Total"))
    _tally_cells(sheet, row, found.total)
    for column in range(1, 9):
        sheet.cell(row=row, column=column).font = BOLD
    sheet.freeze_panes = sheet.cell(row=top + 1, column=3)
    _widths(sheet, [14, 28, 14, 14, 14, 14, 16, 12])

    sheet = workbook.create_sheet(_("Shops without a report")[:31])
    _header(
        sheet,
        1,
        [_("Unit code"), _("Unit"), _("Shop"), _("Platform"), _("Shop on the platform"), _("Opened on")],
    )
    for row, shop in enumerate(found.missing_shops, start=2):
        _put(sheet, row, 1, shop.unit.code)
        _put(sheet, row, 2, shop.unit.name)
        _put(sheet, row, 3, shop.local_name)
        _put(
            sheet,
            row,
            4,
            str(Platform(shop.platform).label) if shop.platform in Platform.values else shop.platform,
        )
        _put(sheet, row, 5, shop.external_id)
        _put(sheet, row, 6, shop.opened_on.isoformat())
    sheet.freeze_panes = "A2"
    _widths(sheet, [14, 24, 30, 16, 24, 12])

    sheet = workbook.create_sheet(_("Silent village points")[:31])
    _header(sheet, 1, [_("Unit code"), _("Unit"), _("Village point"), _("Opened on")])
    for row, point in enumerate(found.silent_points, start=2):
        _put(sheet, row, 1, point.unit.code)
        _put(sheet, row, 2, point.unit.name)
        _put(sheet, row, 3, point.local_name)
        _put(sheet, row, 4, point.opened_on.isoformat())
    sheet.freeze_panes = "A2"
    _widths(sheet, [14, 24, 30, 12])


def quality_workbook(*, flags: Iterable[Flag], completeness: Completeness) -> bytes:
    """The flags of an area and month (annotated with `order_count`, reviewer selected) and the area's reporting
    completeness for the month, as an XLSX file in the active language."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _flags_sheet(workbook, completeness.unit, completeness.month, flags)
    _completeness_sheets(workbook, completeness)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
