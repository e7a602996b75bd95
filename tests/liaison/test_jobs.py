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
from django.utils.translation import gettext

from liaison.constants import (
    ClosedReason,
    EntryStatus,
    EventKind,
    NotificationKind,
    ReplyMethod,
    Role,
)
from liaison.models import Entry, EntryEvent, Notification
from liaison.services import handbacks, jobs
from liaison.workdays import WorkCalendar
from tests.fixtures.factories import make_entry
from tests.fixtures.jobs import CLOSE_QUERIES, SWEEP_QUERIES, SWEEP_QUERIES_IDLE, WARNING_QUERIES

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
@override_settings(OVERDUE_ESCALATE_WORKING_DAYS=3)
def test_the_sweep_costs_the_same_queries_for_5_and_50_entries(
    world, count, django_assert_max_num_queries
):
    for _i in range(count):
        _entry(world, due_on=MONDAY - dt.timedelta(days=10))  # flagged and escalated
        _entry(world, due_on=MONDAY + dt.timedelta(days=3), is_overdue=True)  # cleared
    with django_assert_max_num_queries(SWEEP_QUERIES):
        result = jobs.overdue_sweep(today=MONDAY)
    assert result == {"flagged": count, "cleared": count, "notifications": 3 * count}
    assert Notification.objects.filter(kind=NotificationKind.OVERDUE).count() == count
    with django_assert_max_num_queries(SWEEP_QUERIES_IDLE):
        assert jobs.overdue_sweep(today=MONDAY) == {"flagged": 0, "cleared": 0, "notifications": 0}


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
    from tests.fixtures.walks import act

    owner = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(owner, informant=world.special_a)
    entry = act(world, entry, Action.REFER, owner)
    (note,) = Notification.objects.filter(entry=entry, kind=NotificationKind.REFERRED)
    assert note.recipient == world.users[Role.DEPARTMENT_HANDLER]
    assert handbacks.notify_referred(entry=entry) == 0


# --- Clearing the flag -------------------------------------------------------------------------


def test_clearing_the_flag_writes_one_event_per_entry_with_before_and_after(world):
    moved = _entry(world, due_on=MONDAY - dt.timedelta(days=3))
    voided = _entry(world, due_on=MONDAY - dt.timedelta(days=3))
    jobs.overdue_sweep(today=MONDAY)
    Entry.objects.filter(pk=moved.pk).update(due_on=MONDAY + dt.timedelta(days=2))
    Entry.objects.filter(pk=voided.pk).update(status=EntryStatus.VOID, void_reason="重复记录")
    versions = dict(Entry.objects.values_list("pk", "version"))

    assert jobs.overdue_sweep(today=MONDAY)["cleared"] == 2
    assert jobs.overdue_sweep(today=MONDAY)["cleared"] == 0
    for entry in (moved, voided):
        entry.refresh_from_db()
        assert (entry.is_overdue, entry.overdue_since) == (False, None)
        assert entry.version == versions[entry.pk] + 1
        (event,) = EntryEvent.objects.filter(entry=entry, kind=EventKind.OVERDUE_CLEARED)
        assert event.actor is None
        assert event.before == {"is_overdue": True, "overdue_since": "2026-11-14"}
        assert event.after == {"is_overdue": False, "overdue_since": None}


def test_a_reply_clears_the_flag_itself_and_the_sweep_adds_nothing(world):
    from tests.fixtures.walks import act

    owner = _owner(world)
    entry = _entry(world, due_on=MONDAY - dt.timedelta(days=3))
    jobs.overdue_sweep(today=MONDAY)
    entry.refresh_from_db()
    entry = act(world, entry, "resolve_on_spot", owner)
    entry = act(world, entry, "reply", owner)
    assert not entry.is_overdue and entry.overdue_since == MONDAY - dt.timedelta(days=2)
    assert jobs.overdue_sweep(today=MONDAY)["cleared"] == 0
    assert not EntryEvent.objects.filter(entry=entry, kind=EventKind.OVERDUE_CLEARED)


