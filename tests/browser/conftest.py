"""The browser layer: real pages in headless Chromium, served by a live server.

Reusable by any surface a person uses in a browser (the patient's intake page
today, the admin console next):

- ``browser``: one Chromium for the session, Debian's ``/usr/bin/chromium`` driven
  by Playwright (``executable_path``; Playwright's own browser download is never
  used). Tests that use it are marked ``browser`` and skip with a reason naming the
  package when it is missing, or fail under ``CLINICFLOW_REQUIRE_SERVICES=1``.
- ``open_page(path, viewport=..., javascript=...)``: a fresh context (no cookies,
  cache or storage shared between tests) at a phone or desktop size, with or
  without JavaScript, on the live server.
- ``site``: the live server's base URL; intake links are built on it.

A failing test leaves a full-page screenshot of every page it opened in
``var/browser-artifacts/`` (CI keeps it).

The live server runs in a thread of this process against the test database, so
the data a test creates is what the browser sees (``transactional_db``).
"""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "browser-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}

# As the machine's notes advise for a closed network and a root user: no sandbox
# (root), no GPU, and none of Chromium's background calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "call":
        item.browser_failed = report.failed
    return report


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the browser tests, closed when they are done.

    Playwright's sync API keeps an asyncio loop running in this thread, which
    Django's ORM would take for async code and refuse; the ORM calls made while it
    runs are the tests' own plain sync code, so the check is off for exactly as
    long as the browser is up."""
    if not os.access(CHROMIUM, os.X_OK):  # tests/conftest.py has already said why
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def site(live_server, settings):
    """The live server's base URL; intake links sent during the test point at it."""
    settings.CLINICFLOW_PUBLIC_URL = live_server.url
    return live_server.url


@pytest.fixture
def open_page(browser, site, request):
    """``open_page(path_or_url, viewport="phone", javascript=True)`` → a Playwright page."""
    contexts = []

    def open_(path: str, *, viewport: str = "phone", javascript: bool = True):
        context = browser.new_context(
            viewport=VIEWPORTS[viewport],
            java_script_enabled=javascript,
            is_mobile=viewport == "phone",
            has_touch=viewport == "phone",
            locale="en-US",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(path if path.startswith("http") else site + path)
        return page

    yield open_
    if getattr(request.node, "browser_failed", False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        for number, context in enumerate(contexts):
            for index, page in enumerate(context.pages):
                page.screenshot(path=ARTIFACTS / f"{name}-{number}-{index}.png", full_page=True)
    for context in contexts:
        context.close()
