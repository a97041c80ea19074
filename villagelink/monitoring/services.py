"""Writes of the dashboard: officers' yearly targets. (Approving months is the approvals app's.)"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.accounts.permissions import can_manage_network
from villagelink.approvals.services import APPROVING_LEVELS
from villagelink.core.exceptions import ApplicationError, ErrorCode
from villagelink.core.periods import EARLIEST, LATEST
from villagelink.core.scope import in_scope
from villagelink.geo.models import AdminUnit

from .indicators import Measure
from .models import TARGETED, Target, TargetKind


class TargetError(ApplicationError):
    pass


def _require(by: User, unit: AdminUnit) -> None:
    if unit.level not in APPROVING_LEVELS:
        raise TargetError(_("Targets are set for the region, prefectures and counties, not below."))
    if not (can_manage_network(by) and in_scope(by, unit.path)):
        raise TargetError(
            _("Only officers of %(unit)s or above set its targets.") % {"unit": unit.name},
            code=ErrorCode.FORBIDDEN,
        )


@transaction.atomic
def target_set(
    *, by: User, unit: AdminUnit, indicator: str, year: int, value: Decimal, kind: str = TargetKind.LEVEL
) -> Target:
    """Sets (or changes) the unit's target for the indicator and year: a level, or a growth in percent."""
    _require(by, unit)
    if indicator not in TARGETED:
        raise TargetError(_("Choose one of the indicators a target can be set for."))
    if not EARLIEST.year <= year <= LATEST.year:
        raise TargetError(
            _("Give a year between %(first)d and %(last)d.") % {"first": EARLIEST.year, "last": LATEST.year}
        )
    if kind not in TargetKind.values:
        raise TargetError(_("Choose a level to reach or a growth on a year before."), field="kind")
    target = Target(unit=unit, indicator=indicator, year=year, value=value, kind=kind)
    if kind == TargetKind.GROWTH and target.measure == Measure.SHARE:
        raise TargetError(
            _("A share has a level to reach, not a growth; choose “a level to reach”."), field="kind"
        )
    if kind == TargetKind.GROWTH and not 0 <= value <= 1000:
        raise TargetError(_("Give a growth between 0 and 1,000 percent."), field="value")
    if value < 0 or (target.measure == Measure.SHARE and value > 100):
        raise TargetError(_("Give a target of 0 or more; a share as a percentage, at most 100."))
    target, _created = Target.objects.update_or_create(
        unit=unit, indicator=indicator, year=year, defaults={"value": value, "kind": kind, "set_by": by}
    )
    return target


@transaction.atomic
def target_remove(*, by: User, target: Target) -> None:
    """Removes a target: the unit then has its nearest ancestor's, for a share or a growth, or none."""
    _require(by, target.unit)
    target.delete()
