"""Directory sign-on against a real OpenLDAP server (tests/fixtures/ldap.py starts slapd).

Groups give roles, org units give scopes, accounts are made at first sign-on and switched off
by `directory_sync` when the directory no longer gives access; local accounts keep working.
"""

from __future__ import annotations

import os
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from liaison import tasks
from liaison.checks import directory_settings_check
from liaison.constants import Role
from liaison.models import AuditEvent, User
from tests.fixtures.factories import PASSWORD
from tests.fixtures.ldap import _free_port

NO_GROUP = "in no group that gives access to the ledger"
UNREACHABLE = "The directory cannot be reached"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def sign_on(client, username, password=None):
    """Post the login form; return the response."""
    return client.post(
        reverse("login"),
        {"username": username, "password": password or f"secret-{username.lower()}"},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def signed_on(client) -> bool:
    return "_auth_user_id" in client.session


def form_errors(response) -> str:
    assert response.status_code == HTTPStatus.OK
    return " ".join(response.context["form"].non_field_errors())


def directory_audit(user: User, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="liaison.user", object_id=str(user.pk), action=action
        ).order_by("pk")
    )


def test_first_sign_on_makes_the_account_with_the_groups_role_and_the_org_units_scope(
    world, directory, client
):
    # zhangsan sits in ou=BA,ou=KA (branch A) and in the secretaries' group; types his name
    # in capitals: the account takes the directory's spelling.
    response = sign_on(client, "ZhangSan", "secret-zhangsan")

    assert response.status_code == HTTPStatus.FOUND and signed_on(client)
    user = User.objects.get(username="zhangsan")
    assert user.source == User.Source.DIRECTORY
    assert (user.role, user.scope_org, user.department) == (
        Role.BRANCH_SECRETARY,
        world.branch_a,
        None,
    )
    assert (user.first_name, user.email) == ("张三", "zhangsan@ledger.test")
    assert not user.has_usable_password()  # only the directory's password signs on
    [created] = directory_audit(user, AuditEvent.Action.CREATED)
    assert created.actor is None
    assert created.data["source"] == "directory"
    assert created.data["scope"] == "BA"
    assert created.data["dn"].startswith("uid=zhangsan,ou=BA,ou=KA,")


def test_the_scope_attribute_wins_over_the_org_units_of_the_dn(world, directory, client):
    # lisi sits in ou=KB but his departmentNumber names the company: party-building department.
    sign_on(client, "lisi")

    user = User.objects.get(username="lisi")
    assert (user.role, user.scope_org) == (Role.PARTY_BUILDING, world.company)


def test_a_department_handler_gets_the_department_the_directory_names(world, directory, client):
    directory.user_add("handler1", groups=("ledger-handlers",), department=world.department.code)

    sign_on(client, "handler1")

    user = User.objects.get(username="handler1")
    assert (user.role, user.department, user.scope_org) == (
        Role.DEPARTMENT_HANDLER,
        world.department,
        None,
    )


def test_a_second_sign_on_follows_the_directorys_changes_and_audits_them(world, directory, client):
    dn = directory.user_add("chen", ou="BA,ou=KA", groups=("ledger-secretaries",))
    sign_on(client, "chen")
    user = User.objects.get(username="chen")
    assert (user.role, user.scope_org) == (Role.BRANCH_SECRETARY, world.branch_a)
    client.logout()

    directory.group_leave(dn, "ledger-secretaries")
    directory.group_join(dn, "ledger-committee-staff")
    directory.user_change(dn, departmentNumber="KA")
    sign_on(client, "chen")

    user.refresh_from_db()
    assert signed_on(client)
    assert (user.role, user.scope_org) == (Role.COMMITTEE_STAFF, world.committee_a)
    [updated] = directory_audit(user, AuditEvent.Action.UPDATED)
    assert updated.data["changes"] == {
        "role": [Role.BRANCH_SECRETARY, Role.COMMITTEE_STAFF],
        "scope": ["BA", "KA"],
    }
    client.logout()

    sign_on(client, "chen")  # nothing changed: nothing more in the audit trail
    assert len(directory_audit(user, AuditEvent.Action.UPDATED)) == 1


def test_a_wrong_password_is_refused_and_makes_no_account(world, directory, client):
    response = sign_on(client, "zhangsan", "not-his-password")

    assert not signed_on(client)
    assert "correct username and password" in form_errors(response)
    assert not User.objects.filter(username="zhangsan").exists()


def test_someone_in_no_mapped_group_is_told_so_and_gets_no_account(world, directory, client):
    # wangwu is in the directory, with the right password, but only in the canteen committee.
    response = sign_on(client, "wangwu")

    assert not signed_on(client)
    assert NO_GROUP in form_errors(response)
    assert not User.objects.filter(username="wangwu").exists()
    assert not AuditEvent.objects.filter(data__source="directory").exists()


def test_a_scoped_role_whose_org_units_are_unknown_here_is_refused(world, directory, client):
    directory.user_add("nowhere", groups=("ledger-secretaries",), department="NO-SUCH-ORG")

    response = sign_on(client, "nowhere")

    assert "names no organisation known to the ledger" in form_errors(response)
    assert not User.objects.filter(username="nowhere").exists()


def test_local_accounts_still_sign_on_and_the_directory_does_not_take_one_over(
    world, directory, client
):
    secretary = world.users[Role.BRANCH_SECRETARY]  # the local "sj"
    sign_on(client, secretary.username, PASSWORD)
    assert signed_on(client)
    client.logout()

    # The directory has an "sj" too, a party-building member: its password does not sign on
    # as the local account, and the local account keeps its role.
    directory.user_add("sj", groups=("ledger-party-building",), department="C")
    response = sign_on(client, "sj", "secret-sj")

    assert not signed_on(client)
    assert "correct username and password" in form_errors(response)
    secretary.refresh_from_db()
    assert (secretary.source, secretary.role) == (User.Source.LOCAL, Role.BRANCH_SECRETARY)
    assert secretary.check_password(PASSWORD)


