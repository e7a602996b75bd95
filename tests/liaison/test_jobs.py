"""The periodic jobs (R4, R6): overdue sweep with escalation, due-soon warnings, closing
unrated replies; each idempotent, set-based, and reachable from the command."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from liaison.constants import (
    ClosedReason,
    EntryStatus,
    EventKind,
    NotificationKind,
    ReplyMethod,
    Role,
)
from liaison.models import Entry, EntryEvent, Notification
from liaison.services import jobs
from liaison.workdays import WorkCalendar
from tests.factories import make_entry

# A plain working week: Monday 2026-11-16 … Friday 2026-11-20.
MONDAY = dt.date(2026, 11, 16)


def _owner(world):
    return world.users[Role.GRASSROOTS_CADRE]


def _entry(world, *, due_on, colour="red", **extra):
    entry = make_entry(
        _owner(world), informant=world.special_a, colour=colour, recorded_on=dt.date(2026, 10, 8)
    )
    Entry.objects.filter(pk=entry.pk).update(due_on=due_on, **extra)
    entry.refresh_from_db()
    return entry


def test_the_sweep_flags_an_entry_due_yesterday_and_tells_its_owner_once(world):
    entry = _entry(world, due_on=MONDAY - dt.timedelta(days=1))
    version = entry.version
    first = jobs.overdue_sweep(today=MONDAY)
    second = jobs.overdue_sweep(today=MONDAY)
    entry.refresh_from_db()
    assert entry.is_overdue and entry.overdue_since == MONDAY
    assert entry.version == version + 1
    assert (first["flagged"], first["notifications"]) == (1, 1)
    assert (second["flagged"], second["notifications"], second["cleared"]) == (0, 0, 0)
    assert EntryEvent.objects.filter(entry=entry, kind=EventKind.OVERDUE).count() == 1
    (note,) = Notification.objects.filter(entry=entry)
    assert (note.recipient, note.kind) == (_owner(world), NotificationKind.OVERDUE)


def test_an_entry_due_today_is_not_overdue_and_the_flag_clears_when_it_no_longer_holds(world):
    today_due = _entry(world, due_on=MONDAY)
    moved = _entry(world, due_on=MONDAY + dt.timedelta(days=3), is_overdue=True)
    replied = _entry(world, due_on=MONDAY - dt.timedelta(days=5), is_overdue=True)
    Entry.objects.filter(pk=replied.pk).update(status=EntryStatus.REPLIED)
    result = jobs.overdue_sweep(today=MONDAY)
    assert result["cleared"] == 2
    assert not Entry.objects.filter(pk__in=[today_due.pk, moved.pk, replied.pk], is_overdue=True)


@override_settings(OVERDUE_ESCALATE_WORKING_DAYS=3)
def test_after_three_working_days_the_secretary_and_party_building_are_told_once(world):
    # Due Tuesday 10th: Wed, Thu, Fri → 3 working days overdue on Friday 13th, not on Thursday.
    entry = _entry(world, due_on=dt.date(2026, 11, 10))
    jobs.overdue_sweep(today=dt.date(2026, 11, 12))
    assert not Notification.objects.filter(kind=NotificationKind.OVERDUE_ESCALATED)
    jobs.overdue_sweep(today=dt.date(2026, 11, 13))
    jobs.overdue_sweep(today=dt.date(2026, 11, 16))
    told = Notification.objects.filter(entry=entry, kind=NotificationKind.OVERDUE_ESCALATED)
    assert sorted(told.values_list("recipient__username", flat=True)) == ["dj", "sj"]
    assert Notification.objects.filter(entry=entry, kind=NotificationKind.OVERDUE).count() == 1


@pytest.mark.parametrize("count", [5, 50])
def test_the_sweep_costs_the_same_queries_for_5_and_50_entries(
    world, count, django_assert_max_num_queries
):
    base = _entry(world, due_on=MONDAY - dt.timedelta(days=10))
    for _i in range(count - 1):
        _entry(world, due_on=MONDAY - dt.timedelta(days=10))
    with django_assert_max_num_queries(16):
        result = jobs.overdue_sweep(today=MONDAY)
    assert result["flagged"] == count
    assert Notification.objects.filter(kind=NotificationKind.OVERDUE).count() == count
    assert base.pk


def test_due_soon_warnings_once_per_threshold(world):
    # Monday: a red entry due Tuesday (1 working day) is warned; one due Wednesday is not yet.
    tuesday = _entry(world, due_on=MONDAY + dt.timedelta(days=1))
    wednesday = _entry(world, due_on=MONDAY + dt.timedelta(days=2))
    orange = _entry(world, colour="orange", due_on=MONDAY + dt.timedelta(days=3))
    assert jobs.due_soon_warnings(today=MONDAY)["notifications"] == 2
    assert jobs.due_soon_warnings(today=MONDAY)["notifications"] == 0
    warned = set(
        Notification.objects.filter(kind=NotificationKind.DUE_SOON).values_list("entry", flat=True)
    )
    assert warned == {tuesday.pk, orange.pk}
    assert jobs.due_soon_warnings(today=MONDAY + dt.timedelta(days=1))["notifications"] == 1
    assert Notification.objects.filter(entry=wednesday, kind=NotificationKind.DUE_SOON).count() == 1


def test_no_warnings_on_a_day_off(world):
    _entry(world, due_on=MONDAY)
    assert jobs.due_soon_warnings(today=MONDAY - dt.timedelta(days=1)) == {
        "skipped": True,
        "notifications": 0,
    }


def _replied(world, replied_on: dt.date) -> Entry:
    entry = _entry(world, due_on=MONDAY)
    at = timezone.make_aware(dt.datetime.combine(replied_on, dt.time(10)))
    Entry.objects.filter(pk=entry.pk).update(
        status=EntryStatus.REPLIED,
        replied_at=at,
        reply_text="已答复",
        reply_method=ReplyMethod.PHONE,
    )
    entry.refresh_from_db()
    return entry


def test_replies_unrated_after_ten_working_days_close_as_not_rated(world):
    today = dt.date(2026, 11, 20)
    calendar = WorkCalendar.load(2026)
    old = _replied(world, dt.date(2026, 11, 5))  # 11 working days before the 20th
    recent = _replied(world, dt.date(2026, 11, 6))  # exactly 10: not yet
    assert calendar.working_days_between(dt.date(2026, 11, 5), today) == 11
    assert jobs.close_unrated(today=today) == {"closed": 1, "notifications": 1}
    assert jobs.close_unrated(today=today) == {"closed": 0, "notifications": 0}
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.closed_reason) == (EntryStatus.CLOSED, ClosedReason.NOT_RATED)
    assert recent.status == EntryStatus.REPLIED
    assert EntryEvent.objects.filter(entry=old, kind=EventKind.CLOSED).count() == 1


def test_the_command_runs_a_job_once_and_the_second_run_reports_zero(world):
    _entry(world, due_on=timezone.localdate() - dt.timedelta(days=2))
    out = StringIO()
    call_command("ledger_jobs", "sweep", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "job": "sweep",
        "flagged": 1,
        "cleared": 0,
        "notifications": 1,
    }
    out = StringIO()
    call_command("ledger_jobs", "sweep", stdout=out)
    assert out.getvalue().strip() == "flagged 0, cleared 0, notifications 0"


def test_emails_go_to_users_who_want_them_once(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    owner = _owner(world)
    owner.email = "jc@example.com"
    owner.save()
    _entry(world, due_on=MONDAY - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        jobs.overdue_sweep(today=MONDAY)
    assert [m.to for m in mailoutbox] == [["jc@example.com"]]
    assert jobs.notification_emails_send() == 0
    assert not Notification.objects.filter(recipient=owner, emailed_at__isnull=True)


def test_no_email_for_a_user_who_turned_it_off(world, mailoutbox):
    owner = _owner(world)
    owner.email = "jc@example.com"
    owner.email_notifications = False
    owner.save()
    _entry(world, due_on=MONDAY - dt.timedelta(days=1))
    jobs.overdue_sweep(today=MONDAY)
    assert jobs.notification_emails_send() == 0
    assert mailoutbox == []


def test_a_referral_tells_the_departments_handlers_once(world):
    from liaison.services.workflow import Action
    from tests.walks import act

    owner = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(owner, informant=world.special_a)
    entry = act(world, entry, Action.REFER, owner)
    (note,) = Notification.objects.filter(entry=entry, kind=NotificationKind.REFERRED)
    assert note.recipient == world.users[Role.DEPARTMENT_HANDLER]
    assert jobs.notify_referred(entry=entry) == 0
