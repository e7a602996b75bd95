"""The closing page (R24) and the month_close command."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from feedback.models import MonthClose
from feedback.services import frozen
from liaison.constants import Role
from liaison.models import AuditEvent
from tests.fixtures.rollups import Clock

PAGE = reverse("feedback:months")
CLOSE = reverse("feedback:months_close")
REOPEN = reverse("feedback:month_reopen")


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(monkeypatch)
    clock.set(dt.date(2026, 4, 10))
    return clock


@pytest.mark.parametrize("role", list(Role))
def test_only_the_party_building_department_sees_the_page(world, client_for, clock, role):
    client = client_for(world.users[role])
    allowed = role == Role.PARTY_BUILDING
    expected = HTTPStatus.OK if allowed else HTTPStatus.NOT_FOUND
    assert client.get(PAGE).status_code == expected
    response = client.post(CLOSE, {"month": "2026-03-01", "confirm": "on"})
    assert response.status_code == (HTTPStatus.FOUND if allowed else HTTPStatus.NOT_FOUND)
    assert (frozen.closed_through() is not None) is allowed
    response = client.post(REOPEN, {"reason": "错结"})
    assert response.status_code == (HTTPStatus.FOUND if allowed else HTTPStatus.NOT_FOUND)
    assert frozen.closed_through() is None


def test_anonymous_is_sent_to_log_in(client):
    assert client.get(PAGE).status_code == HTTPStatus.FOUND


def test_the_page_closes_in_order_and_reopens_with_a_reason(
    world, client_for, clock, django_assert_num_queries
):
    client = client_for(world.users[Role.PARTY_BUILDING])
    page = client.get(PAGE)
    assert "2026-03" in page.content.decode()
    response = client.post(CLOSE, {"month": "2026-02-01"})  # not confirmed
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "确认" in response.content.decode()
    assert not MonthClose.objects.exists()
    response = client.post(CLOSE, {"month": "2026-04-01", "confirm": "on"})  # not ended
    assert response.status_code == HTTPStatus.BAD_REQUEST
    client.post(CLOSE, {"month": "2026-02-01", "confirm": "on"})
    client.post(CLOSE, {"month": "2026-03-01", "confirm": "on"})
    assert list(MonthClose.objects.values_list("month", flat=True)) == [
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 1),
    ]
    response = client.post(REOPEN, {"reason": ""})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "原因" in response.content.decode()
    assert client.post(REOPEN, {"reason": "三月补录"}).status_code == HTTPStatus.FOUND
    assert frozen.closed_through() == dt.date(2026, 2, 1)
    assert AuditEvent.objects.filter(
        object_type="feedback.monthclose", data__reason="三月补录"
    ).exists()
    # session, user, the page's two reads (closed months, history), the bell; as many with
    # more closings
    with django_assert_num_queries(5):
        page = client.get(PAGE)
    body = page.content.decode()
    assert "三月补录" in body and "已结账" in body


def test_a_dashboard_kept_in_the_process_shows_a_month_closed_and_reopened_at_once(
    world, client_for, clock
):
    """The closed months and late adjustments are kept with the dashboard's roll-ups (by their
    version): closing and reopening move the version in the same transaction, and so does the
    refresh that books an adjustment, so the next read says so. What is kept names the closer
    and holds nothing else of the account."""
    import pickle

    from feedback.periods import Period
    from feedback.selectors.closing import closing_for
    from feedback.services.rollups import rollups_rebuild, rollups_refresh
    from tests.fixtures.factories import make_entry

    user = world.users[Role.PARTY_BUILDING]
    rollups_rebuild()
    client = client_for(user)
    dashboard = reverse("feedback:dashboard")

    def read(testid: str) -> bool:
        return f'data-testid="{testid}"' in client.get(dashboard, {"period": "2026"}).text

    assert not read("closed-months")
    assert not read("closed-months")  # kept
    client.post(CLOSE, {"month": "2026-03-01", "confirm": "on"})
    assert read("closed-months")
    assert not read("late-adjustment")
    make_entry(world.users[Role.GRASSROOTS_CADRE], recorded_on=dt.date(2026, 3, 3))
    rollups_refresh()
    assert read("late-adjustment")
    kept = pickle.dumps(closing_for(node=world.company, period=Period.year(2026)))
    assert user.username.encode() in kept
    assert user.password.encode() not in kept and b"password" not in kept
    client.post(REOPEN, {"reason": "错结"})
    assert not read("closed-months")
    assert not read("late-adjustment")


def test_the_command_closes_and_reopens(world, clock):
    call_command("month_close", "--month", "2026-03")
    assert frozen.closed_through() == dt.date(2026, 3, 1)
    assert MonthClose.objects.get().closed_by is None
    with pytest.raises(CommandError):
        call_command("month_close", "--month", "2026-02")  # closed already
    with pytest.raises(CommandError):
        call_command("month_close", "--month", "2026-Q1")
    with pytest.raises(CommandError):
        call_command("month_close", "--reopen", "--reason", "x")  # who?
    with pytest.raises(CommandError):
        call_command(
            "month_close",
            "--reopen",
            "--reason",
            "x",
            "--user",
            world.users[Role.ADMINISTRATOR].username,
        )
    user = world.users[Role.PARTY_BUILDING]
    with pytest.raises(CommandError):
        call_command("month_close", "--reopen", "--user", user.username)  # no reason
    call_command("month_close", "--reopen", "--reason", "重算", "--user", user.username)
    assert frozen.closed_through() is None
    assert timezone.localdate() == dt.date(2026, 4, 10)


def test_the_dashboard_export_and_report_say_which_months_are_closed_and_the_adjustment(
    world, client_for, clock, django_assert_num_queries
):
    import io
    import json

    from openpyxl import load_workbook

    from feedback.periods import Period
    from feedback.selectors.figures import report
    from feedback.services.closing import months_close
    from feedback.services.rollups import rollups_rebuild, rollups_refresh
    from tests.fixtures.factories import make_entry

    cadre, user = world.users[Role.GRASSROOTS_CADRE], world.users[Role.PARTY_BUILDING]
    make_entry(cadre, org=world.branch_a, recorded_on=dt.date(2026, 3, 2))
    rollups_rebuild()
    months_close(month=dt.date(2026, 3, 1), actor=user)
    for day in (3, 4):  # two back-dated entries: recorded +2 in April
        make_entry(cadre, org=world.branch_a, recorded_on=dt.date(2026, 3, day))
    rollups_refresh()

    client = client_for(user)
    body = client.get(reverse("feedback:dashboard"), {"period": "2026"}).content.decode()
    assert "已结月份" in body and "2026-03（dj 于 2026-04-10 10:00 结账）" in body
    assert reverse("feedback:months") in body  # the department's way to the page
    committee = client_for(world.users[Role.COMMITTEE_STAFF])
    other = committee.get(reverse("feedback:dashboard"), {"period": "2026"}).content.decode()
    assert "已结月份" in other and reverse("feedback:months") not in other
    client = client_for(user)
    # two counts moved: recorded and due (the entries' deadlines fall in March)
    assert "2026-04 含对已结月份（2026-03）的补记调整 2 项：" in body
    assert "记录 <strong>+2</strong>" in body
    # The branch's own dashboard sees the adjustment too (its subtree); the company's figures
    # for April include it.
    with django_assert_num_queries(2):  # closed months; entry and visit adjustments
        from feedback.selectors.closing import closing_for

        closing = closing_for(node=world.branch_a, period=Period.year(2026))
    assert [(a.month, a.source_months) for a in closing.adjustments] == [
        (dt.date(2026, 4, 1), [dt.date(2026, 3, 1)])
    ]
    counts = {count.name: count.n for count in closing.adjustments[0].counts}
    assert counts["recorded"] == 2
    assert [s.month for s in closing.closed] == [
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 1),
    ]
    assert closing_for(node=world.branch_b, period=Period.year(2026)).adjustments == []
    assert report(node=world.company, period=Period.month(2026, 4)).figures.totals.recorded == 2

    response = client.get(reverse("feedback:dashboard_export"), {"period": "2026-Q1"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook["已结月份"].iter_rows(min_row=2, values_only=True))
    assert [row[:2] for row in rows] == [
        ("2026-01", "已结账"),
        ("2026-02", "已结账"),
        ("2026-03", "已结账"),
    ]

    out = io.StringIO()
    call_command(
        "ledger_report", "--from", "2026-03-01", "--to", "2026-04-30", "--json", stdout=out
    )
    closed = json.loads(out.getvalue())["closed_months"]
    assert [row["month"] for row in closed["closed"]] == ["2026-03"]
    assert closed["closed"][0]["closed_by"] == user.username
    assert closed["late_adjustments"][0]["counts"]["recorded"] == 2
    out = io.StringIO()
    call_command("ledger_report", "--from", "2026-03-01", "--to", "2026-04-30", stdout=out)
    assert "已结月份: 2026-03" in out.getvalue()
    assert "含对已结月份（2026-03）的补记调整" in out.getvalue()
