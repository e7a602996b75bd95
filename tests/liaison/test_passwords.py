"""Passwords (GB/T 22239-2019 level 3, §8.1.4.1): complexity, no reuse of the last five, expiry
and the change at first login, all through the change page a user would use."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from liaison.constants import Role
from liaison.models import AuditEvent, PasswordHistory
from liaison.services.passwords import password_set
from tests.fixtures.factories import PASSWORD
from tests.fixtures.logins import login_through_page

CHANGE = reverse("password_change")


def change(client, old: str, new: str):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("abcdefgh", False),  # one class
        ("abcd1234", False),  # two classes
        ("ABCDefgh", False),  # two classes
        ("Abc1!", False),  # three classes, too short
        ("Qwxz1948", True),  # upper, lower, digit
        ("abcd-234", True),  # lower, digit, symbol
        ("ABCD-EFG", False),  # upper and symbol only
        ("灯泡Abc#23", True),  # a Chinese character counts as a symbol
    ],
)
def test_complexity_needs_eight_characters_of_three_classes(db, password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_a_simple_password_is_refused_with_a_chinese_message(world, client_for):
    user = world.users[Role.BRANCH_SECRETARY]
    response = change(client_for(user), PASSWORD, "abcdefghij")
    assert response.status_code == HTTPStatus.OK
    errors = response.context["form"].errors["new_password2"]
    assert any("大写字母、小写字母、数字和符号中至少" in error for error in errors)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_user_changes_their_password_on_the_change_page(world, client_for):
    user = world.users[Role.PARTY_MEMBER]
    client = client_for(user)
    before = user.password_changed_at
    response = change(client, PASSWORD, "Lamp-post-7")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("home")
    user.refresh_from_db()
    assert user.check_password("Lamp-post-7")
    assert user.password_changed_at > before and not user.must_change_password
    assert PasswordHistory.objects.filter(user=user).count() == 1
    event = AuditEvent.objects.get(
        object_type="liaison.user",
        object_id=str(user.pk),
        action=AuditEvent.Action.PASSWORD_CHANGED,
    )
    assert event.actor == user and event.data["password_changed"] is True
    assert user.password not in str(event.data)
    # Still logged in: the session follows the new password.
    assert client.get(reverse("home")).status_code == HTTPStatus.OK


def test_none_of_the_last_five_passwords_again_the_sixth_back_allowed(world, client_for):
    user = world.users[Role.PARTY_MEMBER]
    client = client_for(user)
    chosen = [f"Lamp-post-{n}" for n in range(1, 7)]
    current = PASSWORD
    for password in chosen:
        assert change(client, current, password).status_code == HTTPStatus.FOUND
        current = password
    assert PasswordHistory.objects.filter(user=user).count() == 5  # only the last five kept
    # The current one and the four before it are refused, with the message.
    for password in chosen[1:]:
        response = change(client, current, password)
        assert response.status_code == HTTPStatus.OK, password
        assert any("最近 5 次" in e for e in response.context["form"].errors["new_password2"])
    # The sixth back is allowed again.
    assert change(client, current, chosen[0]).status_code == HTTPStatus.FOUND


def test_reuse_is_refused_by_the_validator_wherever_a_password_is_validated(world):
    user = world.users[Role.PARTY_MEMBER]
    password_set(user=user, raw_password="Lamp-post-1", actor=user)
    with pytest.raises(ValidationError), override("en"):
        validate_password("Lamp-post-1", user)
    validate_password("Lamp-post-2", user)


@pytest.mark.parametrize(
    ("max_age", "age_days", "forced"),
    [(90, 91, True), (90, 89, False), (30, 31, True), (0, 3650, False)],
)
def test_an_old_password_must_be_changed_before_anything_else(
    world, client_for, settings, max_age, age_days, forced
):
    settings.PASSWORD_MAX_AGE_DAYS = max_age
    user = world.users[Role.BRANCH_SECRETARY]
    user.password_changed_at = timezone.now() - timedelta(days=age_days)
    user.save(update_fields=["password_changed_at"])
    client = client_for(user)
    response = client.get(reverse("liaison:ledger_branch"))
    if not forced:
        assert response.status_code == HTTPStatus.OK
        return
    assert response.status_code == HTTPStatus.FOUND and response.url == CHANGE
    page = client.get(CHANGE)
    assert page.status_code == HTTPStatus.OK
    assert page.context["expired"] and not page.context["first_login"]
    assert "nav/badges" not in page.content.decode()  # the change page fetches no menu counts
    # htmx requests are sent to the page as a whole.
    fragment = client.get(reverse("liaison:nav_badges"), headers={"HX-Request": "true"})
    assert fragment.status_code == HTTPStatus.NO_CONTENT
    assert fragment.headers["HX-Redirect"] == CHANGE
    # Logging out and the public pages stay open.
    assert client.post(reverse("logout")).status_code == HTTPStatus.FOUND


def test_after_the_change_the_user_goes_on(world, client_for, settings):
    user = world.users[Role.BRANCH_SECRETARY]
    user.password_changed_at = timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS + 1)
    user.save(update_fields=["password_changed_at"])
    client = client_for(user)
    assert change(client, PASSWORD, "Lamp-post-7").status_code == HTTPStatus.FOUND
    assert client.get(reverse("liaison:ledger_branch")).status_code == HTTPStatus.OK


def test_a_public_rating_link_page_is_not_redirected(world, client_for):
    user = world.users[Role.BRANCH_SECRETARY]
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    response = client_for(user).get("/r/not-a-token/")
    assert response.status_code == HTTPStatus.NOT_FOUND  # the page's own answer, no redirect


def test_an_account_the_administrator_creates_changes_its_password_at_first_login(
    world, client_for, client
):
    admin = client_for(world.users[Role.ADMINISTRATOR])
    data = {
        "username": "xinren",
        "usable_password": "true",
        "password1": "Given-by-admin-1",
        "password2": "Given-by-admin-1",
        "role": Role.PARTY_MEMBER,
        "scope_org": world.branch_b.pk,
    }
    assert admin.post(reverse("admin:liaison_user_add"), data).status_code == HTTPStatus.FOUND
    admin.logout()
    login_through_page(client, "xinren", "Given-by-admin-1")
    response = client.get(reverse("home"))
    assert response.status_code == HTTPStatus.FOUND and response.url == CHANGE
    page = client.get(CHANGE)
    assert page.context["first_login"]
    assert "管理员" in page.content.decode()
    # The administrator's password is in the history: it cannot be kept.
    assert change(client, "Given-by-admin-1", "Given-by-admin-1").status_code == HTTPStatus.OK
    assert change(client, "Given-by-admin-1", "My-own-choice-2").status_code == HTTPStatus.FOUND
    assert client.get(reverse("home")).status_code == HTTPStatus.OK


def test_a_password_the_administrator_resets_is_changed_at_next_login(world, client_for):
    member = world.users[Role.PARTY_MEMBER]
    admin = client_for(world.users[Role.ADMINISTRATOR])
    url = reverse("admin:auth_user_password_change", args=[member.pk])
    data = {"password1": "Reset-by-admin-3", "password2": "Reset-by-admin-3"}
    assert admin.post(url, {**data, "usable_password": "true"}).status_code == HTTPStatus.FOUND
    member.refresh_from_db()
    assert member.must_change_password
    assert PasswordHistory.objects.filter(user=member).count() == 1


def test_the_admin_password_change_page_is_the_sites(world, client_for):
    client = client_for(world.users[Role.ADMINISTRATOR])
    response = client.get("/admin/password_change/")
    assert response.status_code == HTTPStatus.FOUND and response.url == CHANGE


def test_the_user_menu_links_to_the_change_page(world, client_for):
    page = client_for(world.users[Role.PARTY_MEMBER]).get(reverse("home"))
    assert f'href="{CHANGE}" data-testid="password-change"' in page.content.decode()


def test_an_account_without_a_usable_password_is_never_forced(world, client_for, settings):
    user = world.users[Role.PARTY_MEMBER]
    user.set_unusable_password()
    user.password_changed_at = timezone.now() - timedelta(days=1000)
    user.save()
    assert client_for(user).get(reverse("home")).status_code == HTTPStatus.OK


def test_the_demo_logins_keep_their_documented_password_unforced(db, client):
    from demo.seed import DEMO_PASSWORD, demo_seed

    demo_seed(scale="small")
    with pytest.raises(ValidationError):
        validate_password(DEMO_PASSWORD)  # the demo's password would not pass in production
    login_through_page(client, "shuji", DEMO_PASSWORD)
    assert client.get(reverse("home")).status_code == HTTPStatus.OK
