"""Closed months (R24 月结): a closed month's roll-up rows are a snapshot the jobs never change;
what is recorded later about it is a late adjustment counted in the month it was entered."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from feedback.constants import RatingChannel, Satisfaction
from feedback.models import (
    EntryAdjustment,
    EntryMonthlyLevel,
    MonthClose,
    ReferralMonthly,
    VisitAdjustment,
    VisitMonthly,
)
from feedback.services import frozen
from feedback.services.closing import close_day, month_reopen, months_close, months_close_due
from feedback.services.ratings import rating_record
from feedback.services.rollup_cells import Scope, entry_cells, visit_cells
from feedback.services.rollups import rollups_rebuild, rollups_refresh
from liaison.constants import Colour, EntryKind, PlaceType, Role
from liaison.models import AuditEvent, Channel, Entry, OrgNode, ServiceItem
from liaison.services.calendar import calendar_day_set
from liaison.services.visits import visit_log
from liaison.services.workflow import Action as A
from tests.fixtures.factories import make_entry
from tests.fixtures.rollups import Clock, build_ledger, rollups_snapshot
from tests.fixtures.walks import act

MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def closed_rows(through: dt.date) -> dict:
    """Every roll-up row of the months up to `through`, referrals included."""
    rows = {key: row for key, row in rollups_snapshot().items() if key[2] <= through}
    for row in ReferralMonthly.objects.filter(month__lte=through).values():
        row.pop("id")
        rows[("ReferralMonthly", row.pop("department_id"), row.pop("month"))] = row
    return rows


def adjustments_snapshot() -> dict:
    rows = {}
    for model in (EntryAdjustment, VisitAdjustment):
        for row in model.objects.values():
            row.pop("id")
            counts = row.pop("counts")
            rows[(model.__name__, *sorted(row.items()))] = counts
    return rows


def assert_the_rule_holds() -> None:
    """frozen(M) − booked into M + out of M = computed(M), for every closed month, and an
    open month's own rows = computed + booked into it (feedback.services.frozen)."""
    through = frozen.closed_through()
    for spec, computed in (
        (frozen.OWN, entry_cells(Scope())),
        (
            frozen.VISITS,
            visit_cells(
                tree=dict(OrgNode.objects.values_list("path", "pk")), nodes=None, start=None
            ),
        ),
    ):
        stored = frozen._stored(spec, frozen.Q(), None)
        into = frozen.adjustments(spec, "booked_month", frozen.Q(), None)
        out = frozen.adjustments(spec, "source_month", frozen.Q(), None)
        expected: dict = {}
        frozen._add(expected, stored)
        frozen._add(expected, into, -1)
        frozen._add(expected, {k: v for k, v in out.items() if frozen.is_closed(k[1], through)})
        clean = {k: +Counter({n: v for n, v in c.items() if v}) for k, c in expected.items()}
        clean = {k: c for k, c in clean.items() if c}
        wanted = {k: Counter({n: v for n, v in c.items() if v}) for k, c in computed.items()}
        wanted = {k: c for k, c in wanted.items() if c}
        assert clean == wanted, spec.rollup.__name__


