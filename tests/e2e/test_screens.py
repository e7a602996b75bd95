"""Screens people use, in the browser, for every role that reads the ledger: the top bar holds on
one line at 1280 px in Chinese and at 1366 px in English, its right end (bell, user menu) on the
screen, and folds behind the toggler below that; on a phone the menu opens, the entry lists show
cards with their filters behind one button, and the dashboard needs no sideways scrolling; the
top bar's search opens an entry by its number. Screenshots screens-*.png."""

import pytest
from django.urls import reverse
from django.utils import timezone

from demo.entries import demo_seed_entries
from demo.seed import demo_seed
from feedback.services.rollups import rollups_rebuild
from liaison.models import Entry, User
from liaison.permissions import entry_lists_for
from liaison.selectors.entries_list import entry_scope_queryset
from liaison.workdays import WorkCalendar
from tests.e2e.helpers import log_in, log_out, switch_language
from tests.fixtures.factories import make_entry

pytestmark = pytest.mark.e2e

ROLES = ["dangjian", "dangwei", "shuji", "bumen", "lingdao", "admin", "anquan", "shenji"]
PHONE = 390

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

SCROLL_WIDTH = "document.documentElement.scrollWidth"
# What in the page scrolls sideways by itself (a table in a scrolling box, say).
SIDEWAYS = """() => [...document.querySelectorAll("main *")]
  .filter((e) => ["auto", "scroll"].includes(getComputedStyle(e).overflowX))
  .filter((e) => e.scrollWidth > e.clientWidth + 1)
  .map((e) => e.tagName + "." + e.className)"""


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


def test_on_a_phone_the_menu_opens_and_the_lists_show_cards(
    live_server, phone_page, screenshot_dir
):
    demo_seed(scale="small")
    demo_seed_entries(count=300)
    today = timezone.localdate()
    secretary = User.objects.get(username="shuji")
    overdue = make_entry(
        secretary,
        title="配电房屋顶漏雨，雨天时积水漫进开关柜室，请尽快安排检修并答复处理时间",
        recorded_on=today,
    )
    calendar = WorkCalendar.load(today.year - 1, today.year + 1)
    Entry.objects.filter(pk=overdue.pk).update(due_on=calendar.working_days_back(today, 2))
    page = phone_page
    base = live_server.url
    for username in ROLES:
        log_in(page, base, username)
        # The menu folds behind the toggler and opens, the user menu inside it too.
        assert page.locator(".navbar-toggler").is_visible(), username
        assert not page.get_by_test_id("top-search").is_visible(), username
        page.locator(".navbar-toggler").click()
        page.locator("#main-nav.show").wait_for()  # opened, not still sliding open
        assert page.get_by_test_id("top-search").is_visible(), username
        assert page.locator("#main-nav .nav-link").first.is_visible(), username
        page.get_by_test_id("user-menu").click()
        assert page.get_by_test_id("log-out").is_visible(), username
        assert page.evaluate(SCROLL_WIDTH) <= PHONE, username
        page.screenshot(path=screenshot_dir / f"screens-phone-menu-{username}.png", full_page=True)

        # The role's fullest entry list: cards, no table, no sideways scrolling (the security
        # and audit administrators read no ledger: they have none).
        user = User.objects.get(username=username)
        if not entry_lists_for(user):
            log_out(page, base)
            continue
        scope = max(
            entry_lists_for(user),
            key=lambda s: entry_scope_queryset(user=user, scope=s).count(),
        )
        page.goto(f"{base}{reverse(f'liaison:ledger_{scope}')}")
        cards = page.get_by_test_id("entry-card")
        assert cards.count() > 0, username
        assert cards.first.is_visible(), username
        assert not page.locator("#results table").is_visible(), username
        first_link = cards.first.locator("a")
        assert first_link.get_attribute("href").startswith("/entries/"), username
        assert page.evaluate(SCROLL_WIDTH) <= PHONE, username
        assert page.evaluate(SIDEWAYS) == [], username
        # The filters fold behind one button, which opens them.
        assert not page.locator(".ledger-filters").is_visible(), username
        page.get_by_test_id("filters-toggle").click()
        page.locator("#list-filters.show").wait_for()  # shown once the fold has opened
        assert page.locator(".ledger-filters select").first.is_visible(), username
        assert page.get_by_test_id("filters-toggle").get_attribute("aria-expanded") == "true"
        page.screenshot(path=screenshot_dir / f"screens-phone-list-{username}.png", full_page=True)
        log_out(page, base)

    # The secretary's overdue entry: its whole title, its days overdue; the card opens it.
    log_in(page, base, "shuji")
    page.goto(f"{base}{reverse('liaison:ledger_branch')}?overdue=true")
    card = page.get_by_test_id("entry-card").filter(has_text=overdue.number)
    assert overdue.title in card.inner_text()
    assert "超期 2 个工作日" in card.inner_text()
    assert card.locator("a").bounding_box()["width"] <= PHONE
    page.screenshot(path=screenshot_dir / "screens-phone-card-overdue.png", full_page=True)
    # A wide screen keeps the table, and the filters unfolded.
    page.set_viewport_size({"width": 1366, "height": 900})
    assert page.locator("#results table").is_visible()
    assert not card.is_visible()
    assert page.locator(".ledger-filters").is_visible()
    page.set_viewport_size({"width": PHONE, "height": 844})
    card.click()
    page.wait_for_url(f"{base}{overdue.get_absolute_url()}")


def test_on_a_phone_the_dashboard_needs_no_sideways_scrolling(
    live_server, phone_page, screenshot_dir
):
    demo_seed(scale="small")
    demo_seed_entries(count=300)
    rollups_rebuild()
    page = phone_page
    base = live_server.url
    for username in ["dangjian", "shuji"]:
        log_in(page, base, username)
        page.goto(f"{base}{reverse('feedback:dashboard')}")
        page.wait_for_selector("[data-chart=chart-levels] svg")
        assert page.evaluate(SCROLL_WIDTH) <= PHONE, username
        assert page.evaluate(SIDEWAYS) == [], username
        page.screenshot(
            path=screenshot_dir / f"screens-phone-dashboard-{username}.png", full_page=True
        )
        log_out(page, base)


def test_the_top_bar_search_opens_an_entry_by_its_number(live_server, page, phone_page):
    demo_seed(scale="small")
    entry = make_entry(User.objects.get(username="shuji"), title="值班室空调不制冷")
    for screen in (page, phone_page):
        base = live_server.url
        log_in(screen, base, "shuji")
        if screen.locator(".navbar-toggler").is_visible():
            screen.locator(".navbar-toggler").click()
            screen.locator("#main-nav.show").wait_for()
        screen.fill("#top-search-q", entry.number)
        screen.press("#top-search-q", "Enter")
        screen.wait_for_url(f"{base}{entry.get_absolute_url()}")
        assert entry.title in screen.locator("main").inner_text()
        # Words of the title list it instead.
        screen.goto(f"{base}/")
        if screen.locator(".navbar-toggler").is_visible():
            screen.locator(".navbar-toggler").click()
            screen.locator("#main-nav.show").wait_for()
        screen.fill("#top-search-q", "空调")
        screen.get_by_test_id("top-search").locator("button").click()
        screen.wait_for_url("**/search/?q=**")
        assert entry.number in screen.get_by_test_id("search-entries").inner_text()
