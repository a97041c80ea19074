"""The data-quality workbook of an area and a month: its flags with their evidence as text, and its reporting
completeness (per child unit, the shops without a report, the silent points), scoped as the pages."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from villagelink.catalog.models import Shop
from villagelink.orders.models import Order
from villagelink.quality.models import Flag, Rule
from villagelink.quality.services import flag_dismiss

from .test_completeness import JUNE, Area, build_area


def flag_of(shop, orders, *, rule=Rule.OUTSIZED, month=JUNE, key="") -> Flag:
    """A flag on `orders` of `shop`, as a check files it (the checks themselves are tested in test_quality)."""
    flag = Flag.objects.create(
        rule=rule,
        unit=shop.unit,
        shop=shop,
        month=month,
        fingerprint=f"{rule}:{shop.pk}:{month}:{key}",
        evidence={"median_fen": 45_00, "factor": 10, "amounts_fen": [3000_00]},
        amount_fen=sum(order.amount_fen for order in orders),
    )
    flag.orders.set(orders)
    return flag


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def namling(units, admin_user, county_officer) -> Area:
    return build_area(units, admin_user, county_officer)


def download(client, code="540221", month="2019-06"):
    response = client.get(reverse("quality:workbook", args=[code]), {"month": month})
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def table(sheet, header_text: str) -> list[dict]:
    """The rows under the row whose first cell is `header_text`, as dicts by header."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(n for n, row in enumerate(rows) if row[0] == header_text)
    header = rows[start]
    return [
        dict(zip(header, row, strict=True)) for row in rows[start + 1 :] if any(c is not None for c in row)
    ]


def test_the_workbook_holds_the_months_flags_with_their_evidence_and_review(
    client, namling, county_officer, admin_user
):
    # given a June flag (dismissed, with a reason that looks like a formula), a May flag and one in Lhasa
    june = flag_of(namling.reported, [Order.objects.get(external_id="J-1")])
    flag_of(namling.missing, [Order.objects.get(external_id="M-1")], month=JUNE.replace(month=5), key="may")
    flag_of(Shop.objects.get(name="Lhasa crafts"), [], key="lhasa")
    flag_dismiss(by=county_officer, flag=june, reason='=HYPERLINK("http://x") a wholesale order')
    client.force_login(county_officer)

    # when the county downloads June's workbook
    workbook = download(client)

    # then the flags sheet has June's flag of Namling only, its evidence written out as the reviewer reads it
    (row,) = table(workbook["Flags"], "Flag")
    assert row["Flag"] == june.pk and row["Unit code"] == "540221101201" and row["Shop"] == "Namling butter"
    assert row["Month"] == "2019-06" and row["Amount (yuan)"] == 45.0 and row["Orders"] == 1
    assert row["Status"] == "Dismissed" and row["Reviewed by"] == "namling"
    assert row["Reason"].startswith("'=HYPERLINK")  # text, never a formula
    assert "The shop's median order before: ¥45.00" in row["Evidence"]


def test_the_workbook_holds_the_months_completeness(client, namling, county_officer):
    client.force_login(county_officer)
    workbook = download(client)
    rows = table(workbook["Completeness"], "Code")
    assert [r["Unit"] for r in rows] == ["Namling Township", "Recorded at Namling County itself", "Total"]
    total = rows[-1]
    assert (
        total["Shops expected to report"],
        total["Shops that reported"],
        total["Shops without a report"],
    ) == (
        3,
        1,
        2,
    )
    assert (total["Village points expected"], total["Village points that recorded nothing"]) == (3, 1)
    assert total["Share complete"] == 0.5
    missing = table(workbook["Shops without a report"], "Unit code")
    assert [r["Shop"] for r in missing] == ["Namling cooperative", "Namling barley"]
    assert [r["Village point"] for r in table(workbook["Silent village points"], "Unit code")] == [
        "Point three"
    ]


def test_a_month_without_flags_says_so(client, namling, county_officer):
    client.force_login(county_officer)
    workbook = download(client, month="2019-08")
    assert workbook["Flags"].cell(row=6, column=1).value == "No flags in this area for this month."


def test_the_workbook_wants_a_month_and_the_area(client, namling, county_officer, other_county_officer):
    client.force_login(county_officer)
    refused = client.get(reverse("quality:workbook", args=["540221"]), {"month": "2019"})
    assert refused.status_code == 302 and refused["Location"] == reverse("quality:flags", args=["540221"])
    client.force_login(other_county_officer)
    assert client.get(reverse("quality:workbook", args=["540221"]), {"month": "2019-06"}).status_code == 404


def test_both_pages_link_to_the_workbook_of_their_month(client, namling, county_officer):
    client.force_login(county_officer)
    link = reverse("quality:workbook", args=["540221"]) + "?month=2019-06"
    assert (
        link in client.get(reverse("quality:flags", args=["540221"]), {"month": "2019-06"}).content.decode()
    )
    page = client.get(reverse("quality:completeness", args=["540221"]), {"month": "2019-06"})
    assert link in page.content.decode()
