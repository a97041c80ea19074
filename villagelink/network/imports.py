"""A file of poor villages (贫困村), as a county's poverty alleviation office keeps its list: one row per village
with its division code, the year it was registered poor and, once it left poverty, that year. All rows or none:
every row is checked as the *Poor villages* form checks one (`village_poverty_set`), and any refused row leaves
everything as it was."""

from typing import BinaryIO

from django.db import transaction
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.accounts.permissions import can_manage_network
from villagelink.core.exceptions import ApplicationError, ErrorCode
from villagelink.core.scope import in_scope
from villagelink.core.tabular import Limits, read_records
from villagelink.geo.models import AdminUnit, Level

from .services import village_poverty_set

COLUMNS = ("village_code", "registered_poor_in")
OPTIONAL = ("exited_poverty_in",)
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000
MAX_PROBLEMS = 200  # listed; the count says how many more


class PoorVillageImportError(ApplicationError):
    pass


def _year(value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise ValueError(_("“%(value)s” is not a year.") % {"value": value[:20]})
    return int(value)


@transaction.atomic
def poor_villages_import(*, by: User, data: bytes | BinaryIO, filename: str) -> int:
    """Records the years of every village of the file; returns how many rows were recorded. Raises
    PoorVillageImportError, with every refused row in its details, when any row is refused: nothing is written."""
    if not can_manage_network(by):
        raise PoorVillageImportError(
            _("Only officers and administrators record poor villages."), code=ErrorCode.FORBIDDEN
        )
    limits = Limits.from_settings().at_most(max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    rows = read_records(data, filename, required=COLUMNS, optional=OPTIONAL, limits=limits)
    problems: list[str] = []
    first_row: dict[str, int] = {}
    recorded = 0
    for number, cell in rows:
        code = cell["village_code"]
        try:
            if code in first_row:
                raise ValueError(
                    _("village %(code)s is already on row %(row)d") % {"code": code, "row": first_row[code]}
                )
            first_row[code] = number
            registered, exited = _year(cell["registered_poor_in"]), _year(cell.get("exited_poverty_in", ""))
            village = AdminUnit.objects.filter(code=code, level=Level.VILLAGE).first()
            if village is None or not in_scope(by, village.path):  # one outside the area is not told apart
                raise ValueError(
                    _("“%(code)s” is not the code of a village in your area") % {"code": code[:20]}
                )
            with transaction.atomic():  # a refused row leaves the others to be checked
                village_poverty_set(
                    by=by, village=village, registered_poor_in=registered, exited_poverty_in=exited
                )
            recorded += 1
        except ValueError as problem:
            problems.append(
                _("Row %(row)d: %(problem)s.") % {"row": number, "problem": str(problem).rstrip(".。།")}
            )
        except ApplicationError as error:
            problems.append(
                _("Row %(row)d: %(problem)s.") % {"row": number, "problem": error.message.rstrip(".。།")}
            )
    if not first_row:
        raise PoorVillageImportError(
            _("The file holds no villages. Add one row per village below the header.")
        )
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(_("… and %(count)d more.") % {"count": len(problems) - MAX_PROBLEMS})
        raise PoorVillageImportError(
            _("Nothing was recorded: %(count)d row(s) refused. Fix them and upload the whole file again.")
            % {"count": len(problems)},
            details=shown,
        )
    return recorded
