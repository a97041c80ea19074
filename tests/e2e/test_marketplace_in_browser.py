"""The marketplace in a real browser, as a new buyer and then as the seller: search in two languages, the
product page's weight, cart, cash-on-delivery checkout, confirmation, tracking, shipping, tracking again."""

from pathlib import Path

import pytest

if not Path("/usr/bin/chromium").exists():
    pytest.skip(
        "browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "villagelink-demo"
PHONE = {"width": 390, "height": 844}
PRODUCT = "Namling yak butter"  # the demo seller's newest product (orders/demo.py)
PAGE_BUDGET_BYTES = 300_000


def search(page: Page, words: str) -> None:
    page.fill("#q", words)
    with page.expect_navigation():
        page.press("#q", "Enter")


def track(page: Page, number: str, last4: str) -> None:
    page.goto("/track/")
    page.fill("#id_number", number)
    page.fill("#id_phone_last4", last4)
    with page.expect_navigation():
        page.click("[data-testid=track-form] button[type=submit]")


def test_a_new_buyer_buys_yak_butter_and_the_seller_ships_it(new_page, screenshot):
    buyer = new_page(viewport=PHONE)
    buyer.goto("/")
    expect(buyer.locator("[data-testid=featured] li.card").first).to_be_visible()
    screenshot(buyer, "storefront")

    search(buyer, "酥油")
    expect(buyer.locator("[data-testid=results]")).to_contain_text("butter")
    search(buyer, "butter")
    # the newest poverty-area products between ¥50 and ¥100, by the filters and a sort
    buyer.click("[data-testid=filters] summary")
    buyer.select_option("#id_sort", "newest")
    buyer.check("#id_mark")
    buyer.fill("#id_min_price", "50")
    buyer.fill("#id_max_price", "100")
    with buyer.expect_navigation():
        buyer.click("[data-testid=filters] button[type=submit]")
    assert "sort=newest" in buyer.url and "mark=on" in buyer.url  # an address to share
    results = buyer.locator("[data-testid=results]")
    expect(results).to_contain_text(PRODUCT)
    expect(results.locator("[data-testid=sold]").first).to_be_visible()
    screenshot(buyer, "search-butter")

    # The product page's first load, as a phone on a fresh connection would fetch it.
    fresh = new_page(viewport=PHONE)
    responses = []
    fresh.on("response", lambda response: responses.append(response))
    product_url = results.locator("a", has_text=PRODUCT).first.get_attribute("href")
    fresh.goto(product_url)
    fresh.wait_for_load_state("networkidle")
    transferred = sum(
        r.request.sizes()["responseBodySize"] + r.request.sizes()["responseHeadersSize"] for r in responses
    )
    assert 0 < transferred < PAGE_BUDGET_BYTES, f"the product page's first load is {transferred} bytes"
    assert any("/media/photos/" in r.url for r in responses), "the product page shows no photo"

    with buyer.expect_navigation():
        results.locator("a", has_text=PRODUCT).first.click()
    expect(buyer.locator("[data-testid=origin]")).to_contain_text("Namling County")
    expect(buyer.locator("[data-testid=poverty-mark]")).to_be_visible()
    screenshot(buyer, "product")
    with buyer.expect_navigation():
        buyer.click("[data-testid=shop-link]")
    expect(buyer.locator("[data-testid=shop]")).to_be_visible()
    expect(buyer.locator("[data-testid=results]")).to_contain_text(PRODUCT)  # the shop's own page lists it
    screenshot(buyer, "shop-page")
    buyer.goto(product_url)
    buyer.click("text=Add to cart")
    expect(buyer.locator("[data-testid=cart-link]")).to_contain_text("(1)")

    buyer.goto("/cart/")
    expect(buyer.locator("[data-testid=cart]")).to_contain_text(PRODUCT)
    with buyer.expect_navigation():
        buyer.click("[data-testid=to-checkout]")
    buyer.fill("#id_name", "Wang Fang")
    buyer.fill("#id_phone", "13912345678")
    buyer.fill("#id_address", "88 Jianguo Road, Chaoyang District, Beijing")
    expect(buyer.locator("input[name=payment_method][value=cod]")).to_be_checked()
    screenshot(buyer, "checkout")
    with buyer.expect_navigation():
        buyer.click("[data-testid=checkout-form] button[type=submit]")
    number = buyer.locator("[data-testid=order-number]").first.inner_text().strip()
    assert number.isdigit() and len(number) == 12
    expect(buyer.locator("body")).to_contain_text("pay in cash")
    screenshot(buyer, "confirmation")

    track(buyer, number, "5678")
    expect(buyer.locator("[data-testid=order-status]")).to_have_text("Placed")
    screenshot(buyer, "tracking-placed")

    seller = new_page()
    seller.goto("/accounts/login/")
    seller.fill("#id_username", "seller")
    seller.fill("#id_password", DEMO_PASSWORD)
    with seller.expect_navigation():
        seller.click("button.primary")
    expect(seller.locator("[data-testid=orders]")).to_contain_text(number)
    with seller.expect_navigation():
        seller.click(f"text={number}")
    seller.select_option("#id_carrier", "EMS")  # from the list
    seller.fill("#id_tracking_number", "EA123456789CN")
    with seller.expect_navigation():
        seller.click("[data-testid=ship-form] button[type=submit]")
    expect(seller.locator("[data-testid=order-status]")).to_have_text("Shipped")
    screenshot(seller, "seller-shipped")

    track(buyer, number, "5678")
    expect(buyer.locator("[data-testid=order-status]")).to_have_text("Shipped")
    expect(buyer.locator("[data-testid=tracking-number]")).to_have_text("EA123456789CN")
    screenshot(buyer, "tracking-shipped")
