"""The roll-up jobs (R7): the frequent refresh equals a rebuild, runs twice harmlessly, misses
no event committed out of order."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Max

from feedback.constants import Satisfaction
from feedback.models import (
    COUNT_FIELDS,
    RATING_FIELDS,
    EntryMonthly,
    EntryMonthlyOwn,
    RollupState,
)
from feedback.services import rollups as services
from feedback.services.rollups import rollups_rebuild, rollups_refresh
from liaison.constants import Role
from liaison.models import EntryEvent
from liaison.services.workflow import Action
from tests.fixtures.factories import make_entry
from tests.fixtures.rollups import Clock, build_ledger, rollups_snapshot
from tests.fixtures.walks import act


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def test_every_satisfaction_value_has_a_column():
    assert set(RATING_FIELDS) == set(Satisfaction.values)
    assert set(RATING_FIELDS.values()) <= set(COUNT_FIELDS)


def test_after_every_step_the_refresh_equals_a_rebuild(world, clock):
    """Each step of the story (recording, referral, replies on time and late, every rating,
    reopening, a calendar change moving due dates across months, a void, visits, the sweep)
    is followed by the refresh; what it made must equal a rebuild from scratch."""
    steps = []

    def compare():
        rollups_refresh()
        incremental = rollups_snapshot()
        rollups_rebuild()
        rebuilt = rollups_snapshot()
        assert incremental == rebuilt, f"step {len(steps)} differs"
        steps.append(len(rebuilt))

    build_ledger(world, clock, after_step=compare)
    assert len(steps) > 60 and steps[-1] > 20


def test_the_refresh_alone_ends_where_a_rebuild_does(world, clock):
    build_ledger(world, clock, after_step=rollups_refresh)
    incremental = rollups_snapshot()
    assert incremental
    rollups_rebuild()
    assert rollups_snapshot() == incremental


def test_a_second_refresh_changes_nothing(world, clock):
    build_ledger(world, clock, after_step=rollups_refresh)
    before = rollups_snapshot()
    clock.set(dt.date(2026, 4, 10), hour=12, minute=5)  # the last events still in the overlap
    again = rollups_refresh()
    assert again["events"] == 0  # nothing new, no late commit: nothing read again …
    assert rollups_snapshot() == before  # … and nothing changed
    clock.set(dt.date(2026, 4, 10), hour=13)
    assert rollups_refresh()["events"] == 0
    assert rollups_snapshot() == before
    rollups_rebuild()  # the rebuild leaves its watermark as a refresh does: nothing to re-read
    clock.set(dt.date(2026, 4, 10), hour=13, minute=5)
    assert rollups_refresh()["events"] == 0
    assert rollups_snapshot() == before


def test_the_first_refresh_rebuilds(world, clock):
    clock.set(dt.date(2026, 1, 5))
    make_entry(world.users[Role.GRASSROOTS_CADRE], recorded_on=dt.date(2026, 1, 5))
    assert not RollupState.objects.exists()
    assert rollups_refresh()["rebuilt"] is True
    row = EntryMonthly.objects.get(node=world.company)
    assert (row.month, row.recorded, row.due) == (dt.date(2026, 1, 1), 1, 1)
    assert rollups_refresh()["rebuilt"] is False


def test_the_floor_stays_below_what_was_written_in_the_overlap(world, clock):
    clock.set(dt.date(2026, 1, 5), hour=10)
    rollups_refresh()
    make_entry(world.users[Role.GRASSROOTS_CADRE], recorded_on=dt.date(2026, 1, 5))
    last = EntryEvent.objects.aggregate(last=Max("pk"))["last"]
    clock.set(dt.date(2026, 1, 5), hour=10, minute=5)
    rollups_refresh()
    assert RollupState.objects.get().event_floor == last - 1  # looked at again next time
    clock.set(dt.date(2026, 1, 5), hour=10, minute=20)
    assert rollups_refresh()["events"] == 0  # nothing new: nothing read, the floor stays
    assert RollupState.objects.get().event_floor == last - 1
    make_entry(world.users[Role.GRASSROOTS_CADRE], recorded_on=dt.date(2026, 1, 5))
    newest = EntryEvent.objects.aggregate(last=Max("pk"))["last"]
    clock.set(dt.date(2026, 1, 5), hour=10, minute=25)
    assert rollups_refresh()["events"] == newest - last  # only what is newer
    assert RollupState.objects.get().event_floor == last  # the first past the overlap


@pytest.mark.parametrize("overlap", [services.OVERLAP, dt.timedelta(0)])
def test_an_event_committed_after_a_larger_id_was_read_is_not_missed(
    world, clock, monkeypatch, overlap
):
    """A transaction that took its event id before another's but committed after it: the
    overlap reads it; without one (the control) the refresh misses it."""
    monkeypatch.setattr(services, "OVERLAP", overlap)
    cadre = world.users[Role.GRASSROOTS_CADRE]
    clock.set(dt.date(2026, 1, 5), hour=10)
    rollups_refresh()
    first = make_entry(cadre, recorded_on=dt.date(2026, 1, 5))
    held = EntryEvent.objects.create(entry=first, kind="progress_note")  # an id taken …
    held_id = held.pk
    held.delete()  # … by a transaction still running
    make_entry(cadre, recorded_on=dt.date(2026, 1, 5))
    clock.set(dt.date(2026, 1, 5), hour=10, minute=1)
    rollups_refresh()
    late = make_entry(cadre, recorded_on=dt.date(2026, 2, 2))  # … which commits now
    EntryEvent.objects.filter(entry=late).update(id=held_id)
    clock.set(dt.date(2026, 1, 5), hour=10, minute=2)
    rollups_refresh()
    february = EntryMonthly.objects.filter(node=world.company, month=dt.date(2026, 2, 1))
    assert february.exists() is (overlap > dt.timedelta(0))


def test_a_void_leaves_every_month(world, clock):
    """Voiding a replied entry (its reply, resolution and deadline in other months than the
    void) takes it out of all of them."""
    cadre, maintainer = world.users[Role.GRASSROOTS_CADRE], world.users[Role.PARTY_BUILDING]
    clock.set(dt.date(2026, 1, 28))
    rollups_refresh()
    entry = make_entry(cadre, recorded_on=dt.date(2026, 1, 28))  # red: due 2026-02-04
    clock.set(dt.date(2026, 2, 3))
    entry = act(world, entry, Action.RESOLVE_ON_SPOT, maintainer)
    entry = act(world, entry, Action.REPLY, maintainer)
    rollups_refresh()
    company = EntryMonthly.objects.filter(node=world.company)
    assert sorted(company.values_list("month", "recorded", "due", "replied")) == [
        (dt.date(2026, 1, 1), 1, 0, 0),
        (dt.date(2026, 2, 1), 0, 1, 1),
    ]
    clock.set(dt.date(2026, 3, 2))
    act(world, entry, Action.VOID, maintainer)
    rollups_refresh()
    assert not company.exists()
    assert not EntryMonthlyOwn.objects.exists()


def test_a_refresh_with_nothing_new_is_a_few_queries(world, clock, django_assert_max_num_queries):
    clock.set(dt.date(2026, 1, 5))
    make_entry(world.users[Role.GRASSROOTS_CADRE], recorded_on=dt.date(2026, 1, 5))
    rollups_refresh()
    clock.set(dt.date(2026, 1, 6))
    rollups_refresh()
    # the state (get or create, lock), newest ids, backlog, tree, the last closed month (R24),
    # two floors, save
    with django_assert_max_num_queries(12):
        rollups_refresh()


def test_the_tasks_call_the_jobs(world, clock):
    from feedback import tasks

    clock.set(dt.date(2026, 1, 5))
    make_entry(world.users[Role.GRASSROOTS_CADRE], recorded_on=dt.date(2026, 1, 5))
    assert tasks.rollups_refresh_task.delay().get()["rebuilt"] is True
    assert tasks.rollups_rebuild_task.delay().get()["rows"] > 0
    assert tasks.rollups_refresh_task.name == "feedback.rollups_refresh"
    assert tasks.rollups_rebuild_task.name == "feedback.rollups_rebuild"


@pytest.mark.parametrize("reread", [2, 1000])
def test_rows_bulk_loaded_with_times_of_their_own_hold_the_floor_back_only_so_far(
    world, clock, monkeypatch, reread
):
    """seed_demo writes events dated later in the day: the floor looks back at most
    MAX_REREAD ids for rows of the last minutes (with more, the control, they pin it)."""
    monkeypatch.setattr(services, "MAX_REREAD", reread)
    cadre = world.users[Role.GRASSROOTS_CADRE]
    clock.set(dt.date(2026, 1, 5), hour=10)
    rollups_refresh()
    entry = make_entry(cadre, recorded_on=dt.date(2026, 1, 5))
    EntryEvent.objects.filter(entry=entry).update(at=clock.now + dt.timedelta(hours=8))
    pinned = entry.events.get().pk - 1
    for _ in range(3):
        make_entry(cadre, recorded_on=dt.date(2026, 1, 5))
    clock.set(dt.date(2026, 1, 5), hour=11)
    rollups_refresh()
    last = EntryEvent.objects.aggregate(last=Max("pk"))["last"]
    assert RollupState.objects.get().event_floor == (last if reread < 4 else pinned)


def test_a_large_backlog_is_rebuilt(world, clock, monkeypatch):
    monkeypatch.setattr(services, "REBUILD_BACKLOG", 2)
    cadre = world.users[Role.GRASSROOTS_CADRE]
    clock.set(dt.date(2026, 1, 5))
    rollups_refresh()
    make_entry(cadre, recorded_on=dt.date(2026, 1, 5))
    assert rollups_refresh()["rebuilt"] is False
    for _ in range(3):
        make_entry(cadre, recorded_on=dt.date(2026, 1, 5))
    clock.set(dt.date(2026, 1, 6))
    assert rollups_refresh()["rebuilt"] is True
    assert EntryMonthly.objects.get(node=world.company).recorded == 4


def _late_event(entry_event: EntryEvent, pk: int, at: dt.datetime) -> EntryEvent:
    """A copy of an event under an id of our choosing: a row whose id was handed out before
    the last refresh read, committed after it."""
    return EntryEvent.objects.create(
        pk=pk,
        entry_id=entry_event.entry_id,
        kind=entry_event.kind,
        actor_id=entry_event.actor_id,
        at=at,
        note="late",
        before={},
        after={},
    )


def test_a_quiet_refresh_reads_no_event_and_no_visit(world, clock, django_assert_num_queries):
    """With nothing written since the last run, the refresh locks its state, counts the ids
    above each floor (no row read) and writes the time: no event and no visit is read."""
    clock.set(dt.date(2026, 1, 5), hour=10)
    rollups_refresh()
    make_entry(world.users[Role.GRASSROOTS_CADRE], recorded_on=dt.date(2026, 1, 5))
    clock.set(dt.date(2026, 1, 5), hour=10, minute=2)
    assert rollups_refresh()["events"] > 0
    clock.set(dt.date(2026, 1, 5), hour=10, minute=4)  # the events still in the overlap
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = rollups_refresh()
    assert (result["events"], result["visits"]) == (0, 0)
    sql = [query["sql"] for query in ctx.captured_queries]
    reading = [
        q for q in sql if ('"liaison_entryevent"' in q or '"liaison_visit"' in q) and "SELECT" in q
    ]
    # The backlog's capped count; each table's largest id and, for the events (there are no
    # visits above the floor), the count of its ids between the floor and the last row read
    # (index-only: no row is read).
    assert len(reading) == 4, reading
    assert all("MAX(" in q or "COUNT(" in q for q in reading), reading
    assert not [q for q in sql if '"feedback_entrymonthly' in q]  # no cell recomputed
    with django_assert_num_queries(len(sql)):
        rollups_refresh()
    assert len(sql) == 9  # and savepoints, the lock (get_or_create, for update), the save


def test_a_late_commit_below_the_last_read_is_read_the_next_time(world, clock):
    """An id handed out before the last run read the rows above it, committed after it: the
    count between the floor and the last row read grows, and the next run reads that window
    again (without it, the late row would wait for the nightly rebuild)."""
    cadre = world.users[Role.GRASSROOTS_CADRE]
    clock.set(dt.date(2026, 1, 5), hour=10)
    rollups_refresh()
    make_entry(cadre, recorded_on=dt.date(2026, 1, 5))
    first = EntryEvent.objects.order_by("pk").last()
    gap = first.pk + 10
    _late_event(first, gap, clock.now)  # the newest id; the nine below it not yet visible
    clock.set(dt.date(2026, 1, 5), hour=10, minute=2)
    rollups_refresh()
    assert RollupState.objects.get().event_last == gap
    assert rollups_refresh()["events"] == 0
    late = _late_event(first, gap - 5, clock.now)  # commits now
    read = rollups_refresh()["events"]  # the span of ids read
    state = RollupState.objects.get()
    assert state.event_floor < late.pk and read == gap - state.event_floor
    assert rollups_refresh()["events"] == 0  # and counted now


def test_a_row_committed_while_a_run_reads_is_read_by_it_or_the_next(world, clock, monkeypatch):
    """A row below the last one read that commits during a run, after the run has looked at
    what lies below: counted into the new watermark, so it must be read by this run (the run
    checks the old count after taking the new one), never counted unread."""
    cadre = world.users[Role.GRASSROOTS_CADRE]
    clock.set(dt.date(2026, 1, 5), hour=10)
    rollups_refresh()
    make_entry(cadre, recorded_on=dt.date(2026, 1, 5))
    first = EntryEvent.objects.order_by("pk").last()
    gap = first.pk + 10
    _late_event(first, gap, clock.now)
    clock.set(dt.date(2026, 1, 5), hour=10, minute=2)
    rollups_refresh()
    make_entry(cadre, recorded_on=dt.date(2026, 1, 5))  # something new: the run reads
    original = services._floor
    late: list[EntryEvent] = []

    def floor_while_a_late_row_commits(*args, **kwargs):
        if not late and args[0] is EntryEvent:
            late.append(_late_event(first, gap - 5, clock.now))
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "_floor", floor_while_a_late_row_commits)
    read = rollups_refresh()["events"]
    state = RollupState.objects.get()
    newest = EntryEvent.objects.aggregate(last=Max("pk"))["last"]
    assert late and read == newest - state.event_floor  # the whole window, the late row in it
    assert state.event_floor < late[0].pk
    monkeypatch.setattr(services, "_floor", original)
    assert rollups_refresh()["events"] == 0
