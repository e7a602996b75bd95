"""Suspension (挂起, R20): the owner asks, with a reason from the list and a review date; the
approver decides as for an extension; while suspended the entry is never overdue; resuming moves
the due date by the working days it stood still (the National Day week included)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from liaison.constants import (
    Decision,
    EventKind,
    Level,
    NotificationKind,
    Role,
    SuspendReason,
)
from liaison.deadlines import overdue_q, resumed_due_on
from liaison.models import Entry, Notification
from liaison.selectors.entries import entry_view
from liaison.services import jobs, workflow
from liaison.services.workflow import Action
from liaison.workdays import WorkCalendar
from tests.fixtures.factories import make_entry
from tests.fixtures.walks import act, snapshot, today

A = Action


def _cadres_entry(world) -> Entry:
    entry = make_entry(world.users[Role.GRASSROOTS_CADRE], informant=world.special_a,
                       recorded_on=today())  # fmt: skip
    assert entry.level == Level.GRASSROOTS_BRANCH  # the branch secretary decides
    return entry


def _ask(world, entry) -> Entry:
    return act(world, entry, A.SUSPEND, entry.owner, reason=SuspendReason.AWAITING_BUDGET,
               note="等待年度技改预算", review_on=today() + dt.timedelta(days=20))  # fmt: skip


def _suspended(world) -> Entry:
    secretary = world.users[Role.BRANCH_SECRETARY]
    entry = _ask(world, _cadres_entry(world))
    return act(world, entry, A.DECIDE_SUSPENSION, secretary, decision=Decision.APPROVE, note="")


def test_suspended_on_approval_and_never_overdue(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    entry = _ask(world, _cadres_entry(world))
    assert entry.request_kind == "suspension" and entry.suspended_on is None
    asked = Notification.objects.get(kind=NotificationKind.SUSPENSION_REQUESTED)
    assert asked.recipient == secretary and "等待年度技改预算" in asked.message
    entry = act(world, entry, A.DECIDE_SUSPENSION, secretary, decision=Decision.APPROVE, note="")
    assert entry.suspended_on == today() and entry.suspensions == 1
    assert entry.suspend_reason == SuspendReason.AWAITING_BUDGET
    assert entry.request_kind == ""
    told = Notification.objects.get(kind=NotificationKind.SUSPENSION_DECIDED)
    assert told.recipient == entry.owner
    # Its due date passes: it is not overdue, not flagged, not warned, and the page says so.
    Entry.objects.filter(pk=entry.pk).update(due_on=today() - dt.timedelta(days=5), is_overdue=True)
    entry.refresh_from_db()
    assert not Entry.objects.filter(overdue_q(today()), pk=entry.pk).exists()
    jobs.overdue_sweep()
    entry.refresh_from_db()
    assert entry.is_overdue is False
    view = entry_view(user=secretary, entry=entry)
    assert not view.is_overdue and not view.is_due_soon


def test_resuming_moves_the_due_date_by_the_working_days_suspended(world):
    entry = _suspended(world)
    calendar = WorkCalendar.load(today().year - 1, today().year + 1)
    since = today() - dt.timedelta(days=14)
    Entry.objects.filter(pk=entry.pk).update(suspended_on=since)
    entry.refresh_from_db()
    due = entry.due_on
    stood = calendar.working_days_between(since, today())
    entry = act(world, entry, A.RESUME, entry.owner, note="预算已下达")
    assert entry.suspended_on is None and entry.suspended_working_days == stood
    assert entry.due_on == calendar.add_working_days(due, stood).due_on
    resumed = entry.events.get(kind=EventKind.RESUMED)
    assert resumed.after["working_days"] == stood
    assert resumed.before["due_on"] == due.isoformat()


def test_a_suspension_over_the_national_day_week(world):
    """Suspended Tue 29 Sep 2026, resumed Fri 9 Oct: Sep 30, Oct 8 and Oct 9 were working days
    (1–7 Oct the holiday), so a due date of Sep 30 moves three working days to Sat 10 Oct,
    the make-up working day; a reply on 10 Oct is on time, one on the 12th is late."""
    calendar = WorkCalendar.load(2026, 2027)
    due_on, stood = resumed_due_on(
        due_on=dt.date(2026, 9, 30),
        suspended_on=dt.date(2026, 9, 29),
        today=dt.date(2026, 10, 9),
        calendar=calendar,
    )
    assert stood == 3
    assert due_on == dt.date(2026, 10, 10)
    unchanged = resumed_due_on(due_on=dt.date(2026, 9, 30), suspended_on=dt.date(2026, 10, 2),
                               today=dt.date(2026, 10, 7), calendar=calendar)  # fmt: skip
    assert unchanged == (dt.date(2026, 9, 30), 0)  # suspended over holidays only


def test_the_guards(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    entry = _ask(world, _cadres_entry(world))
    with pytest.raises(workflow.WorkflowError):
        _ask(world, entry)  # a request already waits
    with pytest.raises(ValidationError) as bare:
        act(world, entry, A.DECIDE_SUSPENSION, secretary, decision=Decision.REJECT, note="")
    assert "note" in bare.value.message_dict
    entry = act(world, entry, A.DECIDE_SUSPENSION, secretary, decision=Decision.APPROVE, note="")
    with pytest.raises(workflow.WorkflowError) as twice:
        _ask(world, entry)
    assert "挂起" in str(twice.value)
    with pytest.raises(workflow.WorkflowError) as extend:
        act(world, entry, A.REQUEST_EXTENSION, entry.owner,
            due_on=entry.due_on + dt.timedelta(days=10), reason="再等等")  # fmt: skip
    assert "恢复" in str(extend.value)
    running = _cadres_entry(world)
    before = snapshot(running)
    with pytest.raises(workflow.WorkflowError):
        act(world, running, A.RESUME, running.owner)
    with pytest.raises(ValidationError) as past:
        act(world, running, A.SUSPEND, running.owner, reason=SuspendReason.OTHER,
            note="说明", review_on=today())  # fmt: skip
    assert "review_on" in past.value.message_dict
    assert snapshot(running) == before


def test_the_sweep_reminds_the_approver_at_the_review_date_once(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    entry = _suspended(world)
    jobs.overdue_sweep()
    assert not Notification.objects.filter(kind=NotificationKind.SUSPENSION_REVIEW).exists()
    Entry.objects.filter(pk=entry.pk).update(suspend_review_on=today())
    jobs.overdue_sweep()
    jobs.overdue_sweep()
    reminded = Notification.objects.filter(kind=NotificationKind.SUSPENSION_REVIEW)
    assert list(reminded.values_list("recipient", flat=True)) == [secretary.pk]


def test_the_lists_filter_suspended_entries(world, client_for):
    suspended = _suspended(world)
    running = _cadres_entry(world)
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    url = reverse("liaison:ledger_branch")
    shown = client.get(url, {"suspended": "true"}).content.decode()
    assert suspended.number in shown and running.number not in shown
    page = client.get(suspended.get_absolute_url()).content.decode()
    assert 'data-testid="suspended"' in page and 'data-action="resume"' in page


def test_the_list_shows_suspended_not_overdue(world, client_for):
    entry = _suspended(world)
    Entry.objects.filter(pk=entry.pk).update(due_on=today() - dt.timedelta(days=5))
    page = client_for(world.users[Role.BRANCH_SECRETARY]).get(reverse("liaison:ledger_branch"))
    body = page.content.decode()
    assert "已挂起" in body and "超期" not in body.split(entry.number, 1)[1].split("</tr>", 1)[0]