def test_directory_sync_switches_off_who_left_the_directory_or_its_groups_and_audits_it(
    world, directory, client
):
    gone = directory.user_add("leaver", ou="BA,ou=KA", groups=("ledger-secretaries",))
    moved = directory.user_add("mover", ou="BA,ou=KA", groups=("ledger-secretaries",))
    sign_on(client, "zhangsan")
    client.logout()
    sign_on(client, "mover")
    client.logout()
    sign_on(client, "leaver")
    assert signed_on(client)
    leaver = User.objects.get(username="leaver")

    directory.user_delete(gone)
    directory.group_leave(moved, "ledger-secretaries")
    call_command("directory_sync")

    assert not User.objects.get(username="leaver").is_active
    assert not User.objects.get(username="mover").is_active
    assert User.objects.get(username="zhangsan").is_active
    assert world.users[Role.BRANCH_SECRETARY].is_active  # local accounts are not the sync's
    [deactivated] = directory_audit(leaver, AuditEvent.Action.DEACTIVATED)
    assert deactivated.data == {"source": "directory", "reason": "gone from the directory"}
    mover = User.objects.get(username="mover")
    assert directory_audit(mover, AuditEvent.Action.DEACTIVATED)[0].data["reason"] == (
        "in no group mapped to a role"
    )
    # The leaver's open session ends with the account.
    response = client.get(reverse("home"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("login"))

    call_command("directory_sync")  # a second run finds nothing to do
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DEACTIVATED).count() == 2

    # Back in the group, the mover is still switched off until a security administrator acts.
    directory.group_join(moved, "ledger-secretaries")
    client.logout()
    response = sign_on(client, "mover")
    assert not signed_on(client)
    assert "inactive" in form_errors(response)


def test_directory_down_local_accounts_work_and_directory_users_are_told(
    world, directory, client, settings
):
    sign_on(client, "zhangsan")
    client.logout()
    settings.LDAP_AUTH_URL = [f"ldap://127.0.0.1:{_free_port()}"]  # nothing listens there

    response = sign_on(client, "zhangsan")
    assert not signed_on(client)
    assert UNREACHABLE in form_errors(response)

    secretary = world.users[Role.BRANCH_SECRETARY]
    sign_on(client, secretary.username, PASSWORD)
    assert signed_on(client)

    with pytest.raises(CommandError, match="cannot be read; nothing changed"):
        call_command("directory_sync")
    assert User.objects.get(username="zhangsan").is_active


def test_without_a_directory_the_backend_answers_for_nobody(world, directory, client, settings):
    settings.LDAP_AUTH_URL = []

    response = sign_on(client, "zhangsan")

    assert "correct username and password" in form_errors(response)
    assert not User.objects.filter(username="zhangsan").exists()


def test_the_check_reports_a_group_mapped_to_no_role(directory, settings):
    assert directory_settings_check() == []
    settings.LDAP_GROUP_ROLES = {"ledger-secretaries": "secretary"}

    [error] = directory_settings_check()

    assert error.id == "ledger.E103"


def test_the_beat_task_runs_the_same_sync(world, directory, client):
    dn = directory.user_add("briefly", ou="BA,ou=KA", groups=("ledger-secretaries",))
    sign_on(client, "briefly")
    directory.user_delete(dn)

    result = tasks.directory_sync_task.apply().get()

    assert result == {"checked": 1, "deactivated": 1, "updated": 0}
    assert not User.objects.get(username="briefly").is_active


def _settings(env: dict) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LDAP_"))}
    code = (
        "import ledger_site.settings as s;"
        "print(s.AUTHENTICATION_BACKENDS[-1], 'directory-sync' in s.CELERY_BEAT_SCHEDULE,"
        " s.LDAP_AUTH_URL, s.LDAP_GROUP_ROLES)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**keep, "DJANGO_DEBUG": "1", **env},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_directory_is_on_only_when_ldap_url_is_set():
    assert _settings({}).stdout.split() == [
        "django.contrib.auth.backends.ModelBackend",
        "False",
        "[]",
        "{}",
    ]
    on = _settings(
        {
            "LDAP_URL": "ldap://dir1.internal,ldap://dir2.internal",
            "LDAP_GROUP_ROLES": '{"ledger-secretaries": "branch_secretary"}',
        }
    )
    assert on.stdout.split() == [
        "liaison.auth.DirectoryBackend",
        "True",
        "['ldap://dir1.internal',",
        "'ldap://dir2.internal']",
        "{'ledger-secretaries':",
        "'branch_secretary'}",
    ]
    broken = _settings({"LDAP_URL": "ldap://dir1.internal", "LDAP_GROUP_ROLES": "{cn=x: 1}"})
    assert broken.returncode != 0
    assert "LDAP_GROUP_ROLES is not JSON" in broken.stderr


@pytest.mark.parametrize("typed", ["*", "zhang*", "zhangsan)(uid=*", "*)(objectClass=*"])
def test_a_user_name_is_no_search_pattern(world, directory, client, typed):
    response = sign_on(client, typed, "secret-zhangsan")

    assert not signed_on(client)
    assert "correct username and password" in form_errors(response)
    assert not User.objects.filter(source=User.Source.DIRECTORY).exists()
