"""Nothing is hidden from the level above: beside each figure, what rests on open flags and what confirmed
flags took out; a unit with many open flags is marked in the ranking; a month is approved with open flags only
with a reason, shown wherever the approval is; flags filed after an approval are shown to the approving level."""

import datetime
import re
from html.parser import HTMLParser
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from villagelink.approvals.models import Approval
from villagelink.desk.services import assisted_purchase_record, assisted_sale_record
from villagelink.quality.services import flag_confirm
from villagelink.quality.signoff import month_approve_checked
from villagelink.quality.tests.test_shares import flag

from .conftest import LHASA_VILLAGE, NAMLING_VILLAGES

JUNE = datetime.date(2019, 6, 1)


def sell(points, day: int, yuan: int, code=NAMLING_VILLAGES[0], *, purchase=False):
    site, operator = points[code]
    if purchase:
        return assisted_purchase_record(
            by=operator, site=site, platform="jd", description="Salt", category="food", amount_fen=yuan * 100,
            day=JUNE.replace(day=day),
        )  # fmt: skip
    return assisted_sale_record(
        by=operator, site=site, platform="taobao", description="Butter", category="dairy", quantity=1,
        amount_fen=yuan * 100, day=JUNE.replace(day=day),
    )  # fmt: skip


@pytest.fixture
def flagged_june(points, county_officer):
    """Namling's June: ¥1,000 on an open flag, ¥3,000 taken out by a confirmed flag, ¥6,000 unflagged, and a
    ¥50 purchase on an open flag."""
    flag([sell(points, 2, 1_000)])
    flag_confirm(by=county_officer, flag=flag([sell(points, 3, 3_000)]), reason="Paid back the next day")
    sell(points, 4, 6_000)
    flag([sell(points, 5, 50, purchase=True)])


class _Element(HTMLParser):
    """The text of the element with a given `data-testid`, children and all."""

    def __init__(self, testid: str):
        super().__init__()
        self.testid, self.depth, self.parts, self.found = testid, 0, [], False

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in VOID
        elif ("data-testid", self.testid) in attrs:
            self.depth, self.found = 1, True

    def handle_endtag(self, tag):
        if self.depth and tag not in VOID:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


VOID = {"br", "input", "img", "meta", "link", "hr"}


def _text(page: str, testid: str) -> str:
    """The text of the element with `data-testid=testid`, runs of spaces as one."""
    element = _Element(testid)
    element.feed(page)
    assert element.found, f"no {testid}"
    return " ".join("".join(element.parts).split())


def test_each_figure_shows_its_share_on_open_flags_and_the_amount_excluded(
    client, county_officer, flagged_june
):
    client.force_login(county_officer)

    page = client.get(
        reverse("monitoring:dashboard", args=["540221"]), {"period": "2019-06"}
    ).content.decode()

    assert 'data-testid="value-online_sales">7,000.00<' in page  # the ¥3,000 excluded no longer counts
    assert _text(page, "open-online_sales") == "14.3% on open flags (¥1,000.00)"
    assert _text(page, "excluded-online_sales") == "¥3,000.00 excluded by confirmed flags"
    assert _text(page, "open-online_sales_orders") == "50.0% on open flags (1)"
    assert _text(page, "excluded-online_sales_orders") == "1 excluded by confirmed flags"
    assert _text(page, "open-online_purchases") == "100.0% on open flags (¥50.00)"
    assert (
        'data-testid="excluded-online_purchases"' not in page
        and 'data-testid="flags-online_shops"' not in page
    )

    report = client.get(reverse("monitoring:report", args=["540221"]), {"period": "2019-06"}).content.decode()
    row = re.search(r'<tr data-indicator="online_sales">(.*?)</tr>', report, re.S)[1]
    assert [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)] == [
        "Online sales", "7,000.00", "1,000.00", "14.3%", "3,000.00",
    ]  # fmt: skip

    workbook = load_workbook(
        BytesIO(client.get(reverse("monitoring:workbook", args=["540221"]), {"period": "2019-06"}).content)
    )
    sheet = workbook["Indicators"]
    sales = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Online sales")
    assert sales[1] == 7_000 and sales[4:] == (1_000, pytest.approx(1 / 7), 3_000)


def test_a_unit_with_many_open_flags_is_marked_in_the_ranking_with_a_link_to_its_flags(
    client, region_officer, points
):
    # Shigatse (Namling): ¥1,000 of ¥10,000 on an open flag (10 %); Lhasa: ¥100 of ¥100,000 (0.1 %)
    flag([sell(points, 2, 1_000)])
    sell(points, 3, 9_000)
    flag([sell(points, 2, 100, code=LHASA_VILLAGE)])
    sell(points, 3, 99_900, code=LHASA_VILLAGE)
    client.force_login(region_officer)

    page = client.get(
        reverse("monitoring:dashboard", args=["540000"]), {"period": "2019-06"}
    ).content.decode()

    marked = _text(page, "marked-540200")
    assert marked == "⚠ Many open flags: 1 open flag · 10.0%"
    assert reverse("quality:flags", args=["540200"]) + "?status=open&amp;month=2019-06" in page
    assert (
        'data-testid="marked-540100"' not in page and _text(page, "open-flags-540100") == "1 open flag · 0.1%"
    )
    assert 'data-testid="marked-540300"' not in page and 'data-testid="open-flags-540300"' not in page
    report = client.get(reverse("monitoring:report", args=["540000"]), {"period": "2019-06"}).content.decode()
    assert 'data-testid="marked-540200"' in report
    children = load_workbook(
        BytesIO(client.get(reverse("monitoring:workbook", args=["540000"]), {"period": "2019-06"}).content)
    )["Children"]
    shigatse = next(row for row in children.iter_rows(values_only=True) if row[0] == "540200")
    assert shigatse[-3:] == (1, 1_000, 0)


