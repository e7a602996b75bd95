"""Screens people use, in the browser, for every role that reads the ledger: the top bar holds on
one line at 1280 px in Chinese and at 1366 px in English, its right end (bell, user menu) on the
screen, and folds behind the toggler below that; the top bar's search opens an entry by its
number, on a laptop and on a phone. Screenshots screens-*.png."""

import pytest

from demo.seed import demo_seed
from liaison.models import User
from tests.e2e.helpers import log_in, log_out, switch_language
from tests.fixtures.factories import make_entry

pytestmark = pytest.mark.e2e

ROLES = ["dangjian", "dangwei", "shuji", "bumen", "lingdao", "admin"]

# Where the top bar's parts are: every item's vertical middle, the right end of the menu, of
# the search box, of the bell and of the user menu, and whether the toggler shows.
TOP_BAR = """() => {
  const box = (selector) => document.querySelector(selector).getBoundingClientRect();
  const nav = box("nav.ledger-navbar");
  const items = [...document.querySelectorAll(
    "nav.ledger-navbar .navbar-brand, nav.ledger-navbar .nav-item, [data-testid=top-search]")];
  const menu = [...document.querySelectorAll("#main-nav > ul.me-auto > li")];
  return {
    height: nav.height,
    middles: items.map((e) => {
      const r = e.getBoundingClientRect();
      return r.top + r.height / 2;
    }),
    menuRight: Math.max(...menu.map((e) => e.getBoundingClientRect().right)),
    searchLeft: box("[data-testid=top-search]").left,
    searchRight: box("[data-testid=top-search]").right,
    bellLeft: box("[data-testid=notification-bell]").left,
    bellRight: box("[data-testid=notification-bell]").right,
    userMenuRight: box("[data-testid=user-menu]").right,
    toggler: getComputedStyle(document.querySelector(".navbar-toggler")).display !== "none",
    scrollWidth: document.documentElement.scrollWidth,
  };
}"""


def assert_bar_on_one_line(page, width: int, who: str) -> float:
    """The bar is one row, nothing overlaps, its right end is on the screen: return that end."""
    bar = page.evaluate(TOP_BAR)
    assert not bar["toggler"], who
    assert bar["height"] < 62, who
    middle = bar["height"] / 2
    assert all(abs(m - middle) < 8 for m in bar["middles"]), (who, bar["middles"])
    assert bar["menuRight"] <= bar["searchLeft"], who
    assert bar["searchRight"] <= bar["bellLeft"], who
    assert bar["bellRight"] <= bar["userMenuRight"] <= width, who
    assert bar["scrollWidth"] <= width, who
    return bar["userMenuRight"]


def assert_bar_folded(page, width: int, who: str) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    assert page.locator(".navbar-toggler").is_visible(), (who, width)
    assert not page.locator("#main-nav").is_visible(), (who, width)


def assert_keyboard_opens_the_user_menu(page, who: str) -> None:
    """Enter opens the user menu, Tab reaches the language, Escape closes it."""
    page.get_by_test_id("user-menu").focus()
    page.keyboard.press("Enter")
    assert page.get_by_test_id("log-out").is_visible(), who
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "language-select", who
    page.keyboard.press("Escape")
    assert not page.get_by_test_id("log-out").is_visible(), who


def assert_keyboard_opens_the_tools(page, who: str) -> None:
    """Enter opens the maintenance menu, the down arrow moves into it, Escape closes it."""
    tools = page.get_by_test_id("nav-upkeep")
    if not tools.count():
        return
    tools.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.classList.contains('dropdown-item')"), who
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.dataset.testid") == "nav-upkeep", who
    assert not page.locator("[data-testid=nav-upkeep] + .dropdown-menu").is_visible(), who


def test_the_top_bar_holds_every_role_on_one_line(live_server, page, screenshot_dir):
    demo_seed(scale="small")
    base = live_server.url
    right_ends = {}
    for username in ROLES:
        log_in(page, base, username)
        page.set_viewport_size({"width": 1280, "height": 900})
        assert_bar_on_one_line(page, 1280, f"{username} zh 1280")
        assert_keyboard_opens_the_user_menu(page, username)
        assert_keyboard_opens_the_tools(page, username)
        page.screenshot(path=screenshot_dir / f"screens-bar-{username}-1280-zh.png")
        assert_bar_folded(page, 1199, username)

        page.set_viewport_size({"width": 1366, "height": 900})
        switch_language(page, "en")
        assert page.locator("html").get_attribute("lang") == "en"
        right_ends[username] = assert_bar_on_one_line(page, 1366, f"{username} en 1366")
        assert_keyboard_opens_the_user_menu(page, username)
        page.screenshot(path=screenshot_dir / f"screens-bar-{username}-1366-en.png")
        assert_bar_folded(page, 1359, username)

        page.set_viewport_size({"width": 1366, "height": 900})
        switch_language(page, "zh-hans")
        log_out(page, base)
    print("top bar's right end at 1366 px in English:", right_ends)


def test_the_top_bar_search_opens_an_entry_by_its_number(live_server, page, phone_page):
    demo_seed(scale="small")
    entry = make_entry(User.objects.get(username="shuji"), title="值班室空调不制冷")
    for screen in (page, phone_page):
        base = live_server.url
        log_in(screen, base, "shuji")
        if screen.locator(".navbar-toggler").is_visible():
            screen.locator(".navbar-toggler").click()
        screen.fill("#top-search-q", entry.number)
        screen.press("#top-search-q", "Enter")
        screen.wait_for_url(f"{base}{entry.get_absolute_url()}")
        assert entry.title in screen.locator("main").inner_text()
        # Words of the title list it instead.
        screen.goto(f"{base}/")
        if screen.locator(".navbar-toggler").is_visible():
            screen.locator(".navbar-toggler").click()
        screen.fill("#top-search-q", "空调")
        screen.get_by_test_id("top-search").locator("button").click()
        screen.wait_for_url("**/search/?q=**")
        assert entry.number in screen.get_by_test_id("search-entries").inner_text()
