"""The printable report as an office prints it: A4 portrait pages, every table within the page's width, the
approval state and a signature block; saved as a PDF by Chromium's print, and each of its pages drawn as an
image with PDFium (in the screenshots)."""

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

if not Path("/usr/bin/chromium").exists():
    pytest.skip(
        "browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )

from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOT_DIR
from tests.e2e.helpers import log_in

pytestmark = pytest.mark.e2e

A4_POINTS = (595, 842)  # 210 × 297 mm
A4_PRINTABLE_PX = 703  # 210 mm less 12 mm margins each side, at 96 px per inch
# The fills of the map's five classes (core/static/core/site.css .shade-1 … .shade-5).
MAP_SHADES = {
    (0xE3, 0xEF, 0xE8),
    (0xB9, 0xD8, 0xC6),
    (0x7F, 0xB5, 0x96),
    (0x45, 0x8A, 0x62),
    (0x1F, 0x5A, 0x3A),
}


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_the_report_prints_on_a4_with_no_table_cut(new_page, screenshot, locale):
    page = new_page(locale=locale, viewport={"width": A4_PRINTABLE_PX, "height": 1000})
    page.goto("/accounts/login/")
    log_in(page, "region-officer")
    page.goto("/monitoring/540000/report/?period=2019-06")
    expect(page.locator("[data-testid=report-approval]")).to_be_visible()  # approved, or said not to be
    expect(page.locator("[data-testid=signatures]")).to_be_visible()
    assert page.locator("[data-testid=report-by-unit]").count() == 2  # trade, and the network, apart
    page.emulate_media(media="print")
    cut = page.evaluate(
        """() => [...document.querySelectorAll('.report table')]
              .filter(t => t.scrollWidth > t.parentElement.clientWidth + 1)
              .map(t => t.dataset.testid || t.querySelector('th')?.textContent)"""
    )
    assert cut == [], f"tables wider than the A4 page: {cut}"
    screenshot(page, f"report-print-{locale}")

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    (SCREENSHOT_DIR / f"report-{locale}.pdf").write_bytes(pdf)
    boxes = {
        tuple(round(float(n)) for n in box.split()[2:]) for box in re.findall(rb"/MediaBox \[([^\]]+)\]", pdf)
    }
    assert boxes == {A4_POINTS}, boxes  # every page A4 portrait (not the receipt's 58 mm roll)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 12, pages

    # Each page drawn as an image, as a reader of the PDF sees it: A4, ink on it, the map's shades on one.
    shaded = 0
    for number, pdf_page in enumerate(pdfium.PdfDocument(pdf), start=1):
        image = pdf_page.render(scale=1).to_pil().convert("RGB")
        image.save(SCREENSHOT_DIR / f"report-{locale}-page-{number}.png")
        assert image.size == A4_POINTS
        assert image.convert("L").getextrema()[0] < 80  # text printed on it, not a blank page
        shaded += sum(n for n, colour in image.getcolors(1 << 20) or [] if colour in MAP_SHADES)
    assert shaded > 2_000, "the map's prefectures are not on any page"


def test_a_desk_receipt_still_prints_on_the_58_mm_roll(new_page):
    page = new_page()
    page.goto("/accounts/login/")
    log_in(page, "point-operator")
    page.goto("/desk/")
    with page.expect_navigation():
        page.locator("[data-testid=receipt-link]").first.click()
    expect(page.locator("[data-testid=receipt]")).to_be_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    widths = {round(float(box.split()[2])) for box in re.findall(rb"/MediaBox \[([^\]]+)\]", pdf)}
    assert widths == {164}, widths  # 58 mm in points: the receipt's own page, not A4