def test_approving_with_open_flags_asks_for_a_reason_keeps_what_was_typed_and_shows_it_after(
    client, county_officer, points
):
    flag([sell(points, 2, 1_000)])
    client.force_login(county_officer)
    url = reverse("monitoring:dashboard", args=["540221"]) + "?period=2019-06"
    approve = reverse("monitoring:approval", args=["540221"])
    page = client.get(url).content.decode()
    assert _text(page, "approval-open-flags") == "1 flag of this area for 2019-06 is still open. Review them"
    assert 'name="reason"' in page

    # a reason typed, the box not ticked: refused, the reason kept, the error beside the box
    refused = client.post(
        approve, {"month": "2019-06", "action": "approve", "reason": "Checking with Taobao"}
    )
    body = refused.content.decode()
    assert refused.status_code == 400 and "Checking with Taobao</textarea>" in body
    assert re.search(r'has-error">\s*<legend>Confirm</legend>.*Tick the box', body, re.S)
    # the box ticked, no reason: refused beside the reason
    refused = client.post(approve, {"month": "2019-06", "action": "approve", "confirm": "on", "reason": " "})
    assert refused.status_code == 400 and not Approval.objects.exists()
    assert re.search(
        r'field has-error">\s*<label for="id_reason">.*Say why the figures may be approved while flags are open',
        refused.content.decode(),
        re.S,
    )

    done = client.post(
        approve, {"month": "2019-06", "action": "approve", "confirm": "on", "reason": "Checking with Taobao"}
    )
    assert done["Location"] == url
    approval = Approval.objects.get()
    assert (approval.open_flags, approval.reason) == (1, "Checking with Taobao")
    shown = "1 flag was still open when they were approved. The approver's reason: Checking with Taobao"
    assert _text(client.get(url).content.decode(), "approval-reason") == shown
    report = client.get(reverse("monitoring:report", args=["540221"]), {"period": "2019-06"}).content.decode()
    assert _text(report, "approval-reason") == shown
    sheet = load_workbook(
        BytesIO(client.get(reverse("monitoring:workbook", args=["540221"]), {"period": "2019-06"}).content)
    )["Indicators"]
    assert any(
        row[0] == "Approval"
        and "1 flag was still open; the approver's reason: Checking with Taobao" in row[1]
        for row in sheet.iter_rows(values_only=True)
    )


def test_a_month_without_open_flags_is_approved_without_a_reason(client, county_officer, points):
    sell(points, 2, 1_000)
    client.force_login(county_officer)
    done = client.post(
        reverse("monitoring:approval", args=["540221"]),
        {"month": "2019-06", "action": "approve", "confirm": "on"},
    )
    assert done.status_code == 302 and Approval.objects.get().reason == ""


def test_flags_found_after_approval_are_shown_to_the_approving_level(
    client, county_officer, region_officer, points, units
):
    sold = sell(points, 2, 1_000)
    month_approve_checked(by=county_officer, unit=units["540221"], month=JUNE)
    flag([sold])  # filed after the approval
    client.force_login(county_officer)

    for period in ("2019-06", "2019"):
        page = client.get(
            reverse("monitoring:dashboard", args=["540221"]), {"period": period}
        ).content.decode()
        assert "1 flag found after 2019-06 was approved (1 still open)" in _text(page, "found-later")
        assert reverse("quality:flags", args=["540221"]) + "?status=all&amp;month=2019-06" in page
    report = client.get(reverse("monitoring:report", args=["540221"]), {"period": "2019-06"}).content.decode()
    assert 'data-testid="found-later"' in report

    client.force_login(region_officer)  # the region has not approved June: the county's level sees it
    for code in ("540000", NAMLING_VILLAGES[0]):
        page = client.get(
            reverse("monitoring:dashboard", args=[code]), {"period": "2019-06"}
        ).content.decode()
        assert 'data-testid="found-later"' not in page


def test_the_kpi_api_gives_what_the_figures_rest_on_for_the_unit_and_each_child(
    client, county_officer, flagged_june
):
    client.force_login(county_officer)
    query = {"unit": "540221", "start": "2019-06-01", "end": "2019-06-30"}

    body = client.get(reverse("kpi-list"), query).json()

    assert body["online_sales"] == "7000.00"
    assert body["flags"] == {
        "open_flags": 2,
        "online_sales": {"open": "1000.00", "open_share": 0.1429, "excluded": "3000.00"},
        "online_sales_orders": {"open": 1, "open_share": 0.5, "excluded": 1},
        "online_purchases": {"open": "50.00", "open_share": 1.0, "excluded": "0.00"},
        "online_purchases_orders": {"open": 1, "open_share": 1.0, "excluded": 0},
        "purchase_savings": {"open": "0.00", "open_share": None, "excluded": "0.00"},
        "poor_household_income": {"open": "0.00", "open_share": None, "excluded": "0.00"},
    }
    (township,) = client.get(reverse("kpi-children"), query).json()
    assert township["unit"]["code"] == "540221101" and township["flags"] == body["flags"]
