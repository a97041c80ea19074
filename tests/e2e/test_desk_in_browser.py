"""The village point's desk in a real browser, on a phone, as the demo's point operator: an assisted purchase
for a registered-poor household, a parcel received and picked up, and the day's totals changing. And a county
officer's report too large to check at once, checked and imported by the demo's background worker."""

import re
from pathlib import Path

import pytest

if not Path("/usr/bin/chromium").exists():
    pytest.skip(
        "browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )

from playwright.sync_api import expect

from tests.e2e.helpers import PHONE, log_in

pytestmark = pytest.mark.e2e


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
    log_in(page, "point-operator")
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
    parcel.locator("#id_parcel-carrier").select_option("EMS")
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


def jd_report(rows: int) -> bytes:
    """A JD order report without a shop column (the shop is chosen on the page), in GB18030 as JD gives it."""
    lines = ["订单号,商品名称,订购数量,应付金额,订单状态,下单时间"]
    lines += [
        f"E2E{n:08d},青稞饼 {n % 7} 袋,{1 + n % 3},{10 + n % 90}.{n % 100:02d},完成,2026-11-{1 + n % 20:02d} 10:{n % 60:02d}"
        for n in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode("gb18030")


def test_a_large_report_is_checked_and_imported_in_the_background(new_page, screenshot):
    rows = 21_000  # more than the 20,000 rows checked while the officer waits
    page = new_page()
    page.goto("/accounts/login/")
    log_in(page, "county-officer")
    page.goto("/imports/new/")
    page.set_input_files(
        "#id_file", files=[{"name": "jd-november.csv", "mimeType": "text/csv", "buffer": jd_report(rows)}]
    )
    page.select_option("#id_platform", "jd")
    # the report has no shop column: its shop is chosen, and it must be on JD like the report
    jd_shop = page.locator("#id_shop option", has_text="· JD").first.get_attribute("value")
    page.select_option("#id_shop", jd_shop)
    with page.expect_navigation():
        page.click("button.primary")
    batch = page.locator("[data-testid=import-batch]")
    # The batch page follows the worker (polling its progress) and shows the outcome once it is done.
    expect(batch.locator("[data-testid=created]")).to_have_text(f"{rows:,}")
    expect(batch.locator("[data-testid=rejected]")).to_have_text("0")
    screenshot(page, "import-checked")
    with page.expect_navigation():
        page.click("text=Commit the import")
    expect(batch).to_contain_text("New orders", timeout=120_000)
    expect(batch.locator("[data-testid=created]")).to_have_text(f"{rows:,}")
    screenshot(page, "import-committed")
