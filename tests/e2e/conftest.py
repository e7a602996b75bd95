"""Browser tests: Playwright for Python driving Debian's chromium against the live server.

Every page a test opens is checked by axe-core (tests/e2e/axe.py): a serious or critical
WCAG 2.1 A/AA violation fails the test when it ends, listing each one; so does anything the
browser refused under the site's Content-Security-Policy.

Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
thread with a running loop unless told this is safe, which it is here (one thread, in order).
"""

import os
from pathlib import Path

import pytest

from tests.e2e.axe import AXE_JS, AxeChecker, CheckedPage

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium fonts-wqy-zenhei")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def checked_page(browser, **options):
    """A page in a new browser context whose pages axe-core checks; fail on what it found."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: make setup installs it")
    context = browser.new_context(locale="zh-CN", **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    checker = AxeChecker(page)
    refused = csp_violations(page)
    yield CheckedPage(page, checker)
    checker.finish()
    context.close()
    if checker.violations:
        pytest.fail(checker.report(), pytrace=False)
    if refused:
        pytest.fail(
            f"{len(refused)} Content-Security-Policy violation(s):\n" + "\n".join(refused),
            pytrace=False,
        )


def csp_violations(page) -> list[str]:
    """Collect what the browser refused under the Content-Security-Policy (it says so on the
    console), with the page it happened on: the app runs with its policy on in these tests."""
    refused: list[str] = []

    def note(message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            refused.append(f"{page.url}: {text}")

    page.on("console", note)
    return refused


@pytest.fixture
def page(browser):
    yield from checked_page(browser, viewport={"width": 1366, "height": 900})


@pytest.fixture
def phone_page(browser):
    yield from checked_page(
        browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )


@pytest.fixture(scope="session")
def screenshot_dir():
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(autouse=True)
def taxonomies(transactional_db):
    """The channels and service categories a migration seeds: a browser test's database is
    flushed after each test, so the next one puts them back."""
    import importlib

    from django.apps import apps

    importlib.import_module("liaison.migrations.0005_seed_taxonomies").seed(apps, None)
    importlib.import_module("liaison.migrations.0028_channel_tree").seed(apps, None)
