"""A month approved for a unit is closed to every record that would change its figures."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from conftest import make_user
from villagelink.accounts.models import Role
from villagelink.approvals.models import Approval
from villagelink.approvals.services import ApprovalError, approval_withdraw, month_approve
from villagelink.assistance.services import assistance_record
from villagelink.catalog.services import shop_open
from villagelink.core.exceptions import ApplicationError
from villagelink.desk.services import assisted_purchase_record
from villagelink.geo.models import AdminUnit, Level
from villagelink.imports.services import import_commit, import_preview
from villagelink.monitoring.selectors import figures_for
from villagelink.network.models import SiteKind
from villagelink.network.services import SiteData, site_open
from villagelink.orders.models import Order
from villagelink.orders.tests.factories import household

from .conftest import NAMLING_VILLAGES

JUNE = datetime.date(2019, 6, 1)


def buy(points, day, code=NAMLING_VILLAGES[0]):
    site, operator = points[code]
    return assisted_purchase_record(
        by=operator, site=site, platform="jd", description="Salt", category="food", amount_fen=500, day=day
    )


def test_an_approved_month_refuses_new_trade_and_names_the_approval(points, county_officer, units):
    buy(points, datetime.date(2019, 6, 3))
    month_approve(by=county_officer, unit=units["540221"], month=JUNE)
    with pytest.raises(
        ApprovalError, match=r"Namling County for 2019-06 were approved by .* on \d{4}-\d\d-\d\d"
    ):
        buy(points, datetime.date(2019, 6, 20))
    assert Order.objects.count() == 1
    buy(points, datetime.date(2019, 7, 1))  # the next month is open
    buy(points, datetime.date(2019, 6, 20), code="540102101201")  # and other counties are not affected
    june = figures_for(unit=units["540221"], start=JUNE, end=datetime.date(2019, 6, 30))
    assert june["online_purchases_orders"] == 1


def test_an_approved_month_refuses_assistance_shops_sites_and_imports(
    points, county_officer, admin_user, units
):
    poor = household(admin_user, units[NAMLING_VILLAGES[1]], "601", poor=2016)
    month_approve(by=county_officer, unit=units["540221"], month=JUNE)
    with pytest.raises(ApprovalError):
        assistance_record(by=admin_user, household=poor, kind="training", day=datetime.date(2019, 6, 5))
    with pytest.raises(ApprovalError):  # a shop opened in May counts at the end of June too
        shop_open(
            by=admin_user,
            name="Late shop",
            platform="taobao",
            opened_on=datetime.date(2019, 5, 2),
            household=poor,
            external_id="tb-late",
        )
    with pytest.raises(ApprovalError):
        site_open(
            by=admin_user, kind=SiteKind.TOWNSHIP_STATION, unit=units["540221101"],
            data=SiteData(name="Station", opened_on=datetime.date(2019, 1, 1)),
        )  # fmt: skip
    shop = shop_open(
        by=admin_user, name="纳木林酥油店", platform="taobao", opened_on=datetime.date(2019, 7, 1),
        household=poor, external_id="tb-1",
    )  # fmt: skip
    report = "订单编号,买家实际支付金额,订单状态,订单创建时间,宝贝标题,宝贝总数量,店铺名称\n1001,10.00,交易成功,2019-07-02,青稞,1,纳木林酥油店\n1002,20.00,交易成功,2019-06-30 23:00:00,青稞,1,纳木林酥油店\n"
    batch = import_preview(by=admin_user, data=report.encode(), filename="r.csv", background=False)
    with pytest.raises(ApplicationError, match="approved"):
        import_commit(by=admin_user, batch=batch, background=False)
    assert not Order.objects.filter(shop=shop).exists()  # nothing half-written


def test_a_prefecture_approves_after_all_its_counties_and_the_region_after_all_prefectures(
    units, region_officer
):
    shigatse = units["540200"]
    counties = list(AdminUnit.objects.filter(parent=shigatse, level=Level.COUNTY))
    for county in counties[:-1]:
        month_approve(by=region_officer, unit=county, month=JUNE)
    with pytest.raises(ApprovalError, match="1 units below have not approved 2019-06 yet"):
        month_approve(by=region_officer, unit=shigatse, month=JUNE)
    month_approve(by=region_officer, unit=counties[-1], month=JUNE)
    month_approve(by=region_officer, unit=shigatse, month=JUNE)
    with pytest.raises(ApprovalError, match="units below have not approved"):
        month_approve(by=region_officer, unit=units["540000"], month=JUNE)
    with pytest.raises(ApprovalError, match="already approved"):
        month_approve(by=region_officer, unit=shigatse, month=JUNE)


def test_withdrawal_is_for_the_approving_level_or_above_with_a_reason_and_is_audited(
    points, county_officer, other_county_officer, region_officer, units
):
    approval = month_approve(by=county_officer, unit=units["540221"], month=JUNE)
    with pytest.raises(ApprovalError, match="Only officers of Namling County or above"):
        approval_withdraw(by=other_county_officer, approval=approval, reason="no")
    with pytest.raises(ApprovalError, match="Say why"):
        approval_withdraw(by=region_officer, approval=approval, reason=" ")
    approval_withdraw(by=region_officer, approval=approval, reason="A late report from Pinduoduo")
    buy(points, datetime.date(2019, 6, 20))
    entries = LogEntry.objects.get_for_object(Approval.objects.get(pk=approval.pk))
    assert any("A late report from Pinduoduo" in str(entry.changes) for entry in entries)


def test_a_month_is_approved_once_it_has_ended_and_only_at_county_level_or_above(county_officer, units):
    with pytest.raises(ApprovalError, match="has not ended yet"):
        month_approve(by=county_officer, unit=units["540221"], month=datetime.date(2100, 1, 1))
    with pytest.raises(ApprovalError, match="not below"):
        month_approve(by=county_officer, unit=units["540221101"], month=JUNE)
    operator = make_user("op", Role.SITE_OPERATOR, units["540221"])
    with pytest.raises(ApprovalError, match="Only officers"):
        month_approve(by=operator, unit=units["540221"], month=JUNE)


def test_the_dashboard_approves_once_confirmed_and_withdraws_with_a_reason(client, county_officer, units):
    client.force_login(county_officer)
    url = reverse("monitoring:dashboard", args=["540221"]) + "?period=2019-06"
    approve = reverse("monitoring:approval", args=["540221"])
    page = client.get(url).content.decode()
    assert "Approve the figures for 2019-06" in page
    assert 'name="reason"' not in page  # no flag is open: no reason is asked for

    # one click is not enough: the box must be ticked
    refused = client.post(approve, {"month": "2019-06", "action": "approve"})
    assert refused.status_code == 400 and refused["HX-Replace-Url"] == url
    assert "Tick the box to confirm that you have checked the figures." in refused.content.decode()
    assert not Approval.objects.exists()

    response = client.post(approve, {"month": "2019-06", "action": "approve", "confirm": "on"})
    assert response["Location"] == url
    assert "were approved by" in client.get(url).content.decode()

    refused = client.post(approve, {"month": "2019-06", "action": "withdraw", "reason": ""})
    assert refused.status_code == 400
    assert "Say why the approval is withdrawn." in refused.content.decode()
    assert Approval.objects.filter(withdrawn_at__isnull=True).count() == 1
    client.post(approve, {"month": "2019-06", "action": "withdraw", "reason": "Redo"})
    assert "are not approved" in client.get(url).content.decode()
    assert (
        client.post(reverse("monitoring:approval", args=["540000"]), {"month": "2019-06"}).status_code == 404
    )
