"""Login failures and locks (issue 14, item 2): per user name and per address, on the site
login and the admin login, unlocked by the security administrator, every failure and lock
audited."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.test import override_settings

from liaison.constants import Role
from liaison.models import AuditEvent
from tests.fixtures.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
LOCKED_ZH = "账号已锁定"


def attempt(client, username, password, *, address="10.0.0.1", url=LOGIN):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, username, times, **kwargs):
    for _ in range(times):
        response = attempt(client, username, "wrong-password", **kwargs)
    return response


@pytest.fixture
def member(db):
    return make_user(Role.PARTY_MEMBER, username="zhang")


@pytest.fixture
def security_admin(db):
    return make_user(Role.SECURITY_ADMIN, username="anquan")


def test_five_wrong_passwords_lock_and_the_right_one_is_then_refused(client, member):
    response = fail(client, "zhang", 4)
    assert response.status_code == HTTPStatus.OK  # the login page again, not yet locked
    response = attempt(client, "zhang", "wrong-password")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    response = attempt(client, "zhang", PASSWORD)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    page = response.content.decode()
    assert LOCKED_ZH in page and "30 分钟后再试或联系安全管理员" in page
    assert 'data-testid="login-locked"' in page
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_for_the_user_name_from_another_address(client, member):
    fail(client, "zhang", 5, address="10.0.0.1")
    response = attempt(client, "zhang", PASSWORD, address="10.0.0.2")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_an_address_is_locked_for_every_user_name(client, member):
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        attempt(client, name, "wrong-password", address="10.0.0.9")
    response = attempt(client, "zhang", PASSWORD, address="10.0.0.9")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    # from elsewhere the account is not locked
    response = attempt(client, "zhang", PASSWORD, address="10.0.0.8")
    assert response.status_code == HTTPStatus.FOUND


def test_after_the_lock_time_the_right_password_works(client, member):
    fail(client, "zhang", 5)
    assert attempt(client, "zhang", PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=31)
    )
    response = attempt(client, "zhang", PASSWORD)
    assert response.status_code == HTTPStatus.FOUND
    assert client.session["_auth_user_id"] == str(member.pk)


def test_attempts_during_the_lock_do_not_extend_it(client, member):
    fail(client, "zhang", 5)
    locked_at = AccessAttempt.objects.get().attempt_time
    fail(client, "zhang", 3)
    row = AccessAttempt.objects.get()
    assert row.attempt_time == locked_at and row.failures_since_start == 5


@override_settings(LOGIN_FAILURE_LIMIT=3, AXES_FAILURE_LIMIT=3)
def test_the_limit_is_a_setting(client, member):
    response = fail(client, "zhang", 3)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_the_admin_login_locks_too(client, member):
    make_user(Role.ADMINISTRATOR, username="root", is_staff=True, is_superuser=True)
    response = fail(client, "root", 5, url=ADMIN_LOGIN)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    response = attempt(client, "root", PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert LOCKED_ZH in response.content.decode()
    assert "_auth_user_id" not in client.session
    # and the site login refuses the same account
    assert attempt(client, "root", PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_every_failure_and_the_lock_are_audited_once(client, member):
    fail(client, "zhang", 5)
    attempt(client, "zhang", PASSWORD)  # refused: locked
    failed = AuditEvent.objects.filter(action="login_failed").order_by("pk")
    assert failed.count() == 6
    assert [row.data["refused_locked"] for row in failed] == [False] * 5 + [True]
    assert all(row.object_id == str(member.pk) for row in failed)
    assert failed.first().data["address"] == "10.0.0.1"
    locked = AuditEvent.objects.filter(action="locked")
    assert locked.count() == 1
    assert locked.get().data == {
        "username": "zhang",
        "address": "10.0.0.1",
        "failures": 5,
        "minutes": 30,
    }
    # the lock is written after the failure that caused it
    assert locked.get().pk > failed[4].pk


def test_an_unknown_user_name_is_audited_without_an_account(client):
    attempt(client, "nobody", "x")
    row = AuditEvent.objects.get(action="login_failed")
    assert row.object_id == "" and row.data["username"] == "nobody"


def test_a_successful_login_writes_no_failure(client, member):
    assert attempt(client, "zhang", PASSWORD).status_code == HTTPStatus.FOUND
    assert not AuditEvent.objects.filter(action__in=["login_failed", "locked"]).exists()


@override_settings(LOGIN_PROXY_COUNT=1)
def test_behind_a_proxy_the_forwarded_address_is_locked(client, member):
    for _ in range(5):
        client.post(
            LOGIN,
            {"username": "zhang", "password": "x"},
            REMOTE_ADDR="10.1.1.1",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 192.168.0.7",
        )
    row = AuditEvent.objects.filter(action="login_failed").first()
    assert row.data["address"] == "192.168.0.7"
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.168.0.7"}


@override_settings(LOGIN_PROXY_COUNT=1)
@pytest.mark.parametrize("forwarded", ["", "not-an-address"])
def test_behind_a_proxy_a_missing_or_forged_header_counts_the_peer(client, member, forwarded):
    client.post(
        LOGIN,
        {"username": "zhang", "password": "x"},
        REMOTE_ADDR="10.1.1.1",
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    assert AuditEvent.objects.get(action="login_failed").data["address"] == "10.1.1.1"
