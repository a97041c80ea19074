"""Each language the switch offers, in a real browser on a phone: the storefront's home and a product page, the
desk, the dashboard, the printable report and the evaluation hold no English sentence of the interface (every message of the
catalogue whose translation differs is looked for in the page's text), a Tibetan page is drawn with the app's
Tibetan font, and no page is wider than the phone. Screenshots of each for a person to look at."""

import re
from pathlib import Path

import polib
import pytest

if not Path("/usr/bin/chromium").exists():
    pytest.skip(
        "browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )

from playwright.sync_api import expect

from tests.e2e.helpers import PHONE, log_in

pytestmark = pytest.mark.e2e
LOCALE = Path(__file__).resolve().parents[2] / "villagelink" / "locale"
# Each language's catalogue, and the browser locale (its Accept-Language) that asks for it.
LANGUAGES = {"bo": ("bo", "bo-CN"), "fr": ("fr", "fr-FR"), "zh-hans": ("zh_Hans", "zh-CN")}
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sd]")


def english_sentences(locale: str) -> list[str]:
    """The interface's English messages that would show if left untranslated: those of three words or more (a
    shorter one may be a proper name or the same in both languages), without placeholders or markup."""
    found = []
    for entry in polib.pofile(str(LOCALE / locale / "LC_MESSAGES" / "django.po")):
        text = entry.msgid
        if PLACEHOLDER.search(text) or "<" in text or len(text.split()) < 3 or entry.msgstr == text:
            continue
        found.append(text)
    return found


def pages(new_page, locale: str):
    """(name, page) for each page checked, opened by a browser whose language is `locale`."""
    options = {"viewport": PHONE, "locale": locale}
    buyer = new_page(**options)
    buyer.goto("/")
    expect(buyer.locator("[data-testid=featured] li.card").first).to_be_visible()
    yield "storefront", buyer
    with buyer.expect_navigation():
        buyer.locator("[data-testid=featured] li.card a").first.click()
    yield "product", buyer

    operator = new_page(**options)
    operator.goto("/accounts/login/")
    log_in(operator, "point-operator")
    yield "desk", operator

    officer = new_page(**options)
    officer.goto("/accounts/login/")
    log_in(officer, "county-officer")
    officer.goto("/monitoring/540221/?period=2019")
    yield "dashboard", officer
    officer.goto("/monitoring/540221/report/?period=2019")
    yield "report", officer
    officer.goto("/monitoring/540221/evaluation/?period=2019")
    yield "evaluation", officer


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_every_page_speaks_the_readers_language(new_page, screenshot, code):
    catalogue, locale = LANGUAGES[code]
    english = english_sentences(catalogue)
    assert len(english) > 300  # the catalogue was read
    leftovers = {}
    for name, page in pages(new_page, locale):
        expect(page.locator("html")).to_have_attribute("lang", code)
        text = page.inner_text("body")
        left = [sentence for sentence in english if sentence in text]
        if left:
            leftovers[name] = left[:10]
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, f"the {name} page in {code} is {width} px wide"
        if code == "bo":
            page.evaluate("() => document.fonts.ready")
            tibetan = "".join(re.findall(r"[\u0f00-\u0fff]+", text))[:200]
            assert tibetan, f"no Tibetan on the {name} page"
            assert page.evaluate(
                "(sample) => document.fonts.check('16px \"VillageLink Tibetan\"', sample)", tibetan
            ), f"the {name} page's Tibetan is not drawn with the app's Tibetan font"
        screenshot(page, f"{code}-{name}")
    assert leftovers == {}, f"English left on pages in {code}: {leftovers}"
