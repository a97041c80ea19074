"""Running the checks, and the review: an officer confirms a flag (its orders stop counting in every figure,
in the same transaction) or dismisses it, each with a reason, each in the audit trail."""

import datetime
from collections import Counter
from dataclasses import dataclass

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.accounts.permissions import can_manage_network
from villagelink.assistance.models import AssistanceEvent
from villagelink.assistance.services import assistance_reverse
from villagelink.core.exceptions import ApplicationError, ErrorCode
from villagelink.core.scope import in_scope
from villagelink.geo.models import LEVEL_PATH_WIDTH, Level
from villagelink.orders.services import orders_exclude

from .models import Flag, FlagStatus
from .rules import findings_for
from .tasks import check_area

COUNTY_WIDTH = LEVEL_PATH_WIDTH[Level.COUNTY]


class QualityError(ApplicationError):
    pass


def can_review(user) -> bool:
    """Officers (and administrators) review the flags of their area."""
    return can_manage_network(user)


@dataclass(frozen=True)
class CheckResult:
    found: int  # findings, new or not
    new: int  # flags written now
    by_rule: dict[str, int]


@transaction.atomic
def quality_check(*, path: str, first: datetime.date, last: datetime.date) -> CheckResult:
    """Runs every rule on the counted orders of the area (by unit path) from `first` to `last`, and files a
    flag for each finding not already filed (the same evidence never flags twice, even once dismissed)."""
    findings = findings_for(path, first, last)
    known = set(
        Flag.objects.filter(fingerprint__in=[f.fingerprint for f in findings]).values_list(
            "fingerprint", flat=True
        )
    )
    fresh = [f for f in {f.fingerprint: f for f in findings}.values() if f.fingerprint not in known]
    flags = Flag.objects.bulk_create(
        [
            Flag(
                rule=f.rule,
                unit_id=f.unit_id,
                shop_id=f.shop_id,
                month=f.month,
                evidence=f.evidence,
                amount_fen=f.amount_fen,
                fingerprint=f.fingerprint,
            )
            for f in fresh
        ]
    )
    Through = Flag.orders.through
    Through.objects.bulk_create(
        [
            Through(flag_id=flag.pk, order_id=pk)
            for flag, f in zip(flags, fresh, strict=True)
            for pk in f.order_ids
        ],
        batch_size=5000,
    )
    return CheckResult(len(findings), len(flags), dict(Counter(f.rule for f in fresh)))


def checks_after_change(changed: set[tuple[str, datetime.date]]) -> None:
    """After a commit that changed the figures (an import, a desk entry, a completed order, a refund): the
    checks run again, in the background, on each county touched (a rule compares a unit with the units
    beside it, so the county is the least it reads) over the months touched."""
    spans: dict[str, list[datetime.date]] = {}
    for path, month in changed:
        if len(path) >= COUNTY_WIDTH:
            spans.setdefault(path[:COUNTY_WIDTH], []).append(month)
    for county, months in sorted(spans.items()):
        last = max(months)
        end = (last + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        args = [county, min(months).isoformat(), end.isoformat()]
        if not _check_waiting(args):
            check_area.enqueue(*args)


def _check_waiting(args: list[str]) -> bool:
    """Whether the same check already waits in the worker's queue, not yet started: it will read this change
    too, so a busy desk (an entry a minute, each a change) queues one check, not one per entry. A check under
    way may have read the figures before this change: then another is queued."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if not isinstance(check_area.get_backend(), DatabaseBackend):
        return False
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=check_area.module_path)
    wanted = {"args": args, "kwargs": {}}
    return any(found == wanted for found in waiting.values_list("args_kwargs", flat=True))


def _reviewable(by: User, flag: Flag, reason: str) -> Flag:
    if not (can_review(by) and in_scope(by, flag.unit.path)):
        raise QualityError(_("Only an officer of the flag's area reviews it."), code=ErrorCode.FORBIDDEN)
    locked = Flag.objects.select_for_update().select_related("unit").get(pk=flag.pk)
    if locked.status != FlagStatus.OPEN:
        raise QualityError(
            _("This flag was already reviewed (%(status)s).") % {"status": locked.get_status_display()},
            code=ErrorCode.CONFLICT,
        )
    if not reason.strip():
        raise QualityError(_("Say why: the reason is kept with the decision."), field="reason")
    return locked


def _decide(flag: Flag, by: User, status: str, reason: str) -> Flag:
    flag.status, flag.reviewed_by, flag.reviewed_at, flag.reason = (
        status,
        by,
        timezone.now(),
        reason.strip()[:300],
    )
    with set_actor(by):  # the audit trail names the reviewer, from a page, the API or a command alike
        flag.save(update_fields=["status", "reviewed_by", "reviewed_at", "reason"])
    return flag


@transaction.atomic
def flag_confirm(*, by: User, flag: Flag, reason: str) -> Flag:
    """The orders the flag covers stop counting in every indicator, at every level, now (their acts of
    assistance too); refused for a month whose figures stand approved (withdraw the approval first)."""
    flag = _reviewable(by, flag, reason)
    if not flag.orders.exists():
        raise QualityError(
            _(
                "This flag is about a unit's whole figure and covers no orders of its own: confirm the flags "
                "of its shops, or dismiss this one with what explains the jump."
            ),
            code=ErrorCode.CONFLICT,
        )
    orders_exclude(ids=flag.orders.values_list("pk", flat=True), excluded=True)
    # A sale that did not happen was no help either: the assistance entries of the orders (a brokered sale at a
    # point's desk) get their reversal entries, as a desk's reversal of a mistaken entry gives them.
    why = _("Its order was excluded by a confirmed data-quality flag (%(rule)s): %(reason)s") % {
        "rule": flag.get_rule_display(),
        "reason": reason.strip(),
    }
    for event in AssistanceEvent.objects.filter(order__in=flag.orders.all(), sign=1, reversal__isnull=True):
        assistance_reverse(by=by, event=event, reason=why)
    return _decide(flag, by, FlagStatus.CONFIRMED, reason)


@transaction.atomic
def flag_dismiss(*, by: User, flag: Flag, reason: str) -> Flag:
    """The orders keep counting; the same evidence will not flag again."""
    return _decide(_reviewable(by, flag, reason), by, FlagStatus.DISMISSED, reason)
