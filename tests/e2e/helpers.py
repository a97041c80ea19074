"""What the browser tests share: the demo's password, a phone's viewport, logging in through the page."""

from playwright.sync_api import Page

DEMO_PASSWORD = "villagelink-demo"
PHONE = {"width": 390, "height": 844}


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login page (open it first) and wait until the browser has left it."""
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button.primary")
    assert "/accounts/login/" not in page.url, f"still on the login page: {page.url}"
