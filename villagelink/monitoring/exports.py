"""The dashboard as an Excel workbook: the same figures, one sheet per view.

Money is written as numbers in yuan, counts as integers and shares as fractions shown as percentages, so that
the cells can be summed and charted. Every text cell goes through `_safe`: a unit's name or a note from the
database that begins like a formula is written as text, never as a formula.

Callers pass the person's dashboard (`selectors.dashboard_for`) of a unit they may see.
"""

import io
from collections.abc import Iterable, Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from villagelink.core.dates import region_zone
from villagelink.quality.shares import NOTHING, ON_ORDERS

from .indicators import INDICATORS, Indicator, Measure
from .selectors import Dashboard, Values

YUAN_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
SHARE_FORMAT = "0.0%"
DAYS_FORMAT = "0.0"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _safe(text) -> str:
    """Text as a spreadsheet will show it, never as a formula: a leading =, +, -, @ (or tab, carriage
    return) gets an apostrophe in front; characters an XLSX file cannot hold are left out."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(text))
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _number(measure: Measure, value: int | float | None) -> tuple[int | float | None, str]:
    """A figure as the number a cell holds (money in yuan) and that cell's number format."""
    if measure == Measure.YUAN:
        return (None if value is None else value / 100), YUAN_FORMAT
    if measure == Measure.SHARE:
        return value, SHARE_FORMAT
    if measure == Measure.DAYS:
        return value, DAYS_FORMAT
    return (None if value is None else int(value)), COUNT_FORMAT


def _put(sheet: Worksheet, row: int, column: int, value, number_format: str | None = None) -> None:
    """Writes one cell: text made safe, numbers as numbers (with their format), None as an empty cell."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = _safe(value)
    else:
        cell.value = value
        if number_format is not None:
            cell.number_format = number_format


def _header(sheet: Worksheet, row: int, titles: Iterable[str]) -> None:
    for column, title in enumerate(titles, start=1):
        _put(sheet, row, column, str(title))
        sheet.cell(row=row, column=column).font = BOLD


def _widths(sheet: Worksheet, widths: Sequence[float]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _sheet(workbook: Workbook, title: str) -> Worksheet:
    # Excel allows 31 characters in a sheet's name.
    return workbook.create_sheet(title[:31])


def _measure_label(measure: Measure) -> str:
    return {
        Measure.YUAN: _("yuan"),
        Measure.COUNT: _("number"),
        Measure.SHARE: _("share (%)"),
        Measure.DAYS: _("days"),
    }[measure]


def _indicators_sheet(workbook: Workbook, dashboard: Dashboard) -> None:
    unit, period, values = dashboard.unit, dashboard.period, dashboard.values
    sheet = _sheet(workbook, _("Indicators"))
    zone = region_zone()
    generated = timezone.now().astimezone(zone)
    title_rows = [
        (_("Unit"), unit.name, unit.code),
        (_("Period"), f"{period.start.isoformat()} – {period.end.isoformat()}", period.key),
        (_("Generated at"), f"{generated:%Y-%m-%d %H:%M:%S}", zone.key),
    ]
    for row, cells in enumerate(title_rows, start=1):
        for column, text in enumerate(cells, start=1):
            _put(sheet, row, column, str(text))
        sheet.cell(row=row, column=1).font = BOLD
    header_row = len(title_rows) + 2
    _header(
        sheet,
        header_row,
        [
            _("Indicator"),
            _("Value"),
            _("Unit of measure"),
            _("Definition"),
            _("On open flags"),
            _("Share on open flags"),
            _("Excluded by confirmed flags"),
        ],
    )
    flags = dashboard.flags
    for row, indicator in enumerate(INDICATORS, start=header_row + 1):
        number, number_format = _number(indicator.measure, values[indicator.name])
        _put(sheet, row, 1, str(indicator.label))
        _put(sheet, row, 2, number, number_format)
        _put(sheet, row, 3, _measure_label(indicator.measure))
        _put(sheet, row, 4, str(indicator.definition))
        sheet.cell(row=row, column=4).alignment = WRAP
        if indicator.name in ON_ORDERS:  # what the figure rests on, beside it
            part = flags.part(indicator.name)
            _put(sheet, row, 5, *_number(indicator.measure, part.open))
            _put(sheet, row, 6, part.share_of(values[indicator.name]), SHARE_FORMAT)
            _put(sheet, row, 7, *_number(indicator.measure, part.excluded))
    _sign_off_rows(sheet, header_row + len(INDICATORS) + 2, dashboard)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    _widths(sheet, [36, 22, 16, 90, 18, 14, 18])


def _sign_off_rows(sheet: Worksheet, row: int, dashboard: Dashboard) -> None:
    """Below the indicators: whether the month stands approved (by whom, when, with how many flags open and
    why), and the flags filed after an approval of the period's months."""
    approval = dashboard.approval
    lines: list[tuple[str, str]] = []
    if approval is not None and approval.standing is not None:
        standing = approval.standing
        text = _("Approved by %(who)s on %(day)s") % {
            "who": standing.approved_by.get_full_name() or standing.approved_by.username,
            "day": f"{timezone.localtime(standing.approved_at, region_zone()):%Y-%m-%d}",
        }
        if standing.open_flags:
            text += "; " + ngettext(
                "%(count)d flag was still open; the approver's reason: %(reason)s",
                "%(count)d flags were still open; the approver's reason: %(reason)s",
                standing.open_flags,
            ) % {"count": standing.open_flags, "reason": standing.reason}
        lines.append((_("Approval"), text))
    elif approval is not None:
        text = _("Not approved")
        if approval.open_flags:
            text += "; " + ngettext(
                "%(count)d flag of the area is still open",
                "%(count)d flags of the area are still open",
                approval.open_flags,
            ) % {"count": approval.open_flags}
        lines.append((_("Approval"), text))
    for later in dashboard.found_later:
        lines.append(
            (
                _("Flags found after approval"),
                ngettext(
                    "%(month)s: %(count)d flag found after the month was approved (%(open)d still open)",
                    "%(month)s: %(count)d flags found after the month was approved (%(open)d still open)",
                    later.flags,
                )
                % {"month": f"{later.month:%Y-%m}", "count": later.flags, "open": later.still_open},
            )
        )
    for offset, (label, text) in enumerate(lines):
        _put(sheet, row + offset, 1, label)
        sheet.cell(row=row + offset, column=1).font = BOLD
        _put(sheet, row + offset, 2, text)


