"""With the Content-Security-Policy on, the pages that run scripts still work in a real browser: the language
switch submits itself, the report's Print button and the API's interactive documentation (Swagger UI)."""

from pathlib import Path

import pytest

if not Path("/usr/bin/chromium").exists():
    pytest.skip(
        "browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )

from playwright.sync_api import expect

from tests.e2e.helpers import log_in

pytestmark = pytest.mark.e2e


def test_the_api_documentation_renders_under_the_policy(new_page, screenshot):
    page = new_page()
    response = page.goto("/api/v1/docs/")
    assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    screenshot(page, "api-docs")


def test_the_language_switch_and_the_print_button_work_without_inline_scripts(new_page, screenshot):
    page = new_page()
    page.goto("/accounts/login/")
    log_in(page, "region-officer")
    page.goto("/monitoring/540000/report/?period=2019")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.click("[data-print]")
    assert page.evaluate("() => window.printed") == 1
    with page.expect_navigation():
        page.select_option("#language", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    screenshot(page, "report-in-chinese")
