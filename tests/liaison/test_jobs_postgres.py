"""The periodic jobs at scale and under concurrency, on PostgreSQL only (CI sets DATABASE_URL):
SQLite neither locks rows nor holds 100,000 entries in a reasonable test.

Issue 4's acceptance: the sweep over 100,000 open entries runs as a handful of queries, not one
per entry; a second run changes nothing. And a rating racing the not-rated job never closes an
entry twice.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.db.models import Count, F
from django.test import override_settings

from common.bulk import bulk_insert
from feedback.constants import RatingChannel, Satisfaction
from feedback.models import Rating
from liaison.constants import (
    ChannelScope,
    ClosedReason,
    EntryStatus,
    EventKind,
    NotificationKind,
    ReplyMethod,
    Role,
)
from liaison.models import Channel, Entry, EntryEvent, Notification, ServiceCategory, ServiceItem
from liaison.services import jobs
from liaison.transitions import EntryConflict
from tests.fixtures.factories import build_world, make_entry, make_user
from tests.fixtures.jobs import SWEEP_QUERIES, SWEEP_QUERIES_IDLE
from tests.fixtures.threads import in_thread

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
)

MONDAY = dt.date(2026, 11, 16)
ENTRIES = 100_000


def _clone(template: Entry, rows: list[dict]) -> None:
    """Insert one entry per dict: the template's values with the dict's changes (COPY)."""
    fields = [f for f in Entry._meta.concrete_fields if not f.primary_key]
    base = {f.name: getattr(template, f.attname) for f in fields}
    names = [f.name for f in fields]
    bulk_insert(Entry, names, [tuple({**base, **row}[name] for name in names) for row in rows])


@override_settings(OVERDUE_ESCALATE_WORKING_DAYS=3)
def test_the_sweep_over_100_000_overdue_entries_is_a_handful_of_queries(
    world, django_assert_max_num_queries
):
    orgs = [world.branch_a, world.group_a, world.branch_b, world.office_branch]
    owners = [make_user(Role.GRASSROOTS_CADRE, scope=org) for org in orgs]
    template = make_entry(owners[0], informant=world.special_a, recorded_on=dt.date(2026, 8, 3))
    # Due in the last few days; one in ten long enough ago to escalate (3 working days).
    _clone(
        template,
        [
            {
                "number": f"{template.number}-{i:06d}",
                "org": orgs[i % 4].pk,
                "owner": owners[i % 4].pk,
                "due_on": MONDAY - dt.timedelta(days=10 if i % 10 == 0 else 1 + i % 3),
            }
            for i in range(1, ENTRIES)
        ],
    )
    Entry.objects.filter(pk=template.pk).update(due_on=MONDAY - dt.timedelta(days=1))
    cutoff = jobs._calendar(MONDAY).working_days_back(MONDAY, 3)
    late = Entry.objects.filter(due_on__lte=cutoff)
    # dj everywhere; sj, the secretary of branch_a, also for branch_a's group.
    expected_escalations = late.count() + late.filter(org__in=orgs[:2]).count()

    started = time.perf_counter()
    # 12: the savepoint and its release, a look for flags to clear (none), 4 queries to flag and
    # tell the owners, 2 to load the calendar, 3 to escalate.
    with django_assert_max_num_queries(SWEEP_QUERIES - 2):
        result = jobs.overdue_sweep(today=MONDAY)
    seconds = time.perf_counter() - started

    assert result == {
        "flagged": ENTRIES,
        "cleared": 0,
        "notifications": ENTRIES + expected_escalations,
    }
    assert Entry.objects.filter(is_overdue=True).count() == ENTRIES
    assert not Entry.objects.exclude(overdue_since=F("due_on") + dt.timedelta(days=1))
    events = EntryEvent.objects.filter(kind=EventKind.OVERDUE).values("entry")
    assert events.count() == events.distinct().count() == ENTRIES
    told = Notification.objects.filter(kind=NotificationKind.OVERDUE)
    assert told.count() == told.filter(recipient_id=F("entry__owner_id")).count() == ENTRIES
    escalated = Notification.objects.filter(kind=NotificationKind.OVERDUE_ESCALATED)
    assert escalated.count() == expected_escalations
    by_recipient = dict(
        escalated.values_list("recipient__username")
        .annotate(n=Count("pk"))
        .values_list("recipient__username", "n")
    )
    assert by_recipient == {"dj": late.count(), "sj": late.filter(org__in=orgs[:2]).count()}

    with django_assert_max_num_queries(SWEEP_QUERIES_IDLE):
        again = jobs.overdue_sweep(today=MONDAY)
    assert again == {"flagged": 0, "cleared": 0, "notifications": 0}
    assert EntryEvent.objects.filter(kind=EventKind.OVERDUE).count() == ENTRIES
    print(f"\nsweep over {ENTRIES:,} overdue entries: {seconds:.1f} s")


def test_flagging_writes_each_entry_in_place_touching_no_index(world):
    """Migration 0032: no index names a column the sweep writes, so PostgreSQL updates the rows
    as heap-only tuples (a new entry in none of the table's indexes) in the room each page
    keeps (fillfactor 90): one entry in twenty overdue, as a ledger has them, not side by
    side."""
    owner = make_user(Role.GRASSROOTS_CADRE, scope=world.branch_a)
    template = make_entry(owner, informant=world.special_a, recorded_on=dt.date(2026, 8, 3))
    late, later = MONDAY - dt.timedelta(days=2), MONDAY + dt.timedelta(days=30)
    _clone(
        template,
        [
            {"number": f"{template.number}-{i:06d}", "due_on": late if i % 20 == 0 else later}
            for i in range(1, 400)
        ],
    )
    Entry.objects.filter(pk=template.pk).update(due_on=later)

    def updates() -> tuple[int, int]:
        with connection.cursor() as cursor:  # this transaction's own counts
            cursor.execute(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables "
                "WHERE relname = 'liaison_entry'"
            )
            return cursor.fetchone()

    before = updates()
    assert jobs.overdue_sweep(today=MONDAY)["flagged"] == 19
    written, in_place = (after - start for after, start in zip(updates(), before, strict=True))
    assert written == in_place == 19


# --- A rating racing the not-rated job ----------------------------------------------------------


@pytest.fixture
def replied_entry(transactional_db):
    """A reply twelve working days old, committed, so that a second connection sees it."""
    world = build_world()
    # A transactional test starts from a flushed database: no seeded taxonomies.
    Channel.objects.get_or_create(name="走访", defaults={"scope": ChannelScope.INTERNAL})
    category, _created = ServiceCategory.objects.get_or_create(name="安全生产")
    ServiceItem.objects.get_or_create(category=category, name="用电安全")
    owner = world.users[Role.GRASSROOTS_CADRE]
    entry = make_entry(owner, informant=world.special_a, recorded_on=dt.date(2026, 10, 8))
    Entry.objects.filter(pk=entry.pk).update(
        status=EntryStatus.REPLIED,
        replied_at=dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC),
        reply_text="已答复",
        reply_method=ReplyMethod.PHONE,
    )
    entry.refresh_from_db()
    return entry


TODAY = dt.date(2026, 11, 20)  # 13 working days after the reply


def _rate(entry: Entry) -> None:
    from feedback.services.ratings import rating_record

    rating_record(
        entry=entry,
        value=Satisfaction.SATISFIED,
        comment="",
        channel=RatingChannel.LINK,
        actor=None,
        expected_version=entry.version,
    )


def test_an_entry_being_rated_is_skipped_and_then_not_closed_again(replied_entry):
    rated, release = threading.Event(), threading.Event()

    def rate_and_hold():
        with transaction.atomic():
            _rate(replied_entry)  # its UPDATE holds the entry's row lock until commit
            rated.set()
            release.wait(30)

    thread, outcome = in_thread(rate_and_hold)
    assert rated.wait(30)
    try:
        assert jobs.close_unrated(today=TODAY) == {"closed": 0, "notifications": 0}
    finally:
        release.set()
        thread.join(30)
    assert outcome == [None]
    assert jobs.close_unrated(today=TODAY) == {"closed": 0, "notifications": 0}
    replied_entry.refresh_from_db()
    assert (replied_entry.status, replied_entry.closed_reason) == (
        EntryStatus.CLOSED,
        ClosedReason.RATED,
    )
    assert EntryEvent.objects.filter(entry=replied_entry, kind=EventKind.CLOSED).count() == 1
    assert not Notification.objects.filter(entry=replied_entry)


def test_a_rating_after_the_job_locked_the_entry_gets_a_conflict(replied_entry):
    closed, release = threading.Event(), threading.Event()

    def close_and_hold():
        with transaction.atomic():
            result = jobs.close_unrated(today=TODAY)
            closed.set()
            release.wait(30)
        return result

    job, job_outcome = in_thread(close_and_hold)
    assert closed.wait(30)
    rating, rating_outcome = in_thread(lambda: _rate(replied_entry))
    time.sleep(0.5)  # the rating now waits for the entry's row lock
    release.set()
    job.join(30)
    rating.join(30)
    assert job_outcome == [{"closed": 1, "notifications": 1}]
    assert len(rating_outcome) == 1 and isinstance(rating_outcome[0], EntryConflict)
    replied_entry.refresh_from_db()
    assert replied_entry.closed_reason == ClosedReason.NOT_RATED
    assert EntryEvent.objects.filter(entry=replied_entry, kind=EventKind.CLOSED).count() == 1
    assert not Rating.objects.filter(entry=replied_entry)
