"""A county officer's Taobao report in a real browser: the preview to decide on (per status, what counts, the
change to the county's months, the first rows), an unknown status word given its meaning from the batch page
and the report checked again, and the rejected rows downloaded as a workbook of the rows as they came."""

import io
from pathlib import Path

import pytest

if not Path("/usr/bin/chromium").exists():
    pytest.skip(
        "browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.helpers import PHONE, log_in

pytestmark = pytest.mark.e2e

# No shop column: the shop is chosen on the page. Row 4 has an amount nobody can read, row 5 a status word
# the import does not know.
REPORT = (
    "订单编号,买家实际支付金额,订单状态,订单创建时间,宝贝标题,宝贝总数量\n"
    "E2ET1,100.00,交易成功,2019-06-01 10:00:00,酥油,1\n"
    "E2ET2,68.00,买家已付款，等待卖家发货,2019-06-02 10:00:00,青稞,1\n"
    "E2ET3,sixty,交易成功,2019-06-03 10:00:00,藏香,1\n"
    "E2ET4,50.00,已付款待发,2019-07-04 10:00:00,虫草,1\n"
)


def test_the_officer_decides_on_the_preview_fixes_a_word_and_downloads_the_rejected_rows(
    new_page, screenshot, tmp_path
):
    page = new_page(viewport=PHONE, accept_downloads=True)
    page.goto("/accounts/login/")
    log_in(page, "county-officer")
    page.goto("/imports/new/")
    page.set_input_files(
        "#id_file", files=[{"name": "taobao-e2e.csv", "mimeType": "text/csv", "buffer": REPORT.encode("gbk")}]
    )
    page.select_option("#id_platform", "taobao")
    shop = page.locator("#id_shop option", has_text="· Taobao").first.get_attribute("value")
    page.select_option("#id_shop", shop)
    with page.expect_navigation():
        page.click("button.primary")

    batch = page.locator("[data-testid=import-batch]")
    expect(batch.locator("[data-testid=rejected]")).to_have_text("2")
    expect(batch.locator("[data-testid=counted]")).to_contain_text("2 orders, ¥168.00")
    expect(batch.locator("[data-testid=months]")).to_contain_text("2019-06")
    expect(batch.locator("[data-testid=sample]")).to_contain_text("E2ET1")
    screenshot(page, "preview")

    with page.expect_download() as download:
        page.locator("[data-testid=rejections-download]").click()
    path = tmp_path / "rejected.xlsx"
    download.value.save_as(path)
    assert download.value.suggested_filename.endswith("-rejected.xlsx")
    rows = list(
        load_workbook(io.BytesIO(path.read_bytes()), read_only=True).active.iter_rows(values_only=True)
    )
    assert rows[0][2:4] == ("订单编号", "买家实际支付金额")
    assert [row[2:4] for row in rows[1:]] == [("E2ET3", "sixty"), ("E2ET4", "50.00")]

    word = page.locator("[data-testid=words] form", has_text="已付款待发")
    word.locator("select[name=meaning]").select_option("paid")
    with page.expect_navigation():
        word.locator("button").click()
    expect(page.locator(".messages")).to_contain_text("已付款待发")
    expect(batch.locator("[data-testid=rejected]")).to_have_text("1")
    expect(batch.locator("[data-testid=counted]")).to_contain_text("3 orders, ¥218.00")
    screenshot(page, "checked-again")
