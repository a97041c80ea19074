"""Writes to the administrative hierarchy."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _

from villagelink.core.exceptions import ApplicationError
from villagelink.core.tabular import UnreadableFile, read_table

from .models import (
    LEVEL_CODE_LENGTH,
    LEVEL_ORDER,
    LEVEL_PATH_WIDTH,
    PARENT_LEVELS,
    AdminUnit,
    Level,
    path_for,
)
from .signals import units_created

REQUIRED_COLUMNS = ("code", "parent_code", "level", "name_zh", "name_en")
OPTIONAL_COLUMNS = ("name_bo", "longitude", "latitude")
LOOKUP_CHUNK = 900


class UnitImportError(ApplicationError):
    """The file was refused; `details` holds one line per problem, each naming its row."""


@dataclass(frozen=True)
class UnitRow:
    row: int
    code: str
    parent_code: str
    level: str
    name_zh: str
    name_en: str
    name_bo: str | None = (
        None  # None: the file has no Tibetan column, and a known unit keeps its Tibetan name
    )
    longitude: str = ""
    latitude: str = ""


@dataclass(frozen=True)
class UnitImportResult:
    created: int
    updated: int
    unchanged: int


def unit_rows_from_csv(data: bytes | BinaryIO, filename: str = "units.csv") -> list[UnitRow]:
    """Reads the layout `code,parent_code,level,name_zh,name_en[,name_bo,longitude,latitude]` from a CSV file
    (UTF-8 with or without a byte-order mark, or GBK/GB18030) or an Excel workbook (.xlsx, its first sheet).

    Blank rows are skipped. Row numbers count the header as row 1, as a spreadsheet shows them.
    """
    try:
        header, body = read_table(data, filename)
        rows = list(body)
    except UnreadableFile as exc:
        raise UnitImportError(exc.message) from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise UnitImportError(
            _(
                "The header row lacks the column(s) %(missing)s. The columns are: %(columns)s (optional: %(optional)s)."
            )
            % {
                "missing": ", ".join(missing),
                "columns": ",".join(REQUIRED_COLUMNS),
                "optional": ",".join(OPTIONAL_COLUMNS),
            }
        )
    index = {name: header.index(name) for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if name in header}
    return [
        UnitRow(row=number, **{name: (cells[i] if i < len(cells) else "") for name, i in index.items()})
        for number, cells in rows
    ]


def _existing_units(codes: Iterable[str]) -> dict[str, AdminUnit]:
    codes = list(codes)
    found: dict[str, AdminUnit] = {}
    for start in range(0, len(codes), LOOKUP_CHUNK):
        for unit in AdminUnit.objects.select_related("parent").filter(
            code__in=codes[start : start + LOOKUP_CHUNK]
        ):
            found[unit.code] = unit
    return found


def _coordinate(value: str, limit: int) -> Decimal | None:
    if not value:
        return None
    number = Decimal(value)
    if not number.is_finite() or abs(number) > limit:
        raise InvalidOperation
    return number.quantize(Decimal("0.000001"))


def _check_row(row: UnitRow, first_row: dict[str, int]) -> list[str]:
    """Problems a row has on its own, without looking at its parent."""
    problems = []
    if row.code in first_row and first_row[row.code] != row.row:
        problems.append(
            _("code %(code)s appears twice (first on row %(first)d)")
            % {"code": row.code, "first": first_row[row.code]}
        )
    if row.level not in LEVEL_ORDER:
        problems.append(
            _("level “%(level)s” is not one of %(levels)s")
            % {"level": row.level, "levels": ", ".join(Level.values)}
        )
    elif not (row.code.isdigit() and len(row.code) == LEVEL_CODE_LENGTH[Level(row.level)]):
        problems.append(
            _("code “%(code)s” must be %(length)d digits for a %(level)s")
            % {
                "code": row.code,
                "length": LEVEL_CODE_LENGTH[Level(row.level)],
                "level": str(Level(row.level).label).lower(),
            }
        )
    elif row.code[LEVEL_PATH_WIDTH[Level(row.level)] :].strip("0"):
        problems.append(
            _("code %(code)s does not fit a %(level)s: its last %(zeros)d digits must be zeros")
            % {
                "code": row.code,
                "level": str(Level(row.level).label).lower(),
                "zeros": len(row.code) - LEVEL_PATH_WIDTH[Level(row.level)],
            }
        )
    if not row.name_zh:
        problems.append(_("name_zh (the Chinese name) is missing"))
    if not row.name_en:
        problems.append(_("name_en (the English name) is missing"))
    for field, limit in (("longitude", 180), ("latitude", 90)):
        try:
            _coordinate(getattr(row, field), limit)
        except InvalidOperation:
            problems.append(
                _("%(field)s “%(value)s” is not a number between -%(limit)d and %(limit)d")
                % {"field": field, "value": getattr(row, field), "limit": limit}
            )
    return problems


def _check_parent(row: UnitRow, parent: "UnitRow | AdminUnit | None") -> list[str]:
    if row.level == Level.REGION:
        return (
            [_("a region has no parent, but parent_code is %(parent)s") % {"parent": row.parent_code}]
            if row.parent_code
            else []
        )
    if not row.parent_code:
        return [_("parent_code is missing (only a region has no parent)")]
    if parent is None:
        return [
            _("parent %(parent)s is not a known unit: add it earlier in this file or import it first")
            % {"parent": row.parent_code}
        ]
    if parent.level not in LEVEL_ORDER:
        return []  # the parent's own row already reports its level
    if parent.level not in PARENT_LEVELS[Level(row.level)]:
        return [
            _("level out of order: a %(level)s cannot sit under the %(parent_level)s %(parent)s")
            % {
                "level": str(Level(row.level).label).lower(),
                "parent_level": str(Level(parent.level).label).lower(),
                "parent": row.parent_code,
            }
        ]
    parent_path = path_for(parent.code, parent.level)
    if not row.code.startswith(parent_path):
        return [
            _("code %(code)s does not extend its parent's code %(parent)s (it must start with %(prefix)s)")
            % {"code": row.code, "parent": row.parent_code, "prefix": parent_path}
        ]
    return []


@transaction.atomic
def units_import(*, rows: list[UnitRow], synthetic: bool = False) -> UnitImportResult:
    """Imports units all or nothing. A known code keeps its place in the tree; its names are updated.

    Raises UnitImportError listing every refused row, in which case nothing is written.
    """
    if not rows:
        raise UnitImportError(_("The file holds no units. Add one row per unit below the header."))
    first_row: dict[str, int] = {}
    for row in rows:
        first_row.setdefault(row.code, row.row)
    in_file = {row.code: row for row in rows if first_row[row.code] == row.row}
    existing = _existing_units({*in_file, *(r.parent_code for r in rows if r.parent_code)})

    problems: list[str] = []
    for row in rows:
        row_problems = _check_row(row, first_row)
        if not row_problems:
            parent = in_file.get(row.parent_code) or existing.get(row.parent_code)
            row_problems = _check_parent(row, parent)
        known = existing.get(row.code)
        if (
            not row_problems
            and known
            and (
                known.level != row.level or (known.parent and known.parent.code) != (row.parent_code or None)
            )
        ):
            row_problems = [
                _("code %(code)s already exists as a %(level)s under %(parent)s; a unit cannot move")
                % {
                    "code": row.code,
                    "level": str(known.get_level_display()).lower(),
                    "parent": known.parent.code if known.parent else "—",
                }
            ]
        problems.extend(_("Row %(row)d: %(problem)s.") % {"row": row.row, "problem": p} for p in row_problems)
    if problems:
        raise UnitImportError(
            _("The file was not imported: %(count)d problem(s). Fix them and import the whole file again.")
            % {"count": len(problems)},
            details=problems,
        )

    created = updated = unchanged = 0
    ids = {code: unit.pk for code, unit in existing.items()}
    to_update = []
    for row in in_file.values():
        values = {
            "name_zh": row.name_zh,
            "name_en": row.name_en,
            "longitude": _coordinate(row.longitude, 180),
            "latitude": _coordinate(row.latitude, 90),
        }
        if row.name_bo is not None:
            values["name_bo"] = row.name_bo
        known = existing.get(row.code)
        if known is None:
            continue
        if any(getattr(known, f) != v for f, v in values.items()):
            for field, value in values.items():
                setattr(known, field, value)
            to_update.append(known)
        else:
            unchanged += 1
    for depth in sorted({LEVEL_ORDER[r.level] for r in in_file.values()}):
        batch = [
            AdminUnit(
                code=row.code,
                parent_id=ids.get(row.parent_code),
                level=row.level,
                path=path_for(row.code, row.level),
                name_zh=row.name_zh,
                name_en=row.name_en,
                name_bo=row.name_bo or "",
                longitude=_coordinate(row.longitude, 180),
                latitude=_coordinate(row.latitude, 90),
                is_synthetic=synthetic,
            )
            for row in in_file.values()
            if LEVEL_ORDER[row.level] == depth and row.code not in existing
        ]
        AdminUnit.objects.bulk_create(batch, batch_size=500)
        ids.update(_ids_of(u.code for u in batch))
        for unit in batch:
            unit.pk = ids[unit.code]
        units_created.send(sender=AdminUnit, units=batch)
        created += len(batch)
    if to_update:
        AdminUnit.objects.bulk_update(
            to_update, ["name_zh", "name_en", "name_bo", "longitude", "latitude"], batch_size=500
        )
        updated = len(to_update)
    return UnitImportResult(created=created, updated=updated, unchanged=unchanged)


def _ids_of(codes: Iterable[str]) -> dict[str, int]:
    codes = list(codes)
    ids: dict[str, int] = {}
    for start in range(0, len(codes), LOOKUP_CHUNK):
        ids.update(
            AdminUnit.objects.filter(code__in=codes[start : start + LOOKUP_CHUNK]).values_list("code", "pk")
        )
    return ids


def units_import_csv(
    *, data: bytes | BinaryIO, filename: str = "units.csv", synthetic: bool = False
) -> UnitImportResult:
    """Imports the units of a file (see unit_rows_from_csv): all or nothing."""
    return units_import(rows=unit_rows_from_csv(data, filename), synthetic=synthetic)
