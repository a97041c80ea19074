"""Writes to the assistance ledger: it only ever grows."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from villagelink.accounts.models import User
from villagelink.accounts.permissions import can_work_in_registry
from villagelink.approvals.services import approvals_guard
from villagelink.core.dates import region_today
from villagelink.core.exceptions import ApplicationError, ErrorCode, Problems
from villagelink.core.scope import in_scope
from villagelink.network.models import ServiceSite
from villagelink.registry.models import Household

from .models import AssistanceEvent, AssistanceKind, TrainingSession


class AssistanceError(ApplicationError):
    pass


def _check(by: User, household: Household, site: ServiceSite | None, day: datetime.date) -> None:
    if not can_work_in_registry(by):
        raise AssistanceError(
            _("Only site operators, officers and administrators record assistance."), code=ErrorCode.FORBIDDEN
        )
    if not in_scope(by, household.village.path):
        raise AssistanceError(
            _("This household lies outside your area."), code=ErrorCode.FORBIDDEN, field="household"
        )
    problems = Problems(AssistanceError)
    if site is not None and not household.village.path.startswith(site.unit.path):
        problems.add(
            "site",
            _("%(site)s does not serve the household's village; choose the site that gave the help.")
            % {"site": site},
        )
    if day > region_today():
        problems.add(
            "day", _("The date %(day)s is in the future; record help once it has been given.") % {"day": day}
        )
    problems.raise_if_any()


@transaction.atomic
def assistance_record(
    *,
    by: User,
    household: Household,
    kind: str,
    day: datetime.date,
    site: ServiceSite | None = None,
    amount_fen: int | None = None,
    note: str = "",
    training: TrainingSession | None = None,
    shop=None,
    order=None,
) -> AssistanceEvent:
    _check(by, household, site, day)
    approvals_guard([(household.village.path, day)])
    if kind not in AssistanceKind.values:
        raise AssistanceError(_("Choose the kind of help."), field="kind")
    if amount_fen is not None and amount_fen < 0:
        raise AssistanceError(
            _("An amount cannot be negative; to correct an entry, reverse it."), field="amount"
        )
    return AssistanceEvent.objects.create(
        household=household,
        kind=kind,
        day=day,
        site=site,
        amount_fen=amount_fen,
        note=note.strip()[:300],
        training=training,
        shop=shop,
        order=order,
        recorded_by=by,
    )


@transaction.atomic
def assistance_reverse(*, by: User, event: AssistanceEvent, reason: str) -> AssistanceEvent:
    """Records a reversal of `event` (same household, kind, day and amount, counting -1); once only."""
    event = AssistanceEvent.objects.select_for_update().select_related("household__village").get(pk=event.pk)
    if not (can_work_in_registry(by) and in_scope(by, event.household.village.path)):
        raise AssistanceError(_("This entry lies outside your area."), code=ErrorCode.FORBIDDEN)
    if event.is_reversal:
        raise AssistanceError(_("A reversal cannot itself be reversed; record the help again instead."))
    if AssistanceEvent.objects.filter(reverses=event).exists():
        raise AssistanceError(_("This entry has already been reversed."), code=ErrorCode.CONFLICT)
    if not reason.strip():
        raise AssistanceError(_("Say why the entry is reversed."), field="reason")
    approvals_guard([(event.household.village.path, event.day)])
    return AssistanceEvent.objects.create(
        household=event.household,
        kind=event.kind,
        day=event.day,
        site=event.site,
        amount_fen=event.amount_fen,
        note=reason.strip()[:300],
        training=event.training,
        shop=event.shop,
        order=event.order,
        reverses=event,
        sign=-1,
        recorded_by=by,
    )


@transaction.atomic
def training_record(
    *, by: User, site: ServiceSite, day: datetime.date, topic: str, households: list[Household]
) -> TrainingSession:
    """A training session at `site`, and one training event for each attending household."""
    if not topic.strip():
        raise AssistanceError(_("Give the topic of the training."), field="topic")
    if not households:
        raise AssistanceError(_("Choose the households that attended."), field="households")
    if not site.offers_training:
        raise AssistanceError(
            _("%(site)s does not offer training; mark the service on the site first.") % {"site": site}
        )
    session = TrainingSession.objects.create(site=site, day=day, topic=topic.strip(), recorded_by=by)
    for household in households:
        assistance_record(
            by=by,
            household=household,
            kind=AssistanceKind.TRAINING,
            day=day,
            site=site,
            note=topic,
            training=session,
        )
    return session
