"""The demo in a real browser: log in, drill down the unit tree, scope, phone layout and language switch.

Runs `python -m villagelink demo` on a free port with its own data folder (see conftest.py) and drives
Debian's Chromium headless through Playwright. Screenshots of each step go to var/screenshots/.
"""

import re
from pathlib import Path

import pytest

if not Path("/usr/bin/chromium").exists():
    pytest.skip(
        "browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )

# Imported after the skip: without a browser there is nothing to drive.
from playwright.sync_api import Page, expect

from tests.e2e.helpers import PHONE, log_in

pytestmark = pytest.mark.e2e


def open_login(page: Page) -> None:
    response = page.goto("/accounts/login/")
    assert response is not None and response.status == 200
    expect(page.locator("#id_username")).to_be_visible()


def children_table(page: Page):
    return page.locator("table[data-testid=children]")


def assert_no_horizontal_overflow(page: Page, what: str) -> None:
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, f"{what} overflows sideways: {scroll_width}px in {inner_width}px"


def test_region_officer_drills_down_to_namling_county(new_page, screenshot):
    page = new_page()
    open_login(page)
    screenshot(page, "login")

    log_in(page, "region-officer")
    # Officers start on the dashboard of their own unit; the unit tree starts there too.
    expect(page).to_have_url(re.compile(r"/monitoring/540000/$"))
    page.goto("/units/")
    expect(page.locator("h1")).to_contain_text("Tibet Autonomous Region")
    who = page.locator("[data-testid=who]")
    expect(who).to_contain_text("Region officer")
    expect(who).to_contain_text("Tibet Autonomous Region")
    expect(children_table(page).get_by_role("link", name="Shigatse", exact=True)).to_be_visible()
    screenshot(page, "region")

    children_table(page).get_by_role("link", name="Shigatse", exact=True).click()
    expect(page).to_have_url(re.compile(r"/units/540200/$"))
    expect(page.locator("h1")).to_contain_text("Shigatse")
    screenshot(page, "prefecture-shigatse")

    children_table(page).get_by_role("link", name="Namling County", exact=True).click()
    expect(page).to_have_url(re.compile(r"/units/540221/$"))
    expect(page.locator("h1")).to_contain_text("Namling County")
    # The children are Namling's townships: codes of nine digits under 540221.
    rows = children_table(page).locator("tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() > 0
    for code in rows.locator("td:nth-child(2)").all_inner_texts():
        assert re.fullmatch(r"540221\d{3}", code.strip()), f"not a township of Namling: {code!r}"
    # The header still names the person and their scope after the in-page (htmx) navigations.
    expect(who).to_contain_text("Region officer")
    expect(who).to_contain_text("Tibet Autonomous Region")
    screenshot(page, "county-namling")


def test_county_officer_sees_only_own_county(new_page, screenshot):
    page = new_page()
    open_login(page)
    log_in(page, "county-officer")
    expect(page.locator("[data-testid=who]")).to_contain_text("Namling County")

    # Lhasa's Chengguan District lies outside the officer's county: not found, not forbidden.
    response = page.goto("/units/540102/")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).not_to_contain_text("Chengguan")
    expect(page.locator(".error")).to_be_visible()
    screenshot(page, "other-county-404")

    response = page.goto("/units/540221/")
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_contain_text("Namling County")
    expect(children_table(page).locator("tbody tr").first).to_be_visible()
    screenshot(page, "own-county")


def test_phone_layout_and_chinese(new_page, screenshot):
    page = new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    open_login(page)
    assert_no_horizontal_overflow(page, "the login page")
    screenshot(page, "phone-login")

    log_in(page, "region-officer")
    expect(page.locator("h1")).to_contain_text("Tibet Autonomous Region")
    assert_no_horizontal_overflow(page, "the dashboard")
    page.goto("/units/")
    expect(children_table(page).locator("tbody tr").first).to_be_visible()
    assert_no_horizontal_overflow(page, "the unit tree")
    screenshot(page, "phone-unit-tree")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    with page.expect_navigation():
        page.select_option("#language", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#language")).to_have_value("zh-hans")
    expect(page).to_have_url(re.compile(r"/units/$"))
    expect(children_table(page).locator("tbody tr").first).to_be_visible()
    assert_no_horizontal_overflow(page, "the unit tree in Chinese")
    screenshot(page, "phone-unit-tree-zh-hans")
