"""The security administrator's locks page (/security/locks/) and its unlock: 404 for every
other role, each unlock audited."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from liaison.constants import Role
from liaison.models import AuditEvent
from tests.fixtures.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOCKS = reverse("liaison:lock_list")
UNLOCK = reverse("liaison:lock_unlock")


def fail(client, username, times=5, address="10.0.0.1"):
    for _ in range(times):
        client.post(
            "/accounts/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=address
        )


@pytest.fixture
def security_admin(db):
    return make_user(Role.SECURITY_ADMIN, username="anquan")


def test_the_security_administrator_sees_the_locks(
    client, security_admin, django_assert_num_queries
):
    make_user(Role.PARTY_MEMBER, username="zhang")
    fail(client, "zhang", address="10.0.0.1")
    for name in ["x1", "x2", "x3", "x4", "x5"]:
        fail(client, name, times=1, address="10.0.0.7")
    fail(client, "li", times=2, address="10.0.0.8")  # not locked
    client.force_login(security_admin)
    with django_assert_num_queries(5):  # session, user, locked names and addresses, unread count
        response = client.get(LOCKS)
    assert response.status_code == HTTPStatus.OK
    accounts = response.context["sections"][0][1]
    addresses = response.context["sections"][1][1]
    assert [(lock.key, lock.failures) for lock in accounts] == [("zhang", 5)]
    assert [(lock.key, lock.failures) for lock in addresses] == [
        ("10.0.0.7", 5),
        ("10.0.0.1", 5),
    ] or [(lock.key, lock.failures) for lock in addresses] == [
        ("10.0.0.1", 5),
        ("10.0.0.7", 5),
    ]
    page = response.content.decode()
    assert 'data-testid="locked-accounts"' in page and 'value="zhang"' in page
    assert "li" not in [lock.key for lock in accounts]


def test_unlock_lets_the_user_in_and_is_audited(client, security_admin):
    member = make_user(Role.PARTY_MEMBER, username="zhang")
    fail(client, "zhang", address="10.0.0.1")
    client.force_login(security_admin)
    response = client.post(UNLOCK, {"username": "zhang"})
    assert response.status_code == HTTPStatus.FOUND
    assert not AccessAttempt.objects.filter(username="zhang").exists()
    row = AuditEvent.objects.get(action="unlocked")
    assert row.actor == security_admin and row.object_id == str(member.pk)
    assert row.data == {"username": "zhang", "address": "", "failures": 5}
    client.logout()
    response = client.post(
        "/accounts/login/", {"username": "zhang", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )
    assert response.status_code == HTTPStatus.FOUND


def test_unlock_an_address(client, security_admin):
    for name in ["x1", "x2", "x3", "x4", "x5"]:
        fail(client, name, times=1, address="10.0.0.7")
    client.force_login(security_admin)
    client.post(UNLOCK, {"address": "10.0.0.7"})
    assert not AccessAttempt.objects.filter(ip_address="10.0.0.7").exists()
    assert AuditEvent.objects.get(action="unlocked").data["address"] == "10.0.0.7"


@pytest.mark.parametrize(
    "data", [{}, {"username": "a", "address": "10.0.0.1"}, {"username": "a\x00b"}]
)
def test_unlock_needs_one_name(client, security_admin, data):
    client.force_login(security_admin)
    assert client.post(UNLOCK, data).status_code == HTTPStatus.BAD_REQUEST
    assert not AuditEvent.objects.filter(action="unlocked").exists()


def test_unlock_is_a_post(client, security_admin):
    client.force_login(security_admin)
    assert client.get(UNLOCK + "?username=x").status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_every_other_role_gets_404(client, world):
    fail(client, "zhang")
    admin = world.users[Role.ADMINISTRATOR]
    admin.is_superuser = False  # the installation's superuser may (permissions.can_manage_security)
    admin.save()
    for user in world.users.values():
        if user.role == Role.SECURITY_ADMIN:
            continue
        client.force_login(user)
        assert client.get(LOCKS).status_code == HTTPStatus.NOT_FOUND, user.role
        assert client.post(UNLOCK, {"username": "zhang"}).status_code == HTTPStatus.NOT_FOUND
    assert AccessAttempt.objects.filter(username="zhang").exists()


def test_anonymous_goes_to_the_login(client):
    response = client.get(LOCKS)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/accounts/login/")