def test_a_calendar_change_that_moves_the_due_date_later_clears_the_flag_on_the_next_sweep(
    world,
):
    from liaison.services.calendar import calendar_day_set

    entry = make_entry(_owner(world), informant=world.special_a, recorded_on=dt.date(2026, 11, 2))
    first_due = entry.due_on
    today = first_due + dt.timedelta(days=1)
    while not WorkCalendar.load(2026).is_working_day(today):
        today += dt.timedelta(days=1)
    jobs.overdue_sweep(today=today)
    entry.refresh_from_db()
    assert entry.is_overdue

    # Two working days inside the deadline become days off: the due date moves past today.
    calendar = WorkCalendar.load(2026)
    inside = [
        entry.recorded_on + dt.timedelta(days=n)
        for n in range(1, (first_due - entry.recorded_on).days)
        if calendar.is_working_day(entry.recorded_on + dt.timedelta(days=n))
    ]
    for day in inside[:2]:
        calendar_day_set(actor=None, date=day, is_working=False, note="停电检修")
    entry.refresh_from_db()
    assert entry.due_on >= today and entry.is_overdue  # the sweep owns the flag

    assert jobs.overdue_sweep(today=today)["cleared"] == 1
    entry.refresh_from_db()
    assert not entry.is_overdue
    kinds = list(entry.events.values_list("kind", flat=True))
    assert kinds[-4:] == [
        EventKind.OVERDUE,
        EventKind.DUE_RECOMPUTED,
        EventKind.DUE_RECOMPUTED,
        EventKind.OVERDUE_CLEARED,
    ]


# --- A reopened entry's fresh deadline -----------------------------------------------------------


@override_settings(OVERDUE_ESCALATE_WORKING_DAYS=3)
def test_a_reopened_entry_that_goes_overdue_again_is_news_again_once(world):
    from liaison.services.workflow.actions import entry_reopen
    from tests.fixtures.walks import act

    owner = _owner(world)
    entry = _entry(world, due_on=MONDAY - dt.timedelta(days=10))
    first = jobs.overdue_sweep(today=MONDAY)
    assert first["flagged"] == 1 and first["notifications"] == 3  # owner, secretary, dj
    entry.refresh_from_db()
    for action in ("resolve_on_spot", "reply"):
        entry = act(world, entry, action, owner)
    entry = entry_reopen(entry=entry, actor=None, expected_version=entry.version)
    assert entry.reopen_count == 1 and not entry.is_overdue

    later = entry.due_on + dt.timedelta(days=10)  # well past the fresh deadline
    again = jobs.overdue_sweep(today=later)
    assert (again["flagged"], again["notifications"]) == (1, 3)
    third = jobs.overdue_sweep(today=later)
    assert (third["flagged"], third["cleared"], third["notifications"]) == (0, 0, 0)

    told = Notification.objects.filter(entry=entry, recipient=owner, kind=NotificationKind.OVERDUE)
    assert sorted(told.values_list("occasion", flat=True)) == [0, 100]  # rounds in hundreds
    escalated = Notification.objects.filter(entry=entry, kind=NotificationKind.OVERDUE_ESCALATED)
    assert sorted(escalated.values_list("recipient__username", "occasion")) == [
        ("dj", 1),  # the deadline's occasion, then the ladder step's digit (R22)
        ("dj", 1001),
        ("sj", 1),
        ("sj", 1001),
    ]
    assert EntryEvent.objects.filter(entry=entry, kind=EventKind.OVERDUE).count() == 2


def test_a_reopened_entry_is_warned_again_before_its_fresh_deadline(world):
    entry = _entry(world, due_on=MONDAY + dt.timedelta(days=1))
    assert jobs.due_soon_warnings(today=MONDAY)["notifications"] == 1
    Entry.objects.filter(pk=entry.pk).update(reopen_count=1)
    assert jobs.due_soon_warnings(today=MONDAY)["notifications"] == 1
    assert jobs.due_soon_warnings(today=MONDAY)["notifications"] == 0
    warned = Notification.objects.filter(entry=entry, kind=NotificationKind.DUE_SOON)
    assert sorted(warned.values_list("occasion", flat=True)) == [0, 100]


def test_an_extended_or_suspended_deadline_is_warned_again(world):
    """An approved extension (R19) or a suspension (R20) gives a fresh deadline: its warning is
    news again, once."""
    entry = _entry(world, due_on=MONDAY + dt.timedelta(days=1))
    assert jobs.due_soon_warnings(today=MONDAY)["notifications"] == 1
    Entry.objects.filter(pk=entry.pk).update(extensions=1)
    assert jobs.due_soon_warnings(today=MONDAY)["notifications"] == 1
    Entry.objects.filter(pk=entry.pk).update(suspensions=1)
    assert jobs.due_soon_warnings(today=MONDAY)["notifications"] == 1
    assert jobs.due_soon_warnings(today=MONDAY)["notifications"] == 0


