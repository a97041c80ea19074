"""The village point's desk in a real browser, on a phone, as the demo's point operator: an assisted purchase
for a registered-poor household, a parcel received and picked up, and the day's totals changing."""

import re
from pathlib import Path

import pytest

if not Path("/usr/bin/chromium").exists():
    pytest.skip(
        "browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )

from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "villagelink-demo"
PHONE = {"width": 390, "height": 844}


def purchases(totals: str) -> tuple[int, int]:
    """(count, fen) from the totals' "Purchases  N · ¥X" line."""
    count, yuan = re.search(r"Purchases\s+(\d+) · ¥([\d,]+\.\d\d)", totals).groups()
    return int(count), round(float(yuan.replace(",", "")) * 100)


def parcels(totals: str) -> tuple[int, int]:
    received, picked = re.search(r"(\d+) received, (\d+) picked up", totals).groups()
    return int(received), int(picked)


def test_the_point_operator_records_a_purchase_and_a_parcel(new_page, screenshot):
    page = new_page(viewport=PHONE)
    page.goto("/accounts/login/")
    page.fill("#id_username", "point-operator")
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("button.primary")
    page.goto("/desk/")
    today = page.locator("[data-testid=totals-today]")
    expect(today).to_contain_text("Purchases")
    before = today.inner_text()
    screenshot(page, "desk")

    with page.expect_navigation():
        page.locator("[data-testid=quick] a").first.click()
    expect(page.locator("[data-testid=chosen]")).to_contain_text("registered poor")
    purchase = page.locator("[data-testid=purchase]")
    purchase.locator("#id_purchase-platform").select_option("taobao")
    purchase.locator("#id_purchase-description").fill("Fertiliser, 2 bags")
    purchase.locator("#id_purchase-category").select_option("agri_inputs")
    purchase.locator("#id_purchase-amount").fill("123.40")
    purchase.locator("#id_purchase-local_price").fill("150")
    with page.expect_navigation():
        purchase.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("The purchase is recorded.")
    expect(today).not_to_have_text(before)
    after_purchase = today.inner_text()
    (count0, fen0), (count1, fen1) = purchases(before), purchases(after_purchase)
    assert (count1 - count0, fen1 - fen0) == (1, 12340), (before, after_purchase)
    expect(page.locator("[data-testid=entries]")).to_contain_text("Fertiliser, 2 bags")
    screenshot(page, "purchase-recorded")

    parcel = page.locator("[data-testid=parcel]")
    parcel.locator("summary").click()
    parcel.locator("input[name=parcel-direction][value=received]").check()
    parcel.locator("#id_parcel-carrier").fill("EMS")
    parcel.locator("#id_parcel-tracking_number").fill("E2E000111CN")
    with page.expect_navigation():
        parcel.locator("button[type=submit]").click()
    waiting = page.locator("[data-testid=waiting]")
    expect(waiting).to_contain_text("E2E000111CN")
    with page.expect_navigation():
        waiting.locator("li", has_text="E2E000111CN").locator("button").click()
    expect(waiting).not_to_contain_text("E2E000111CN")
    expect(today).not_to_have_text(after_purchase)
    (r0, p0), (r1, p1) = parcels(after_purchase), parcels(today.inner_text())
    assert (r1 - r0, p1 - p0) == (1, 1)
    screenshot(page, "parcel-picked-up")
