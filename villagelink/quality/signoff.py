"""Signing off a month's figures with the flags in view.

The approvals layer sits below the domain apps and knows nothing of flags; this is where an approval learns
what is still under review. Every path that approves a month (the dashboard's form, and any API view or command
that comes later) calls `month_approve_checked`, never `approvals.services.month_approve` directly (a test
holds to it): while flags of the unit's area for the month are open, the approver must say why the figures may
be signed all the same, and the approval keeps that reason and how many flags were open, in the audit trail.
"""

import datetime

from django.db import transaction
from django.utils.translation import ngettext

from villagelink.accounts.models import User
from villagelink.approvals.models import Approval
from villagelink.approvals.services import approval_require, month_approve, month_of
from villagelink.core.paths import subtree_q
from villagelink.geo.models import AdminUnit

from .models import Flag, FlagStatus
from .services import QualityError


def open_flags_for(*, unit: AdminUnit, month: datetime.date) -> int:
    """How many flags of the unit's area (it and every unit below) for the month are still open."""
    return Flag.objects.filter(
        subtree_q("unit__path", unit.path), month=month_of(month), status=FlagStatus.OPEN
    ).count()


@transaction.atomic
def month_approve_checked(*, by: User, unit: AdminUnit, month: datetime.date, reason: str = "") -> Approval:
    """Approves `unit`'s figures for `month` (see `approvals.services.month_approve` for who, when and the
    units below); refused without a reason while flags of the area for the month are open."""
    approval_require(by=by, unit=unit, month=month)
    still_open = open_flags_for(unit=unit, month=month)
    if still_open and not reason.strip():
        raise QualityError(
            ngettext(
                "%(count)d flag is still open in the area of %(unit)s for %(month)s: review it first, or say "
                "why the figures may be approved all the same.",
                "%(count)d flags are still open in the area of %(unit)s for %(month)s: review them first, or "
                "say why the figures may be approved all the same.",
                still_open,
            )
            % {"count": still_open, "unit": unit.name, "month": month_of(month).strftime("%Y-%m")},
            field="reason",
        )
    return month_approve(by=by, unit=unit, month=month, reason=reason, open_flags=still_open)