def _trend_sheet(workbook: Workbook, dashboard: Dashboard) -> None:
    sheet = _sheet(workbook, _("Monthly trend"))
    _header(
        sheet,
        1,
        [_("Month"), _("Sales (yuan)"), _("Sales orders"), _("Purchases (yuan)"), _("Purchases orders")],
    )
    for row, month in enumerate(dashboard.months, start=2):
        _put(sheet, row, 1, f"{month.start:%Y-%m}")
        _put(sheet, row, 2, month.sales_fen / 100, YUAN_FORMAT)
        _put(sheet, row, 3, month.sales_orders, COUNT_FORMAT)
        _put(sheet, row, 4, month.purchases_fen / 100, YUAN_FORMAT)
        _put(sheet, row, 5, month.purchases_orders, COUNT_FORMAT)
    sheet.freeze_panes = "A2"
    _widths(sheet, [12, 18, 14, 18, 16])


def _channels_sheet(workbook: Workbook, dashboard: Dashboard) -> None:
    sheet = _sheet(workbook, _("Channels"))
    titles = [
        _("Channel"),
        _("Sales (yuan)"),
        _("Sales orders"),
        _("Purchases (yuan)"),
        _("Purchases orders"),
    ]
    _header(sheet, 1, titles)
    for row, trade in enumerate(dashboard.channels, start=2):
        _put(sheet, row, 1, trade.label)
        _put(sheet, row, 2, trade.sales_fen / 100, YUAN_FORMAT)
        _put(sheet, row, 3, trade.sales_orders, COUNT_FORMAT)
        _put(sheet, row, 4, trade.purchases_fen / 100, YUAN_FORMAT)
        _put(sheet, row, 5, trade.purchases_orders, COUNT_FORMAT)
    sheet.freeze_panes = "A2"
    _widths(sheet, [30, 18, 14, 18, 16])
    sheet = _sheet(workbook, _("Purchases by category"))
    _header(sheet, 1, [_("Category"), _("Purchases (yuan)"), _("Purchases orders")])
    for row, trade in enumerate(dashboard.categories, start=2):
        _put(sheet, row, 1, trade.label)
        _put(sheet, row, 2, trade.purchases_fen / 100, YUAN_FORMAT)
        _put(sheet, row, 3, trade.purchases_orders, COUNT_FORMAT)
    sheet.freeze_panes = "A2"
    _widths(sheet, [30, 18, 16])


