"""Approving a month with flags open asks for a reason, kept with the approval and in the audit trail; every
path that approves goes through the check."""

import ast
import datetime
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError, transaction

from villagelink.approvals.models import Approval
from villagelink.approvals.services import ApprovalError, month_approve
from villagelink.quality.services import QualityError, flag_dismiss
from villagelink.quality.signoff import month_approve_checked, open_flags_for

from .test_shares import JUNE, LHASA_VILLAGE, flag, trade, village_points

ROOT = Path(__file__).resolve().parents[2]
# The two modules that may call `month_approve`: its own, and the check every path goes through.
ALLOWED = {"approvals/services.py", "quality/signoff.py"}


@pytest.fixture
def desk(units, admin_user):
    return village_points(units, admin_user)


def test_without_open_flags_no_reason_is_needed(desk, county_officer, units):
    # given a June whose only flag was dismissed, and an open flag of July
    dismissed = flag([trade(desk, JUNE.replace(day=2), 100)])
    flag_dismiss(by=county_officer, flag=dismissed, reason="A wholesale order")
    flag([trade(desk, datetime.date(2019, 7, 2), 100)], month=datetime.date(2019, 7, 1))
    assert open_flags_for(unit=units["540221"], month=JUNE) == 0

    approval = month_approve_checked(by=county_officer, unit=units["540221"], month=JUNE)

    assert (approval.open_flags, approval.reason) == (0, "")


def test_with_open_flags_the_reason_is_required_and_kept_with_the_approval_in_the_audit_trail(
    desk, county_officer, units
):
    # given two open flags on Namling's June (in a village), and one in Lhasa that is not Namling's
    flag([trade(desk, JUNE.replace(day=2), 100)])
    flag([trade(desk, JUNE.replace(day=3), 200)])
    flag([trade(desk, JUNE.replace(day=4), 300, code=LHASA_VILLAGE)])

    # when approving without a reason, then it is refused, on the reason, and nothing is approved
    with pytest.raises(
        QualityError, match="2 flags are still open in the area of Namling County for 2019-06"
    ) as refused:
        month_approve_checked(by=county_officer, unit=units["540221"], month=JUNE, reason="   ")
    assert refused.value.field == "reason" and not Approval.objects.exists()

    # when approving with a reason, then the approval keeps it, and how many flags were open
    approval = month_approve_checked(
        by=county_officer, unit=units["540221"], month=JUNE, reason="  Both are being checked with Taobao  "
    )
    assert (approval.open_flags, approval.reason) == (2, "Both are being checked with Taobao")
    entry = LogEntry.objects.get_for_object(approval).get()
    assert entry.actor == county_officer
    assert entry.changes_dict["reason"][1] == "Both are being checked with Taobao"
    assert entry.changes_dict["open_flags"][1] == "2"


def test_who_may_approve_and_when_is_checked_before_the_flags(desk, point_operator, county_officer, units):
    flag([trade(desk, JUNE.replace(day=2), 100)])
    with pytest.raises(ApprovalError, match="Only officers"):  # not "say why": an operator does not approve
        month_approve_checked(by=point_operator, unit=units["540221"], month=JUNE)
    with pytest.raises(ApprovalError, match="has not ended yet"):
        month_approve_checked(by=county_officer, unit=units["540221"], month=datetime.date(2100, 1, 1))


def test_the_approval_itself_refuses_open_flags_without_a_reason(county_officer, units):
    with pytest.raises(ApprovalError, match="say why") as refused:
        month_approve(by=county_officer, unit=units["540221"], month=JUNE, open_flags=1)
    assert refused.value.field == "reason"
    with pytest.raises(IntegrityError), transaction.atomic():  # and so does the table
        Approval.objects.create(unit=units["540221"], month=JUNE, approved_by=county_officer, open_flags=1)


def approving_calls(root: Path = ROOT) -> list[str]:
    """Every call of `month_approve` outside the modules allowed to make it (tests, migrations and the demo
    aside): each would approve without looking at the flags."""
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if {"tests", "migrations", "demo"} & set(parts) or "/".join(parts) in ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = (
                    node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                )
                if name == "month_approve":
                    found.append(f"{'/'.join(parts)}:{node.lineno}")
    return found


def test_every_path_that_approves_goes_through_the_flags_check():
    assert approving_calls() == [], "call quality.signoff.month_approve_checked instead"


def test_a_path_that_approves_directly_is_named(tmp_path):
    (tmp_path / "monitoring").mkdir()
    (tmp_path / "monitoring" / "api.py").write_text(
        "from villagelink.approvals import services\n\nservices.month_approve(by=1, unit=2, month=3)\n"
    )
    (tmp_path / "quality").mkdir()
    (tmp_path / "quality" / "signoff.py").write_text("month_approve(by=1, unit=2, month=3)\n")
    assert approving_calls(tmp_path) == ["monitoring/api.py:3"]
