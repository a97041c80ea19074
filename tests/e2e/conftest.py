"""Fixtures for the browser tests: the real demo server in a subprocess, and headless Chromium.

The server is `python -m villagelink demo` on a free port with its own data folder (its own SQLite file),
never the test database. Building the demo takes most of a minute, so the folder starts as a copy of the one
the session built once (the `demo_data` fixture), where `demo` finds everything set up and only serves. One
server (and one Chromium) serves the whole session: each test logs in through its own fresh browser context,
and a test that changes the data (a purchase, a parcel, an import, an order) asserts only what it changed
itself, never an absolute count that another test could move. Chromium is Debian's (/usr/bin/chromium),
driven through Playwright's sync API.
Screenshots go to var/screenshots/ (git-ignored) for people to look at.
"""

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import copy_demo_data, villagelink_env

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "var" / "screenshots"
# Upper bounds only, so a slow machine does not fail a correct run; nothing is asserted about speed.
SERVER_START_LIMIT_S = 120
BROWSER_TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_failure(message: str, log_path: Path) -> str:
    output = log_path.read_text(errors="replace") if log_path.exists() else ""
    return f"{message}\n--- demo server output ---\n{output}"


@pytest.fixture(scope="session")
def demo_server(demo_data, tmp_path_factory) -> Iterator[str]:
    """The base URL of a demo server started for the session, and stopped after it whatever happens."""
    data_dir = copy_demo_data(demo_data, tmp_path_factory.mktemp("demo-data"))
    log_path = data_dir / "server.log"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = villagelink_env(data_dir)
    command = [sys.executable, "-m", "villagelink", "demo", "--addr", f"127.0.0.1:{port}"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + SERVER_START_LIMIT_S
            while True:
                if process.poll() is not None:
                    pytest.fail(
                        _server_failure(
                            f"The demo server exited early (code {process.returncode}).", log_path
                        )
                    )
                try:
                    with urllib.request.urlopen(f"{base_url}/accounts/login/", timeout=5):  # noqa: S310
                        break
                except urllib.error.HTTPError:
                    break  # it answers HTTP; the tests judge the answer
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(
                        _server_failure(
                            f"The demo server did not answer within {SERVER_START_LIMIT_S} s.", log_path
                        )
                    )
                time.sleep(0.2)
            if process.poll() is not None:  # something else answered on the port, and ours gave up
                pytest.fail(
                    _server_failure(f"The demo server exited early (code {process.returncode}).", log_path)
                )
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def new_page(browser, demo_server, request):
    """Open pages in fresh browser contexts (English, no cookies); check them for script and server errors and
    for anything the Content-Security-Policy blocks.

    `new_page(viewport={"width": 390, "height": 844})` passes its keywords to `browser.new_context`.
    A failing test leaves a screenshot of each of its pages, named FAILED-<test>-<n>.png.
    """
    contexts = []
    problems: list[str] = []

    def open_page(**context_options):
        options = {"locale": "en-US", "base_url": demo_server, **context_options}
        context = browser.new_context(**options)
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on("console", on_console)
        page.on("requestfailed", on_request_failed)
        page.on("response", on_response)
        return page

    def on_request_failed(req):
        # ERR_ABORTED is the browser cancelling a request itself (the page moved on while, say, the favicon was
        # still loading): not an error of the server or the page.
        if req.failure != "net::ERR_ABORTED":
            problems.append(f"request failed: {req.method} {req.url} ({req.failure})")

    def on_console(message):
        # The Content-Security-Policy is on in every test: anything it blocks is an error of the page.
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            problems.append(f"blocked by the Content-Security-Policy: {message.text}")

    def on_response(response):
        if response.status >= 500:
            problems.append(f"server error: {response.status} {response.url}")

    yield open_page

    failed = getattr(request.node, "report_call", None)
    failed = failed is not None and failed.failed
    for n, context in enumerate(contexts, start=1):
        if failed:
            for page in context.pages:
                SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=SCREENSHOT_DIR / f"FAILED-{request.node.name}-{n}.png", full_page=True)
        context.close()
    assert not problems, "The browser saw errors:\n" + "\n".join(problems)


@pytest.fixture
def screenshot(request) -> Callable:
    """`screenshot(page, "step")` saves var/screenshots/<test>-<nn>-<step>.png (the whole page)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    prefix = re.sub(r"^test_", "", request.node.name)
    counter = iter(range(1, 100))

    def save(page, step: str) -> Path:
        path = SCREENSHOT_DIR / f"{prefix}-{next(counter):02d}-{step}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return save
