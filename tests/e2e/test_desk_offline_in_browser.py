"""The desk on a 390 × 844 phone, online and off, as the demo's point operator: landing on the desk, a refused
amount kept with its error beside it, three entries recorded offline and still waiting after a reload, sent
once each when the connection returns (also when the first send's answer is lost), and an entry dated in an
approved month coming back refused with the reason."""

import contextlib
import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

if not Path("/usr/bin/chromium").exists():
    pytest.skip(
        "browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.e2e.helpers import PHONE, log_in

pytestmark = pytest.mark.e2e
REGION = ZoneInfo("Asia/Shanghai")  # the demo's region clock


def operator_on_the_desk(new_page):
    page = new_page(viewport=PHONE)
    page.goto("/accounts/login/")
    log_in(page, "point-operator")
    expect(page).to_have_url(re.compile(r"/desk/$"))  # operators land on the desk
    # The service worker has kept the desk, and the phone the village's households.
    for _ in range(100):  # (wait_for_function evaluates a string: the page's CSP forbids that)
        if page.evaluate("() => Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)"):
            break
        page.wait_for_timeout(200)
    else:
        pytest.fail("the desk's service worker never took control of the page")
    return page


def record_purchase(page, description: str, amount: str) -> None:
    purchase = page.locator("[data-testid=purchase]")
    purchase.locator("#id_purchase-description").fill(description)
    purchase.locator("#id_purchase-amount").fill(amount)
    purchase.locator("button[type=submit]").click()


def test_a_refused_amount_keeps_every_field_with_the_error_beside_it(new_page, screenshot):
    page = operator_on_the_desk(new_page)
    purchase = page.locator("[data-testid=purchase]")
    purchase.locator("#id_purchase-category").select_option("food")
    record_purchase(page, "Salt, 5 kg", "abc")

    field = page.locator("#id_purchase-amount").locator("xpath=ancestor::div[contains(@class, 'field')]")
    expect(field.locator(".errorlist")).to_contain_text("is not an amount in yuan")
    expect(page.locator("#id_purchase-description")).to_have_value("Salt, 5 kg")
    expect(page.locator("#id_purchase-amount")).to_have_value("abc")
    expect(page.locator("#id_purchase-category")).to_have_value("food")
    expect(page).to_have_url(re.compile(r"/desk/$"))  # a reload opens the desk again
    small = page.evaluate(
        """() => [...document.querySelectorAll('main button, main summary, main select, main a.button, header button')]
          .filter((e) => e.offsetParent).map((e) => e.getBoundingClientRect())
          .filter((r) => r.width < 44 || r.height < 44).length"""
    )
    assert small == 0, "touch targets smaller than 44 × 44 px"
    screenshot(page, "refused-amount")


def test_entries_made_offline_wait_on_the_phone_and_are_sent_once(new_page, screenshot):
    page = operator_on_the_desk(new_page)
    context = page.context
    context.set_offline(True)
    expect(page.locator("[data-testid=offline-note]")).to_be_visible()
    picker = page.locator("#offline-household")
    expect(picker.locator("option")).not_to_have_count(1)  # the village's households, kept on the phone
    assert "*" in picker.locator("option").nth(1).inner_text()  # masked ID numbers only

    stamp = datetime.datetime.now(REGION).strftime("%H%M%S")
    names = [f"Offline tea {stamp}", f"Offline salt {stamp}"]
    picker.select_option(index=1)
    record_purchase(page, names[0], "12.50")
    record_purchase(page, names[1], "8")
    parcel = page.locator("[data-testid=parcel]")
    parcel.locator("summary").click()
    parcel.locator("#id_parcel-carrier").select_option("EMS")
    parcel.locator("#id_parcel-tracking_number").fill(f"OFF{stamp}CN")
    parcel.locator("button[type=submit]").click()
    outbox = page.locator("[data-testid=outbox] li")
    expect(outbox).to_have_count(3)

    page.reload()  # still offline: the kept desk, with the entries still waiting
    expect(page.locator("[data-testid=offline-note]")).to_be_visible()
    expect(outbox).to_have_count(3)
    screenshot(page, "offline-waiting")

    # The first send reaches the server but its answer is lost: sent again with the same key, recorded once.
    lost = []

    def lose_first_answer(route):
        if not lost:
            lost.append(route.fetch().status)
            route.abort("aborted")  # (ERR_ABORTED: not counted as an error of the page)
        else:
            route.continue_()

    page.route("**/api/v1/desk/purchases/", lose_first_answer)
    context.set_offline(False)  # the page sends what waits (and reloads once it has sent something)
    # In case the browser does not tell the page by itself (if it did, the page may be reloading already).
    with contextlib.suppress(PlaywrightError):
        page.evaluate("() => window.dispatchEvent(new Event('online'))")
    entries = page.locator("[data-testid=entries]")
    for name in names:
        expect(entries.locator("li", has_text=name)).to_have_count(1, timeout=60_000)
    expect(page.locator("[data-testid=outbox] li")).to_have_count(0, timeout=60_000)
    assert lost == [201]  # the lost answer's entry was recorded; sent again, it was not recorded twice
    for name in names:
        expect(entries.locator("li", has_text=name)).to_have_count(1)
    expect(page.locator("[data-testid=waiting]")).to_contain_text(f"OFF{stamp}CN")
    expect(page.locator("[data-testid=outbox]")).to_be_hidden()
    screenshot(page, "sent")


def test_an_entry_dated_in_an_approved_month_comes_back_refused(new_page, screenshot):
    page = operator_on_the_desk(new_page)
    county = page.locator("#desk").get_attribute("data-unit")[:6]  # counties approve their months
    # A month no other browser test touches (they share the demo server): March of last year.
    month = datetime.date(datetime.datetime.now(REGION).year - 1, 3, 1)
    officer = new_page()
    officer.goto("/accounts/login/")
    log_in(officer, "county-officer")
    officer.goto(f"/monitoring/{county}/?period={month:%Y-%m}")
    approval = officer.locator("[data-testid=approval]")
    if approval.locator("button.primary").count():
        approval.locator("input[name=confirm]").check()  # approving is confirmed
        if approval.locator("textarea[name=reason]").count():  # and needs a reason while flags are open
            approval.locator("textarea[name=reason]").fill("Flags reviewed at the county meeting")
        with officer.expect_navigation():
            approval.locator("button.primary").click()
    expect(approval).to_contain_text("were approved")

    page.clock.set_fixed_time(datetime.datetime(month.year, month.month, 15, 11, 0, tzinfo=REGION))
    page.context.set_offline(True)
    record_purchase(page, "Late entry", "20")
    page.context.set_offline(False)
    with contextlib.suppress(PlaywrightError):
        page.evaluate("() => window.dispatchEvent(new Event('online'))")
    refused = page.locator("[data-testid=outbox] li[data-state=refused]")
    expect(refused).to_contain_text("approved")
    screenshot(page, "refused-entry")
    refused.get_by_role("button", name="Discard it").click()
    expect(page.locator("[data-testid=outbox]")).to_be_hidden()
