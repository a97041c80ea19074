"""Bulk registration of households from a CSV or XLSX file: every row checked, all or nothing by default."""

from dataclasses import dataclass, field
from typing import BinaryIO

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.accounts.permissions import can_work_in_registry
from villagelink.core.exceptions import ApplicationError
from villagelink.core.scope import in_scope
from villagelink.core.tabular import Limits, read_records
from villagelink.geo.models import AdminUnit, Level

from .models import Household
from .services import HouseholdData, RegistryError, _apply, _set_id_number
from .signals import households_created

COLUMNS = ("village_code", "head_name", "id_number")
OPTIONAL = ("members", "phone", "registered_poor_in", "exited_poverty_in")
MAX_BYTES = 10 * 1024 * 1024  # a file of households, at most (lower than an order report's)
MAX_ROWS = 100_000  # each is checked and held until all are, then written at once


class HouseholdImportError(ApplicationError):
    pass


@dataclass
class HouseholdImportResult:
    created: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    committed: bool = False


def _year(value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise RegistryError(_("“%(value)s” is not a year.") % {"value": value})
    return int(value)


def households_import(
    *, by: User, data: bytes | BinaryIO, filename: str, valid_rows_only: bool = False
) -> HouseholdImportResult:
    """Checks every row; writes nothing unless all are valid, or only the valid ones when asked to. `data`: the
    file's bytes, or the file open for reading in binary (an upload), read as it goes."""
    if not can_work_in_registry(by):
        raise HouseholdImportError(_("Only site operators, officers and administrators keep the registry."))
    limits = Limits.from_settings().at_most(max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    rows = read_records(data, filename, required=COLUMNS, optional=OPTIONAL, limits=limits)
    villages: dict[str, AdminUnit | None] = {}
    seen: dict[str, int] = {}
    result = HouseholdImportResult()
    valid: list[Household] = []
    for number, cell in rows:
        try:
            code = cell["village_code"]
            if code not in villages:
                villages[code] = AdminUnit.objects.filter(code=code, level=Level.VILLAGE).first()
            village = villages[code]
            if village is None:
                raise RegistryError(_("village code “%(code)s” is not a known village") % {"code": code})
            if not in_scope(by, village.path):
                raise RegistryError(_("village %(code)s lies outside your area") % {"code": code})
            household = Household(village=village, registered_by=by)
            _set_id_number(household, cell["id_number"])
            if household.id_number_hash in seen:
                raise RegistryError(
                    _("the same ID number is already on row %(row)d of this file")
                    % {"row": seen[household.id_number_hash]}
                )
            members = cell.get("members", "")
            _apply(
                household,
                HouseholdData(
                    head_name=cell["head_name"],
                    members=int(members) if members.isdigit() else 1,
                    phone=cell.get("phone", ""),
                    registered_poor_in=_year(cell.get("registered_poor_in", "")),
                    exited_poverty_in=_year(cell.get("exited_poverty_in", "")),
                ),
            )
        except RegistryError as problem:
            result.rejected.append((number, problem.message.rstrip(".")))
            continue
        seen[household.id_number_hash] = number
        valid.append(household)
    if not valid and not result.rejected:
        raise HouseholdImportError(
            _("The file holds no households. Add one row per household below the header.")
        )
    if result.rejected and not valid_rows_only:
        return result
    if valid:
        try:
            with transaction.atomic():
                Household.objects.bulk_create(valid, batch_size=1000)
                households_created.send(sender=Household, households=valid)
        except IntegrityError as exc:
            raise HouseholdImportError(
                _(
                    "One of these ID numbers was registered by someone else meanwhile. Nothing was written; import again."
                )
            ) from exc
    result.created = len(valid)
    result.committed = True
    return result
