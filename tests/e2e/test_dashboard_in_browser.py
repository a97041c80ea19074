"""The monitoring dashboard in a real browser, as the demo's region officer: 2019 for the region, drill down
Shigatse → a county → a township → a village, download the workbook and find the page's figures in it; and the
county officer, who sees only Namling County; opening on the latest data, a target and the map; the
evaluation on a phone."""

import datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

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

SHOWN = ["online_sales", "online_sales_orders", "online_purchases", "online_purchases_orders", "online_shops"]


def figures(page) -> dict[str, float]:
    return {
        name: float(page.locator(f"[data-testid=value-{name}]").inner_text().replace(",", ""))
        for name in SHOWN
    }


def drill_into_busiest(page) -> str:
    """Follows the first row of the ranking (sorted by sales, largest first); returns the unit's name."""
    link = page.locator("[data-testid=ranking] tbody tr").first.locator("a")
    name = link.inner_text()
    with page.expect_navigation():
        link.click()
    expect(page.locator("h1")).to_contain_text(name)
    return name


def test_the_region_officer_drills_down_to_a_village_and_downloads_the_same_figures(new_page, screenshot):
    page = new_page()
    page.goto("/accounts/login/")
    log_in(page, "region-officer")
    expect(page.locator("h1")).to_contain_text("Tibet Autonomous Region")  # officers start on the dashboard
    page.select_option("select[name=year]", "2019")
    page.select_option("select[name=part]", "")
    with page.expect_navigation():
        page.click("form.period-picker button")
    expect(page.locator("[data-testid=period]")).to_contain_text("From 2019-01-01 to 2019-12-31")
    region = figures(page)
    assert region["online_sales"] > 0 and region["online_purchases"] > 0
    expect(page.locator(".chart svg rect").first).to_be_attached()
    expect(page.locator("[data-testid=judged-online_sales]")).to_contain_text("on 2018")  # the year before
    screenshot(page, "region-2019")

    with page.expect_navigation():
        page.locator("[data-testid=ranking] tr[data-code='540200'] a[href^='/monitoring/']").click()
    expect(page.locator("h1")).to_contain_text("Shigatse")
    shigatse = figures(page)
    assert 0 < shigatse["online_sales"] < region["online_sales"]
    county = drill_into_busiest(page)
    township = drill_into_busiest(page)
    village = drill_into_busiest(page)
    crumbs = page.locator(".crumbs").inner_text()
    for name in ("Tibet Autonomous Region", "Shigatse", county, township):
        assert name in crumbs
    expect(page.locator("[data-testid=period]")).to_contain_text("From 2019-01-01 to 2019-12-31")
    shown = figures(page)
    screenshot(page, "village-2019")

    with page.expect_download() as download:
        page.click("[data-testid=workbook]")
    workbook = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
    sheet = workbook.worksheets[0]
    labels = {page.locator(f"[data-indicator={name}] h2").inner_text(): name for name in SHOWN}
    found = {labels[row[0]]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0] in labels}
    assert found == pytest.approx(shown)
    assert (
        village in str(sheet["B1"].value)
        or village in str(sheet["A1"].value)
        or any(village in str(cell) for row in sheet.iter_rows(max_row=3, values_only=True) for cell in row)
    )


def test_the_dashboard_fits_a_phone(new_page, screenshot):
    page = new_page(viewport=PHONE)
    page.goto("/accounts/login/")
    log_in(page, "region-officer")
    page.goto("/monitoring/540000/?period=2019")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1
    screenshot(page, "phone")


def test_the_region_officer_opens_on_the_latest_data_sets_a_target_and_drills_through_the_map(
    new_page, screenshot
):
    page = new_page()
    page.goto("/accounts/login/")
    log_in(page, "region-officer")
    # the latest period with trade: this year, which holds the demo's desk and storefront orders of late
    this_year = datetime.datetime.now(ZoneInfo("Asia/Shanghai")).year
    expect(page.locator("[data-testid=period]")).to_contain_text(f"From {this_year}-01-01")
    assert figures(page)["online_sales"] > 0

    # a growth target for 2019's online sales, which passes down to the prefectures that set none
    page.goto("/monitoring/540000/targets/?year=2019")
    form = page.locator("[data-testid=target-form]")
    form.locator("select[name=indicator]").select_option("online_sales")
    form.locator("select[name=kind]").select_option("growth")
    form.locator("input[name=year]").fill("2019")
    form.locator("input[name=value]").fill("30")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=targets] tr[data-indicator=online_sales]")).to_contain_text("30")

    page.goto("/monitoring/540000/?period=2019")
    expect(page.locator("[data-testid=target-online_sales]")).to_contain_text("30")
    expect(page.locator("[data-testid=judged-online_sales]")).to_contain_text("on 2018")  # and the change
    # 2019 holds half a year: every prefecture is behind a growth on the whole of 2018
    expect(page.locator("[data-testid=behind-540200-online_sales]")).to_be_visible()
    screenshot(page, "region-2019-target")

    # the map: Shigatse's shape opens its dashboard, whose map shows its counties at their seats
    with page.expect_navigation():
        page.locator("[data-testid=map] a[href*='/monitoring/540200/'] path").click()
    expect(page.locator("h1")).to_contain_text("Shigatse")
    assert page.locator("[data-testid=map] circle.seat").count() >= 10
    screenshot(page, "shigatse-map")

    page.goto("/monitoring/540000/targets/?year=2019")  # as it was, for the other tests
    with page.expect_navigation():
        page.locator("[data-testid=targets] tr[data-indicator=online_sales] button[name=remove]").click()
    expect(page.locator("[data-testid=targets] tr[data-indicator=online_sales]")).to_contain_text("—")


def test_the_region_officer_reads_the_evaluation_on_a_phone(new_page, screenshot):
    page = new_page(viewport=PHONE)
    page.goto("/accounts/login/")
    log_in(page, "region-officer")
    page.goto("/monitoring/540000/?period=2019")
    with page.expect_navigation():
        page.click("[data-testid=evaluation-link]")
    expect(page.locator("h1")).to_contain_text("Evaluation for Tibet Autonomous Region")
    studies = page.locator("[data-testid=did] article.event-study")
    expect(studies).to_have_count(4)
    for i in range(4):  # each outcome: a reading, and a chart with the base year and at least one estimate
        study = studies.nth(i)
        expect(study.locator("p.reading")).to_contain_text("%")
        expect(study.locator("svg g.base circle")).to_have_count(1)
        assert study.locator("svg g.estimate circle").count() >= 1
    expect(page.locator("[data-testid=reading-online_sales]")).to_contain_text("counties designated in")
    table = page.locator("[data-testid=gains-table]")
    expect(table).to_contain_text("registered poor")
    expect(table).to_contain_text("60 km and more")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    screenshot(page, "evaluation-phone")


def test_the_county_officer_sees_only_namling(new_page):
    page = new_page()
    page.goto("/accounts/login/")
    log_in(page, "county-officer")
    expect(page.locator("h1")).to_contain_text("Namling County")
    for path in ("/monitoring/540000/", "/monitoring/540200/report/", "/monitoring/540102/workbook.xlsx"):
        response = page.goto(path)
        assert response.status == 404, path
