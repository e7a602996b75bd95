"""Login locks and the administrators' second factor, in the browser: five wrong passwords
lock the account (the right one is then refused with the lock's message), the security
administrator unlocks it on the locks page; with ADMIN_2FA an administrator enrols an
authenticator app from the QR page's secret and reaches their page with its code."""

from base64 import b32decode

import pytest
from django.test import Client
from django_otp.oath import totp

from liaison.constants import Role
from tests.fixtures.factories import PASSWORD, make_user

pytestmark = pytest.mark.e2e


def _submit_login(page, base: str, username: str, password: str, next_url: str = "") -> None:
    page.goto(f"{base}/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_a_lock_and_its_unlock(live_server, page):
    base = live_server.url
    make_user(Role.PARTY_MEMBER, username="zhang")
    make_user(Role.SECURITY_ADMIN, username="anquan")
    # Four wrong passwords from another address (else this one, the security administrator's
    # too, would be locked as well), the fifth from the browser.
    for _ in range(4):
        Client().post(
            "/accounts/login/", {"username": "zhang", "password": "x"}, REMOTE_ADDR="10.9.9.9"
        )
    _submit_login(page, base, "zhang", "wrong-password")
    _submit_login(page, base, "zhang", PASSWORD)
    locked = page.get_by_test_id("login-locked")
    assert "账号已锁定" in locked.inner_text() and "联系安全管理员" in locked.inner_text()

    page.context.clear_cookies()
    _submit_login(page, base, "anquan", PASSWORD, next_url="/security/locks/")
    page.wait_for_url(f"{base}/security/locks/")
    table = page.get_by_test_id("locked-accounts")
    assert "zhang" in table.inner_text()
    table.get_by_role("button").first.click()
    page.wait_for_url(f"{base}/security/locks/")
    assert page.get_by_test_id("locked-accounts").count() == 0


def test_an_administrator_enrols_a_second_factor(live_server, page, settings):
    settings.ADMIN_2FA = True
    base = live_server.url
    make_user(Role.SECURITY_ADMIN, username="anquan")
    _submit_login(page, base, "anquan", PASSWORD, next_url="/security/locks/")
    page.wait_for_url(f"{base}/accounts/second-factor/**")
    assert page.locator("[data-testid=otp-qr] svg").count() == 1
    secret = page.get_by_test_id("otp-secret").inner_text().strip()
    code = f"{totp(b32decode(secret)):06d}"
    page.fill("#id_token", code)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/security/locks/")
    assert page.get_by_role("heading", level=1).inner_text() == "登录锁定"
