"""Approving a month's figures, withdrawing an approval, and the guard every change passes.

Approval starts at the county (the lowest level with officers of its own): a county approves a month once it
has ended; a prefecture once all its counties have; the region once all its prefectures have. An approval is
withdrawn by an officer of the approving unit or above, with a reason, and only while no approval above it
stands. While a unit's month stands approved, any record that would change its figures for that month is
refused: orders and imports (through the facts), assistance, and — because shops and sites count at the end
of each month from their opening — shops and sites opened or closed on or before that month.
"""

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from auditlog.context import auditlog_value, set_actor
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.accounts.permissions import can_manage_network
from villagelink.core.dates import region_today
from villagelink.core.exceptions import ApplicationError, ErrorCode
from villagelink.core.periods import month_end
from villagelink.core.scope import in_scope
from villagelink.geo.models import LEVEL_PATH_WIDTH, AdminUnit, Level

from .models import Approval

APPROVING_LEVELS = (Level.REGION, Level.PREFECTURE, Level.COUNTY)


class ApprovalError(ApplicationError):
    pass


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def standing() -> QuerySet[Approval]:
    return Approval.objects.filter(withdrawn_at__isnull=True)


def _any_standing() -> bool:
    """Whether any approval stands: asked at every change to the figures, in plain SQL (building the ORM's
    query took longer than running it)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {quote(Approval._meta.db_table)} WHERE {quote('withdrawn_at')} IS NULL LIMIT 1"  # noqa: S608 - quoted
        )
        return cursor.fetchone() is not None


def _ancestor_paths(path: str) -> set[str]:
    return {path[:width] for width in LEVEL_PATH_WIDTH.values() if width <= len(path)}


def approvals_guard(changes: Iterable[tuple[str, datetime.date]], *, onwards: bool = False) -> None:
    """Refuses a change to the figures of units (by path; ancestors' approvals count too) for the months of
    the given days — and with `onwards`, for every later month as well (records that count while open)."""
    changes = list(changes)
    if not changes or not _any_standing():
        return
    paths = set().union(*(_ancestor_paths(path) for path, _day in changes))
    months = {month_of(day) for _path, day in changes}
    candidates = standing().filter(unit__path__in=paths).select_related("unit", "approved_by")
    candidates = candidates.filter(month__gte=min(months)) if onwards else candidates.filter(month__in=months)
    for approval in candidates.order_by("month", "unit__path"):
        for path, day in changes:
            hit = approval.month >= month_of(day) if onwards else approval.month == month_of(day)
            if hit and path.startswith(approval.unit.path):
                raise ApprovalError(
                    _(
                        "The figures of %(unit)s for %(month)s were approved by %(who)s on %(day)s, and this "
                        "would change them. Ask an officer of %(unit)s or above to withdraw the approval first."
                    )
                    % {
                        "unit": approval.unit.name,
                        "month": approval.month.strftime("%Y-%m"),
                        "who": approval.approved_by.get_full_name() or approval.approved_by.username,
                        "day": date_format(timezone.localtime(approval.approved_at).date(), "Y-m-d"),
                    },
                    code=ErrorCode.CONFLICT,
                )


@contextmanager
def _as_actor(by: User) -> Iterator[None]:
    """The audit trail names `by` for what is written inside, on every path (a page, a command, a test); the
    request's own context (its address) is given back afterwards, so later entries of the request keep it."""
    outer = auditlog_value.get(None)
    request = outer if outer is not None and outer.get("actor") == by else {}
    try:
        with set_actor(by, remote_addr=request.get("remote_addr"), remote_port=request.get("remote_port")):
            yield
    finally:
        if outer is not None:
            auditlog_value.set(outer)


def can_approve(user, unit: AdminUnit) -> bool:
    return can_manage_network(user) and unit.level in APPROVING_LEVELS and in_scope(user, unit.path)


def _require(by: User, unit: AdminUnit) -> None:
    if unit.level not in APPROVING_LEVELS:
        raise ApprovalError(_("Months are approved for counties, prefectures and the region, not below."))
    if not can_approve(by, unit):
        raise ApprovalError(
            _("Only officers of %(unit)s or above approve its figures.") % {"unit": unit.name},
            code=ErrorCode.FORBIDDEN,
        )


def missing_children(unit: AdminUnit, month: datetime.date) -> list[AdminUnit]:
    """The children that must approve the month before `unit` can (none for a county)."""
    if unit.level == Level.COUNTY:
        return []
    approved = set(standing().filter(month=month, unit__parent=unit).values_list("unit_id", flat=True))
    children = unit.children.filter(level__in=APPROVING_LEVELS).order_by("code")
    return [child for child in children if child.pk not in approved]


def approval_require(*, by: User, unit: AdminUnit, month: datetime.date) -> None:
    """Refuses (with what to do) an approval of `unit`'s `month` that `month_approve` would refuse for who
    approves, when, or the units below: a caller that asks for more first (a reason, a confirmation) checks
    this before asking."""
    _require(by, unit)
    month = month_of(month)
    if month_end(month) >= region_today():
        raise ApprovalError(
            _("%(month)s has not ended yet: approve it once its figures are complete.")
            % {"month": month.strftime("%Y-%m")}
        )
    missing = missing_children(unit, month)
    if missing:
        names = ", ".join(child.name for child in missing[:5]) + ("…" if len(missing) > 5 else "")
        raise ApprovalError(
            _("%(count)d units below have not approved %(month)s yet: %(names)s.")
            % {"count": len(missing), "month": month.strftime("%Y-%m"), "names": names}
        )


@transaction.atomic
def month_approve(
    *, by: User, unit: AdminUnit, month: datetime.date, reason: str = "", open_flags: int = 0
) -> Approval:
    """Approves `unit`'s figures for `month`. `open_flags` is how many data-quality flags were still open in
    the unit's area for the month (the caller counts them: `quality.signoff.month_approve_checked`, the path
    every page and command takes); with any open, the approver's `reason` is required and kept."""
    approval_require(by=by, unit=unit, month=month)
    month = month_of(month)
    reason = reason.strip()[:300]
    if open_flags < 0:
        raise ValueError("open_flags counts flags: it is never negative.")
    if open_flags and not reason:
        raise ApprovalError(
            _("Flags are still open for %(month)s: say why the figures may be approved all the same.")
            % {"month": month.strftime("%Y-%m")},
            field="reason",
        )
    try:
        with transaction.atomic(), _as_actor(by):  # the audit trail names the approver on every path
            return Approval.objects.create(
                unit=unit, month=month, approved_by=by, open_flags=open_flags, reason=reason
            )
    except IntegrityError as exc:
        raise ApprovalError(
            _("%(unit)s's figures for %(month)s are already approved.")
            % {"unit": unit.name, "month": month.strftime("%Y-%m")},
            code=ErrorCode.CONFLICT,
        ) from exc


@transaction.atomic
def approval_withdraw(*, by: User, approval: Approval, reason: str) -> Approval:
    approval = Approval.objects.select_for_update().select_related("unit").get(pk=approval.pk)
    _require(by, approval.unit)
    if approval.withdrawn_at is not None:
        raise ApprovalError(_("This approval has already been withdrawn."), code=ErrorCode.CONFLICT)
    if not reason.strip():
        raise ApprovalError(_("Say why the approval is withdrawn."))
    above = (
        standing()
        .filter(
            month=approval.month, unit__path__in=_ancestor_paths(approval.unit.path) - {approval.unit.path}
        )
        .select_related("unit")
        .first()
    )
    if above is not None:
        raise ApprovalError(
            _("%(unit)s has approved %(month)s too: its approval must be withdrawn first.")
            % {"unit": above.unit.name, "month": approval.month.strftime("%Y-%m")},
            code=ErrorCode.CONFLICT,
        )
    approval.withdrawn_by, approval.withdrawn_at = by, timezone.now()
    approval.withdrawn_reason = reason.strip()[:300]
    with _as_actor(by):
        approval.save(update_fields=["withdrawn_by", "withdrawn_at", "withdrawn_reason"])
    return approval


def approval_state(unit: AdminUnit, month: datetime.date) -> Approval | None:
    """The approval of `unit`'s month that stands, if any."""
    return standing().filter(unit=unit, month=month_of(month)).select_related("approved_by").first()