# --- Escalation: who is told -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "entry_org", "told"),
    [
        ("branch_a", "branch_a", True),  # the entry's own branch
        ("branch_a", "group_a", True),  # a branch above the entry's group
        ("group_a", "group_a", True),  # a secretary scoped to the entry's own org
        ("group_a", "branch_a", False),  # below the entry
        ("committee_a", "group_a", False),  # above, but not a branch
        ("branch_b", "group_a", False),  # another branch
        ("office_branch", "branch_a", False),  # a sibling branch
    ],
)
@override_settings(OVERDUE_ESCALATE_WORKING_DAYS=3)
def test_escalation_tells_the_secretaries_at_or_above_the_entry_and_party_building(
    world, scope, entry_org, told
):
    from tests.fixtures.factories import make_user

    secretary = make_user(Role.BRANCH_SECRETARY, scope=getattr(world, scope))
    gone = make_user(Role.BRANCH_SECRETARY, scope=getattr(world, entry_org), is_active=False)
    entry = make_entry(
        _owner(world),
        org=getattr(world, entry_org),
        informant=world.special_a,
        recorded_on=dt.date(2026, 10, 8),
    )
    Entry.objects.filter(pk=entry.pk).update(due_on=MONDAY - dt.timedelta(days=10))
    jobs.overdue_sweep(today=MONDAY)
    recipients = set(
        Notification.objects.filter(
            entry=entry, kind=NotificationKind.OVERDUE_ESCALATED
        ).values_list("recipient", flat=True)
    )
    assert (secretary.pk in recipients) is told
    assert gone.pk not in recipients
    assert world.users[Role.PARTY_BUILDING].pk in recipients
    sj = world.users[Role.BRANCH_SECRETARY]  # the world's secretary of branch_a
    assert (sj.pk in recipients) is (entry_org in ("branch_a", "group_a"))


# --- Closing unrated replies, set-based ---------------------------------------------------------


def test_closing_unrated_writes_the_event_entry_close_writes(world):
    from liaison.services.workflow.actions import entry_close

    today = dt.date(2026, 11, 20)
    by_job = _replied(world, dt.date(2026, 11, 2))
    by_hand = _replied(world, dt.date(2026, 11, 2))
    note = gettext("No rating within %(days)s working days of the reply.") % {"days": 10}
    entry_close(
        entry=by_hand,
        actor=None,
        expected_version=by_hand.version,
        reason=ClosedReason.NOT_RATED,
        note=note,
    )
    version = by_job.version
    assert jobs.close_unrated(today=today) == {"closed": 1, "notifications": 1}

    by_job.refresh_from_db()
    assert by_job.version == version + 1
    assert by_job.closed_at is not None and by_job.updated_at == by_job.closed_at
    (job_event,) = EntryEvent.objects.filter(entry=by_job, kind=EventKind.CLOSED)
    (hand_event,) = EntryEvent.objects.filter(entry=by_hand, kind=EventKind.CLOSED)
    assert (job_event.actor, job_event.note) == (None, note)
    assert (
        job_event.before
        == hand_event.before
        == {
            "status": "replied",
            "closed_at": None,
            "closed_reason": "",
        }
    )
    assert list(job_event.after) == list(hand_event.after)
    assert job_event.after["status"] == hand_event.after["status"] == "closed"
    assert job_event.after["closed_reason"] == "not_rated"
    assert dt.datetime.fromisoformat(job_event.after["closed_at"]) == by_job.closed_at
    (note_row,) = Notification.objects.filter(entry=by_job)
    assert (note_row.recipient, note_row.kind) == (_owner(world), NotificationKind.CLOSED_NOT_RATED)
    assert not Notification.objects.filter(entry=by_hand)


def test_an_entry_rated_before_the_job_runs_is_not_closed_again(world):
    from feedback.constants import RatingChannel, Satisfaction
    from feedback.services.ratings import rating_record

    rated = _replied(world, dt.date(2026, 11, 2))
    rating_record(
        entry=rated,
        value=Satisfaction.SATISFIED,
        comment="",
        channel=RatingChannel.LINK,
        actor=None,
        expected_version=rated.version,
    )
    assert jobs.close_unrated(today=dt.date(2026, 11, 20)) == {"closed": 0, "notifications": 0}
    rated.refresh_from_db()
    assert rated.closed_reason == ClosedReason.RATED
    assert EntryEvent.objects.filter(entry=rated, kind=EventKind.CLOSED).count() == 1


@pytest.mark.parametrize("count", [5, 50])
def test_closing_unrated_costs_the_same_queries_for_5_and_50_entries(
    world, count, django_assert_max_num_queries
):
    for _i in range(count):
        _replied(world, dt.date(2026, 11, 2))
    with django_assert_max_num_queries(CLOSE_QUERIES):
        result = jobs.close_unrated(today=dt.date(2026, 11, 20))
    assert result == {"closed": count, "notifications": count}
    assert EntryEvent.objects.filter(kind=EventKind.CLOSED).count() == count


@pytest.mark.parametrize("count", [5, 50])
def test_warnings_cost_the_same_queries_for_5_and_50_entries(
    world, count, django_assert_max_num_queries
):
    for _i in range(count):
        _entry(world, due_on=MONDAY + dt.timedelta(days=1))
    with django_assert_max_num_queries(WARNING_QUERIES):
        assert jobs.due_soon_warnings(today=MONDAY)["notifications"] == count