def _indicator_cells(sheet: Worksheet, row: int, first_column: int, values: Values) -> None:
    for column, indicator in enumerate(INDICATORS, start=first_column):
        number, number_format = _number(indicator.measure, values[indicator.name])
        _put(sheet, row, column, number, number_format)


def _children_sheet(workbook: Workbook, dashboard: Dashboard) -> None:
    sheet = _sheet(workbook, _("Children"))
    flag_columns = [_("Open flags"), _("On open flags (yuan)"), _("Excluded by confirmed flags (yuan)")]
    _header(
        sheet, 1, [_("Code"), _("Name"), *(str(indicator.label) for indicator in INDICATORS), *flag_columns]
    )
    for cell in sheet[1]:
        cell.alignment = WRAP
    children = dashboard.children
    after = 3 + len(INDICATORS)
    for row, child in enumerate(children, start=2):
        _put(sheet, row, 1, child.unit.code)
        _put(sheet, row, 2, child.unit.name)
        _indicator_cells(sheet, row, 3, child.values)
        flags = dashboard.children_flags.get(child.unit.path, NOTHING)
        _put(sheet, row, after, flags.open_flags, COUNT_FORMAT)
        _put(sheet, row, after + 1, flags.open_fen / 100, YUAN_FORMAT)
        _put(sheet, row, after + 2, flags.excluded_fen / 100, YUAN_FORMAT)
    own = dashboard.own
    if own is not None:
        row = len(children) + 2
        _put(sheet, row, 2, _("Recorded at %(unit)s itself") % {"unit": dashboard.unit.name})
        _indicator_cells(sheet, row, 3, own)
    sheet.freeze_panes = "C2"
    _widths(sheet, [14, 28, *(_indicator_width(indicator) for indicator in INDICATORS), 12, 18, 18])


def _indicator_width(indicator: Indicator) -> float:
    return 18 if indicator.measure == Measure.YUAN else 14


def _designations_sheet(workbook: Workbook, dashboard: Dashboard) -> None:
    sheet = _sheet(workbook, _("Designations"))
    _header(sheet, 1, [_("Year"), _("Batch"), _("County code"), _("County name"), _("Note")])
    for row, designation in enumerate(dashboard.designations, start=2):
        _put(sheet, row, 1, designation.year, "0")
        _put(sheet, row, 2, designation.batch, "0")
        _put(sheet, row, 3, designation.county.code)
        _put(sheet, row, 4, designation.county.name)
        _put(sheet, row, 5, designation.note or None)
    sheet.freeze_panes = "A2"
    _widths(sheet, [8, 8, 14, 28, 40])


def _definitions_sheet(workbook: Workbook) -> None:
    sheet = _sheet(workbook, _("Definitions"))
    _header(sheet, 1, [_("Name"), _("Label"), _("Definition")])
    for row, indicator in enumerate(INDICATORS, start=2):
        _put(sheet, row, 1, indicator.name)
        _put(sheet, row, 2, str(indicator.label))
        _put(sheet, row, 3, str(indicator.definition))
        sheet.cell(row=row, column=3).alignment = WRAP
    sheet.freeze_panes = "A2"
    _widths(sheet, [26, 36, 100])


def dashboard_workbook(*, dashboard: Dashboard) -> bytes:
    """A unit's dashboard for a period as an XLSX file: indicators, monthly trend, trade by channel and
    purchases by category, children, demonstration county designations and the indicators' definitions, in
    the active language."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _indicators_sheet(workbook, dashboard)
    _trend_sheet(workbook, dashboard)
    _channels_sheet(workbook, dashboard)
    _children_sheet(workbook, dashboard)
    _designations_sheet(workbook, dashboard)
    _definitions_sheet(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