def test_a_closed_month_does_not_move_and_the_late_records_count_in_the_current_month(world, clock):
    """The issue's test: close March, then a back-dated visit (with an entry heard there), a
    late rating and a calendar change touching March, the refresh and the rebuild: March's
    figures are unchanged, April counts the adjustment."""
    ledger = build_ledger(world, clock)
    rollups_rebuild()
    party_building = world.users[Role.PARTY_BUILDING]
    months_close(month=MARCH, actor=party_building)
    assert frozen.closed_through() == MARCH
    assert MonthClose.objects.count() == 1  # March, and every month before it
    before = closed_rows(MARCH)
    april_before = EntryMonthlyLevel.objects.filter(node=world.company, month=APRIL)
    april_recorded = sum(april_before.values_list("recorded", flat=True))
    april_rated = sum(april_before.values_list("rated", flat=True))
    april_visits = sum(
        VisitMonthly.objects.filter(node=world.company, month=APRIL).values_list(
            "visits", flat=True
        )
    )

    clock.set(dt.date(2026, 4, 15))
    # A back-dated visit to March, with a problem heard there (recorded on the visit's day).
    visit_log(
        actor=world.users[Role.GRASSROOTS_CADRE],
        org=world.branch_a,
        visited_on=dt.date(2026, 3, 20),
        place_type=PlaceType.OTHER,
        place="城南菜场",
        entries=[
            {
                "channel": Channel.objects.order_by("pk").first(),
                "item": ServiceItem.objects.order_by("pk").first(),
                "title": "补记的问题",
                "kind": EntryKind.PROBLEM,
                "colour": Colour.RED,
                "informant": world.special_a,
            }
        ],
    )
    # A late rating of an entry recorded in March (E11: due Mar 31, moved to Apr 1 by the
    # calendar; answered in April): it counts in April, the month it is entered.
    e11 = ledger.get("E11")
    rating_record(
        entry=e11,
        value=Satisfaction.SATISFIED,
        comment="",
        channel=RatingChannel.RETURN_VISIT,
        actor=party_building,
        expected_version=e11.version,
    )
    # A calendar change touching March: Mar 30 off moves E6's deadline (Mar 30) to Mar 31, and
    # Mar 31 off moves it to April.
    calendar_day_set(actor=party_building, date=dt.date(2026, 3, 30), is_working=False)
    calendar_day_set(actor=party_building, date=dt.date(2026, 3, 31), is_working=False)
    assert Entry.objects.get(pk=ledger.entries["E6"].pk).due_on >= APRIL

    rollups_refresh()
    assert closed_rows(MARCH) == before  # the refresh left March alone …
    refreshed, adjusted = rollups_snapshot(), adjustments_snapshot()
    rollups_rebuild()
    assert closed_rows(MARCH) == before  # … and so did the rebuild
    assert rollups_snapshot() == refreshed  # the refresh equals a rebuild, closed months too
    assert adjustments_snapshot() == adjusted
    assert_the_rule_holds()

    # The adjustment: out of March, booked into April, with its counts.
    late = Counter()
    for row in EntryAdjustment.objects.all():
        assert (row.source_month, row.booked_month) == (MARCH, APRIL)
        late.update(row.counts)
    assert late["recorded"] == 1
    late_entry = Entry.objects.get(title="补记的问题")
    assert late_entry.recorded_on == dt.date(2026, 3, 20) and late_entry.due_on >= APRIL
    assert late["due"] == -1  # E6's deadline left March (the late entry's is in April)
    visit = VisitAdjustment.objects.get(node=world.company)
    assert (visit.source_month, visit.booked_month) == (MARCH, APRIL)
    assert visit.counts == {"visits": 1, "newly_covered": 1}
    april = EntryMonthlyLevel.objects.filter(node=world.company, month=APRIL)
    assert sum(april.values_list("recorded", flat=True)) == april_recorded + 1
    assert sum(april.values_list("rated", flat=True)) == april_rated + 1  # the late rating
    april_visit_rows = VisitMonthly.objects.filter(node=world.company, month=APRIL)
    assert sum(april_visit_rows.values_list("visits", flat=True)) == april_visits + 1


def test_a_late_void_takes_away_in_the_current_month(world, clock):
    clock.set(dt.date(2026, 1, 5))
    cadre = world.users[Role.GRASSROOTS_CADRE]
    entry = make_entry(cadre, org=world.branch_a, recorded_on=dt.date(2026, 1, 5))
    rollups_rebuild()
    clock.set(dt.date(2026, 2, 10))
    months_close(month=dt.date(2026, 1, 1), actor=None)
    act(world, Entry.objects.get(pk=entry.pk), A.VOID, world.users[Role.PARTY_BUILDING])
    rollups_refresh()
    february = EntryMonthlyLevel.objects.get(node=world.company, month=dt.date(2026, 2, 1))
    assert february.recorded == -1  # the late adjustment: one entry fewer
    january = EntryMonthlyLevel.objects.get(node=world.company, month=dt.date(2026, 1, 1))
    assert january.recorded == 1  # the snapshot
    refreshed = rollups_snapshot()
    rollups_rebuild()
    assert rollups_snapshot() == refreshed
    assert_the_rule_holds()


def test_months_close_in_order_and_only_once_ended(world, clock):
    clock.set(dt.date(2026, 4, 10))
    user = world.users[Role.PARTY_BUILDING]
    with pytest.raises(ValidationError):
        months_close(month=APRIL, actor=user)  # not ended
    months_close(month=dt.date(2026, 1, 1), actor=user)
    assert list(MonthClose.objects.values_list("month", flat=True)) == [dt.date(2026, 1, 1)]
    with pytest.raises(ValidationError):
        months_close(month=dt.date(2026, 1, 1), actor=user)  # closed already
    rows = months_close(month=MARCH, actor=user)  # closes February and March
    assert [row.month for row in rows] == [dt.date(2026, 2, 1), MARCH]
    assert frozen.closed_through() == MARCH
    assert frozen.is_closed(dt.date(2019, 6, 1), MARCH)  # before the ledger began too
    event = AuditEvent.objects.filter(object_type="feedback.monthclose").latest("pk")
    assert event.actor == user and event.data["months"] == ["2026-02", "2026-03"]


def test_reopening_the_latest_month_needs_a_reason_is_audited_and_recounts(world, clock):
    clock.set(dt.date(2026, 3, 5))
    cadre, user = world.users[Role.GRASSROOTS_CADRE], world.users[Role.PARTY_BUILDING]
    make_entry(cadre, org=world.branch_a, recorded_on=dt.date(2026, 2, 5))
    rollups_rebuild()
    months_close(month=dt.date(2026, 1, 1), actor=user)
    months_close(month=dt.date(2026, 2, 1), actor=user)
    make_entry(cadre, org=world.branch_a, recorded_on=dt.date(2026, 2, 6))  # back-dated
    rollups_refresh()
    assert EntryAdjustment.objects.filter(source_month=dt.date(2026, 2, 1)).exists()
    with pytest.raises(ValidationError):
        month_reopen(actor=user, reason="  ")
    reopened = month_reopen(actor=user, reason="补录二月台账")
    assert reopened.month == dt.date(2026, 2, 1) and reopened.reopen_reason == "补录二月台账"
    assert frozen.closed_through() == dt.date(2026, 1, 1)
    assert not EntryAdjustment.objects.exists()

    def recorded(month):
        return EntryMonthlyLevel.objects.filter(node=world.company, month=month).values_list(
            "recorded", flat=True
        )

    assert sum(recorded(dt.date(2026, 2, 1))) == 2  # February counts both again
    assert sum(recorded(dt.date(2026, 3, 1))) == 0  # March lost the adjustment
    event = AuditEvent.objects.filter(object_type="feedback.monthclose").latest("pk")
    assert event.actor == user and event.data["reason"] == "补录二月台账"
    assert_the_rule_holds()


