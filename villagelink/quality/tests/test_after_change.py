"""The checks run again by themselves after whatever changes the figures: here a desk entry."""

import datetime

import pytest
from django.test import override_settings

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.core.dates import region_today
from villagelink.desk.services import assisted_sale_record
from villagelink.network.models import SiteKind
from villagelink.network.services import SiteData, site_open, site_operator_assign
from villagelink.quality.models import Flag, Rule

from .test_quality import add_orders

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def operator(units, admin_user, shop):
    site = site_open(
        by=admin_user, kind=SiteKind.VILLAGE_POINT, unit=shop.unit,
        data=SiteData(name="Lhunpokha point", opened_on=datetime.date(2017, 1, 1)),
    )  # fmt: skip
    user = make_user("desk-operator", Role.SITE_OPERATOR, shop.unit)
    site_operator_assign(by=admin_user, site=site, user=user)
    return site, user


@override_settings(TASKS=IMMEDIATE)
def test_a_desk_sale_the_platform_already_reported_is_flagged_once_the_entry_commits(
    shop, operator, django_capture_on_commit_callbacks
):
    site, user = operator
    today = region_today()
    add_orders(shop, [(today, 260)])  # the platform's report of the sale
    assert not Flag.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        order = assisted_sale_record(
            by=user, site=site, household=shop.household, platform="taobao", description="Barley 10 kg",
            category="grain", quantity=1, amount_fen=260 * 100,
        )  # fmt: skip
    flag = Flag.objects.get()
    assert flag.rule == Rule.TWIN_SALE and list(flag.orders.all()) == [order]


@override_settings(TASKS=IMMEDIATE)
def test_a_change_that_fails_checks_nothing(shop, operator, django_capture_on_commit_callbacks):
    site, user = operator
    add_orders(shop, [(region_today(), 260)])
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Exception, match="amount"),
    ):
        assisted_sale_record(
            by=user, site=site, household=shop.household, platform="taobao", description="Barley",
            category="grain", quantity=1, amount_fen=-5,
        )  # fmt: skip
    assert callbacks == [] and not Flag.objects.exists()


def test_a_check_already_waiting_is_not_queued_again_but_one_under_way_is(
    shop, operator, django_capture_on_commit_callbacks
):
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    site, user = operator

    def sale():
        with django_capture_on_commit_callbacks(execute=True):
            assisted_sale_record(
                by=user, site=site, household=shop.household, platform="taobao", description="Barley",
                category="grain", quantity=1, amount_fen=100 * 100,
            )  # fmt: skip

    checks = DBTaskResult.objects.filter(task_path="villagelink.quality.tasks.check_area")
    sale()
    sale()
    assert checks.count() == 1  # the second entry's change is read by the check still waiting
    first = checks.get()
    assert first.args_kwargs["args"][0] == shop.unit.path[:6] and first.status == TaskResultStatus.READY
    checks.update(status=TaskResultStatus.RUNNING)  # the worker took it: it may have read before the next
    sale()
    assert checks.filter(status=TaskResultStatus.READY).count() == 1 and checks.count() == 2
