"""Every demo persona logs in through the browser and reaches its home page; screenshots kept."""

import pytest
from django.utils import translation

from demo.seed import demo_logins, demo_seed
from liaison.constants import Role
from tests.e2e.helpers import log_in, log_out, switch_language

pytestmark = pytest.mark.e2e

# Pages each persona opens after its home page, as a user would from the menu.
TOUR = {
    Role.PARTY_BUILDING: ["/org/", "/people/", "/pairings/", "/imports/"],
    Role.COMMITTEE_STAFF: ["/org/"],
    Role.BRANCH_SECRETARY: ["/people/?is_special_needs=true"],
    Role.OFFICE_CADRE: ["/pairings/"],
    Role.AUDIT_ADMIN: ["/audit/", "/audit/?action=login"],
}


def test_every_persona_logs_in_and_sees_its_home_page(live_server, page, screenshot_dir):
    demo_seed(scale="small")
    logins = demo_logins()
    assert {login.role for login in logins} == set(Role.values)
    for login in logins:
        log_in(page, live_server.url, login.username)
        heading = page.get_by_test_id("home-heading")
        with translation.override("zh-hans"):
            assert str(Role(login.role).label) in heading.inner_text()
        assert page.get_by_test_id("user-menu").is_visible()
        # The whole Chinese menu fits a 1280 px laptop on one line, the user menu included.
        page.set_viewport_size({"width": 1280, "height": 900})
        navbar = page.locator("nav.ledger-navbar")
        assert navbar.bounding_box()["height"] < 62, login.username
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280, login.username
        page.set_viewport_size({"width": 1366, "height": 900})
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        page.screenshot(path=screenshot_dir / f"home-{login.username}.png", full_page=True)
        for i, path in enumerate(TOUR.get(login.role, [])):
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            page.screenshot(path=screenshot_dir / f"{login.username}-{i + 1}.png", full_page=True)
        log_out(page, live_server.url)


def test_wrong_password_stays_on_the_login_page_with_a_message(live_server, page):
    demo_seed(scale="small")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "shuji")
    page.fill("#id_password", "not-the-password")
    page.click("main button[type=submit]")
    assert "用户名或密码不正确" in page.locator("main").inner_text()


def test_people_filter_and_language_switch_on_a_phone(live_server, phone_page, screenshot_dir):
    demo_seed(scale="small")
    page = phone_page
    log_in(page, live_server.url, "shuji")
    page.goto(f"{live_server.url}/people/")
    page.get_by_test_id("filters-toggle").click()  # on a phone the filters fold behind it
    page.select_option("#id_is_party_member", "true")
    page.wait_for_url("**is_party_member=true**")
    rows = page.locator("#results tbody tr")
    assert rows.count() > 0
    page.screenshot(path=screenshot_dir / "phone-people-members.png", full_page=True)
    switch_language(page, "en")
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=screenshot_dir / "phone-people-english.png", full_page=True)
