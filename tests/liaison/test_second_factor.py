"""The administrators' second factor (issue 14, item 7): with ADMIN_2FA=1 the three
administrator roles enrol an authenticator app and enter its code after the password; until
then every page but the code page and the logout redirects there; wrong codes count as failed
logins."""

from __future__ import annotations

from base64 import b32decode
from http import HTTPStatus

import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.constants import ADMINISTRATOR_ROLES, Role
from liaison.models import AuditEvent
from tests.fixtures.factories import PASSWORD, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor")]

CODE_PAGE = "/accounts/second-factor/"
ADMIN_ROLES = sorted(ADMINISTRATOR_ROLES)


@pytest.fixture
def two_factor(settings):
    settings.ADMIN_2FA = True


def password_login(client, username):
    response = client.post(
        "/accounts/login/", {"username": username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == HTTPStatus.FOUND
    return response


def code_for(key_hex: str, *, drift: int = 0) -> str:
    """The code the authenticator app shows (drift: that many 30-second steps later)."""
    return f"{totp(bytes.fromhex(key_hex), step=30, t0=0, drift=drift):06d}"


def enrol(client, username) -> TOTPDevice:
    password_login(client, username)
    page = client.get(CODE_PAGE)
    secret = page.context["secret"]
    key = b32decode(secret).hex()
    response = client.post(CODE_PAGE, {"token": code_for(key), "next": "/"})
    assert response.status_code == HTTPStatus.FOUND and response.url == "/"
    return TOTPDevice.objects.get(user__username=username)


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_an_administrator_is_sent_to_enrol_and_every_page_waits(client, role):
    make_user(role, username="adm")
    response = password_login(client, "adm")
    assert client.get(response.url).url.startswith(CODE_PAGE)
    for path in ["/", "/people/", "/security/locks/", "/admin/"]:
        response = client.get(path)
        assert response.status_code == HTTPStatus.FOUND, path
        assert response.url.startswith(CODE_PAGE + "?next=")
    assert client.post("/notifications/read-all/").url == CODE_PAGE
    page = client.get(CODE_PAGE)
    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    assert "<svg" in text and 'data-testid="otp-secret"' in text
    assert page.context["otpauth_url"].startswith("otpauth://totp/")
    assert page.context["secret"] in page.context["otpauth_url"]
    assert not TOTPDevice.objects.exists()  # a GET saves no device


def test_enrolment_with_a_real_code_confirms_the_device_and_is_audited(client):
    admin = make_user(Role.SECURITY_ADMIN, username="adm")
    device = enrol(client, "adm")
    assert device.confirmed and device.user == admin
    assert client.get("/").status_code != HTTPStatus.FOUND  # no longer sent to the code page
    row = AuditEvent.objects.get(action=AuditEvent.Action.CREATED, actor=admin)
    assert row.object_type == "otp_totp.totpdevice" and row.object_id == str(device.pk)


def test_a_wrong_enrolment_code_saves_nothing(client):
    make_user(Role.ADMINISTRATOR, username="adm")
    password_login(client, "adm")
    client.get(CODE_PAGE)
    response = client.post(CODE_PAGE, {"token": "000000"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not TOTPDevice.objects.exists()
    assert client.get("/").status_code == HTTPStatus.FOUND


def test_the_next_login_asks_for_a_code(client):
    make_user(Role.AUDIT_ADMIN, username="adm")
    device = enrol(client, "adm")
    client.post("/accounts/logout/")
    password_login(client, "adm")
    page = client.get(CODE_PAGE + "?next=/people/")
    assert page.status_code == HTTPStatus.OK and not page.context["enrolling"]
    assert "secret" not in page.context
    response = client.post(CODE_PAGE, {"token": "123456", "next": "/people/"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'data-testid="otp-wrong"' in response.content.decode()
    assert client.get("/people/").status_code == HTTPStatus.FOUND
    response = client.post(CODE_PAGE, {"token": code_for(device.key, drift=1), "next": "/people/"})
    assert response.status_code == HTTPStatus.FOUND and response.url == "/people/"
    assert client.get("/people/").status_code == HTTPStatus.OK
    wrong = AuditEvent.objects.get(action="login_failed")
    assert wrong.data["second_factor"] is True and wrong.data["username"] == "adm"


def test_an_unsafe_next_goes_home(client):
    make_user(Role.ADMINISTRATOR, username="adm")
    password_login(client, "adm")
    key = b32decode(client.get(CODE_PAGE).context["secret"]).hex()
    response = client.post(CODE_PAGE, {"token": code_for(key), "next": "https://evil.example/"})
    assert response.url == "/"


def test_wrong_codes_lock_the_account(client):
    make_user(Role.ADMINISTRATOR, username="adm")
    device = enrol(client, "adm")
    client.post("/accounts/logout/")
    password_login(client, "adm")
    for _ in range(4):
        assert client.post(CODE_PAGE, {"token": "000000"}).status_code == HTTPStatus.BAD_REQUEST
    response = client.post(CODE_PAGE, {"token": "000000"})
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "_auth_user_id" not in client.session  # the session ended
    assert AuditEvent.objects.filter(action="locked").count() == 1
    # the password alone no longer gets in either
    response = client.post(
        "/accounts/login/", {"username": "adm", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert device.pk


@pytest.mark.parametrize("role", [Role.PARTY_BUILDING, Role.BRANCH_SECRETARY])
def test_other_roles_need_no_second_factor(client, world, role):
    user = world.users[role]
    user.is_superuser = False
    user.save()
    password_login(client, user.username)
    assert client.get("/").status_code == HTTPStatus.OK
    assert client.get(CODE_PAGE).url == "/"


@override_settings(ADMIN_2FA=False)
def test_off_by_default(client):
    make_user(Role.ADMINISTRATOR, username="adm")
    password_login(client, "adm")
    assert client.get("/").status_code != HTTPStatus.FOUND
    assert client.get(CODE_PAGE).url == "/"


def test_logout_stays_open(client):
    make_user(Role.ADMINISTRATOR, username="adm")
    password_login(client, "adm")
    response = client.post("/accounts/logout/")
    assert response.status_code == HTTPStatus.FOUND and response.url.startswith("/accounts/login/")


def test_the_security_administrator_resets_a_lost_second_factor(client, settings):
    adm = make_user(Role.ADMINISTRATOR, username="adm")
    enrol(client, "adm")
    security = make_user(Role.SECURITY_ADMIN, username="anquan")
    settings.ADMIN_2FA = False  # the security administrator's own code is not the point here
    client.force_login(security)
    response = client.post("/security/second-factor/reset/", {"username": "adm"})
    assert response.status_code == HTTPStatus.FOUND
    assert not TOTPDevice.objects.filter(user=adm).exists()
    row = AuditEvent.objects.get(action=AuditEvent.Action.DEACTIVATED)
    assert row.actor == security and row.object_id == str(adm.pk)
    assert row.data == {"second_factor_devices_removed": 1}
    response = client.post("/security/second-factor/reset/", {"username": "nobody"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "nobody" in response.context["reset_error"]


def test_only_the_security_administrator_resets(client, world, settings):
    settings.ADMIN_2FA = False
    for user in world.users.values():
        if user.role == Role.SECURITY_ADMIN or user.is_superuser:
            continue
        client.force_login(user)
        response = client.post("/security/second-factor/reset/", {"username": "dj"})
        assert response.status_code == HTTPStatus.NOT_FOUND
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DEACTIVATED).exists()