def test_the_first_closing_reopened_opens_every_month(world, clock):
    clock.set(dt.date(2026, 3, 5))
    user = world.users[Role.PARTY_BUILDING]
    months_close(month=dt.date(2026, 2, 1), actor=user)
    month_reopen(actor=user, reason="关错了")
    assert frozen.closed_through() is None
    with pytest.raises(ValidationError):
        month_reopen(actor=user, reason="再来")  # nothing is closed


@pytest.mark.parametrize(
    ("today", "closes"),
    [
        # 1–5 May are the Labour Day holiday, Saturday 9 May a make-up working day: the
        # working days after April are 6, 7, 8, 9 and 11 May.
        (dt.date(2026, 5, 9), False),
        (dt.date(2026, 5, 11), True),
        (dt.date(2026, 5, 20), True),
    ],
)
def test_the_beat_closes_last_month_on_its_fifth_working_day(world, clock, today, closes):
    assert close_day(APRIL, 5) == dt.date(2026, 5, 11)
    clock.set(today)
    closed = months_close_due(today)
    assert bool(closed) is closes
    assert (frozen.closed_through() == APRIL) is closes
    assert months_close_due(today) == []  # twice: nothing more


def test_the_beat_does_nothing_when_disabled(world, clock, settings):
    settings.MONTH_CLOSE_WORKING_DAY = 0
    clock.set(dt.date(2026, 5, 20))
    assert months_close_due(timezone.localdate()) == []
    assert frozen.closed_through() is None


def test_the_task_runs_the_job(world, clock):
    from feedback import tasks

    clock.set(dt.date(2026, 5, 20))
    assert tasks.months_close_due_task.apply().get() == ["2026-04"]


def test_with_months_closed_along_the_story_the_refresh_equals_a_rebuild(world, clock):
    """The roll-up story, closing each month on the 5th of the next: after every step the
    refresh equals a rebuild, the closed months' rows never move, and the rule holds (the
    sweep flagging E14, due in closed February, books a late adjustment into March)."""
    snapshots: dict[dt.date, dict] = {}
    steps = []

    def step():
        today = timezone.localdate()
        last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        through = frozen.closed_through()
        if today.day >= 5 and (through is None or through < last) and last.year == 2026:
            months_close(month=last, actor=None)
            snapshots[last] = closed_rows(last)
        rollups_refresh()
        refreshed, adjusted = rollups_snapshot(), adjustments_snapshot()
        rollups_rebuild()
        assert rollups_snapshot() == refreshed, f"step {len(steps)}"
        assert adjustments_snapshot() == adjusted, f"step {len(steps)}"
        for month, rows in snapshots.items():
            assert closed_rows(month) == rows, f"step {len(steps)}: {month} moved"
        steps.append(today)

    build_ledger(world, clock, after_step=step)
    assert sorted(snapshots) == [dt.date(2026, 1, 1), dt.date(2026, 2, 1), MARCH]
    assert_the_rule_holds()
    booked = EntryAdjustment.objects.filter(source_month=dt.date(2026, 2, 1))
    assert booked.exists()  # E14 flagged overdue in March: its February deadline moved on
    assert len(steps) > 60


def test_a_visit_back_dated_before_the_ledger_began_is_late_too(world, clock):
    """The first closing (January) closes every month before it, with no row of their own;
    a visit back-dated into December (as far back as a visit may be logged) is late."""
    clock.set(dt.date(2026, 3, 5))
    months_close(month=dt.date(2026, 1, 1), actor=None)
    visit_log(
        actor=world.users[Role.GRASSROOTS_CADRE],
        org=world.branch_a,
        visited_on=dt.date(2025, 12, 10),
        place_type=PlaceType.OTHER,
        place="老台账",
    )
    rollups_refresh()
    assert not VisitMonthly.objects.filter(month__lt=dt.date(2026, 1, 1)).exists()
    late = VisitAdjustment.objects.get(node=world.company)
    assert (late.source_month, late.booked_month) == (dt.date(2025, 12, 1), MARCH)
    march = VisitMonthly.objects.get(node=world.company, month=MARCH)
    assert (march.visits, march.newly_covered) == (1, 1)
    refreshed = rollups_snapshot()
    rollups_rebuild()
    assert rollups_snapshot() == refreshed
    assert_the_rule_holds()
