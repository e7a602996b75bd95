"""What every browser test does: log in and out as a demo persona, switch the language."""

from demo.seed import DEMO_PASSWORD


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def open_user_menu(page) -> None:
    """Open the menu at the right of the top bar (behind the toggler on a narrow screen)."""
    toggler = page.locator("nav.ledger-navbar .navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        page.locator("#main-nav.show").wait_for()  # opened, not still sliding open
    menu = page.get_by_test_id("user-menu")
    if menu.get_attribute("aria-expanded") != "true":
        menu.click()


def log_out(page, base_url: str) -> None:
    open_user_menu(page)
    page.get_by_test_id("log-out").click()
    page.wait_for_url(f"{base_url}/accounts/login/")


def switch_language(page, code: str) -> None:
    """Choose a language in the user menu, as a user would."""
    open_user_menu(page)
    page.select_option("#language-select", code)
    page.click("[data-testid=language-switch] button")
    page.wait_for_load_state()
