"""The dashboards' figures (feedback.selectors.figures, .rankings) for the hand-built ledger of
tests/fixtures/rollups.py, worked out by hand for a branch, a committee and the
company, for the first quarter of 2026; and what the selectors may read.

The rounds in the quarter (a reopened entry has one per deadline; E7 is void and counts nowhere):

    ledger  round   due     reply            rating (month)   result
    BA  E1          Jan 12  Jan 8 on time    非常满意 (Jan)    Jan 6
    BA  E2          Feb 3   Feb 10 late      满意 (Feb)        Jan 30
    BA  E3 r1       Feb 9   Feb 5 on time    不满意 (Feb)      Feb 3
    BA  E3 r2       Feb 13  Mar 2 late       基本满意 (Mar)    Feb 26
    BA  E6          Mar 30  — overdue                          —
    BA  E12         Feb 9   Feb 4 on time    非常满意 (Feb)    Feb 4
    GA  E8          Mar 2   Feb 27 on time   非常满意 (Mar)    Feb 25
    GA  E9          Mar 31  Mar 25 on time   (满意 in April)   Mar 20
    BO  E10 r1      Feb 5   Jan 28 on time   不满意 (Jan)      Jan 9
    BO  E10 r2      Mar 4   Mar 3 on time    不满意 (Mar)      Mar 2
    BO  E11         (Apr 1) (Apr 1)                            Mar 31
    BB  E13 r1      Mar 10  Mar 12 late      不满意 (Mar)      Mar 11
    BB  E13 r2      Mar 20  Mar 17 on time   满意 (Mar)        Mar 16
    BB  E14         Feb 27  — overdue                          —
    (E5 and E10 r3 fall due in April.)
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from feedback.periods import Period, PeriodError
from feedback.permissions import dashboard_node_for
from feedback.selectors.figures import (
    Counts,
    by_colour_and_kind,
    figures,
    monthly_trend,
    provisional_years,
    report,
    trend_figures,
    visit_coverage,
)
from feedback.selectors.rankings import branch_ranking, by_unit, units_and_branches
from feedback.services.rollups import rollups_rebuild, rollups_refresh
from liaison.constants import Level, PairingKind, PlaceType, Role
from liaison.models import CalendarYear, OrgNode
from tests.fixtures.factories import build_world
from tests.fixtures.figures import dashboard
from tests.fixtures.rollups import Clock, build_ledger

Q1 = Period.quarter(2026, 1)


@pytest.fixture(scope="module")
def story(django_db_setup, django_db_blocker):
    """The ledger, built once for the module (each step followed by the refresh), rolled back
    at the end."""
    with (
        django_db_blocker.unblock(),
        pytest.MonkeyPatch.context() as patch,
        transaction.atomic(),
    ):
        world = build_world()
        build_ledger(world, Clock(patch), after_step=rollups_refresh)
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(story, db):
    return story


def level_rows(result) -> dict:
    return {
        level.level: (level.rated, level.satisfied, level.satisfaction_rate)
        for level in result.levels
    }


def test_the_branch_and_its_group(world):
    """BA's subtree: BA's own ledger and its group GA."""
    totals = figures(node=world.branch_a, period=Q1).totals
    assert totals.recorded == 9  # BA: E1 E2 E3 E4 E5 E6 E12 (not E7: void) + GA: E8 E9
    assert totals.due == 8  # E1, E2, E3 ×2, E6, E12 + E8, E9 (E5 falls due in April)
    assert totals.replied_on_time == 5  # E1, E3 (first round), E12, E8, E9
    assert totals.replied_late == 2  # E2, E3 (second round)
    assert totals.awaiting == 1 and totals.open_overdue == 1  # E6
    assert totals.on_time_rate == 5 / 8  # 5 ÷ (5 + 2 + 1)
    assert totals.replied == 7  # E1, E2, E3 ×2, E12, E8, E9
    assert totals.resolved == 7  # E1, E2, E3 ×2, E12, E8, E9
    assert totals.matters_resolved == 6  # E3 once: its first result (Feb 3)
    assert (totals.problems_resolved, totals.rehandled) == (4, 1)  # E1 E3 E12 E8; E3's second
    assert totals.reopened == 1 and totals.reopen_rate == 1 / 7  # E3 (Feb 6) ÷ 7 replies
    assert totals.rated == 6  # E1 非常满意, E2 满意, E3 不满意 + 基本满意, E12 + E8 非常满意
    assert totals.ratings == {
        "very_satisfied": 3,
        "satisfied": 1,
        "basically_satisfied": 1,
        "unsatisfied": 1,
    }
    assert totals.satisfied == 5 and totals.satisfaction_rate == 5 / 6
    assert (totals.suggestions, totals.duplicate_suggestions) == (3, 1)  # E2 E5 E9; E5
    assert totals.repeat_rate == 1 / 3
    assert level_rows(figures(node=world.branch_a, period=Q1)) == {
        Level.LEADERSHIP: (1, 1, 1.0),  # E12
        Level.OFFICE_BRANCH: (0, 0, None),
        Level.GRASSROOTS_BRANCH: (4, 3, 3 / 4),  # E1, E2, E3 ×2
        Level.PARTY_MEMBER: (1, 1, 1.0),  # E8
    }


def test_the_committee(world):
    """KA: BA's subtree and the office branch BO."""
    result = figures(node=world.committee_a, period=Q1)
    totals = result.totals
    assert totals.recorded == 11  # 9 + E10, E11
    assert totals.due == 10  # 8 + E10 ×2 (E11 moved to April 1 by the calendar)
    assert (totals.replied_on_time, totals.replied_late, totals.open_overdue) == (7, 2, 1)
    assert totals.on_time_rate == 7 / 10  # 7 ÷ (7 + 2 + 1)
    assert totals.replied == 9  # 7 + E10 ×2 (E11 replied in April)
    assert totals.resolved == 10  # 7 + E10 ×2 + E11 (resolved March 31)
    assert (totals.matters_resolved, totals.problems_resolved) == (8, 6)  # + E10, E11
    assert (totals.rehandled, totals.reopened) == (2, 3)  # + E10 r2; + E10 Jan 29, Mar 9
    assert totals.rated == 8  # 6 + E10 不满意 ×2
    assert totals.satisfied == 5 and totals.satisfaction_rate == 5 / 8
    assert totals.repeat_rate == 1 / 3  # BO recorded no suggestion
    assert level_rows(result) == {
        Level.LEADERSHIP: (1, 1, 1.0),
        Level.OFFICE_BRANCH: (2, 0, 0.0),  # E10 twice unsatisfied
        Level.GRASSROOTS_BRANCH: (4, 3, 3 / 4),
        Level.PARTY_MEMBER: (1, 1, 1.0),
    }


def test_the_company(world):
    """C: both committees; KB holds BB with E13 and E14."""
    result = figures(node=world.company, period=Q1)
    totals = result.totals
    assert totals.recorded == 13  # 11 + E13, E14
    assert totals.due == 13  # 10 + E13 ×2 + E14
    assert (totals.replied_on_time, totals.replied_late) == (8, 3)  # + E13 r2; + E13 r1
    assert (totals.awaiting, totals.open_overdue) == (2, 2)  # E6, E14
    assert totals.on_time_rate == 8 / 13  # 8 ÷ (8 + 3 + 2)
    assert totals.replied == 11 and totals.resolved == 12  # + E13 ×2 each
    assert (totals.matters_resolved, totals.problems_resolved) == (9, 6)  # + E13 (a suggestion)
    assert (totals.rehandled, totals.reopened) == (3, 4)  # + E13 r2; + E13 (Mar 13)
    assert totals.reopen_rate == 4 / 11
    assert totals.rated == 10  # 8 + E13 不满意, 满意
    assert totals.ratings == {
        "very_satisfied": 3,
        "satisfied": 2,
        "basically_satisfied": 1,
        "unsatisfied": 4,
    }
    assert totals.satisfied == 6 and totals.satisfaction_rate == 6 / 10
    assert (totals.suggestions, totals.duplicate_suggestions) == (4, 1)  # + E13
    assert totals.repeat_rate == 1 / 4
    assert level_rows(result) == {
        Level.LEADERSHIP: (1, 1, 1.0),
        Level.OFFICE_BRANCH: (2, 0, 0.0),
        Level.GRASSROOTS_BRANCH: (6, 4, 4 / 6),  # E1, E2, E3 ×2, E13 ×2
        Level.PARTY_MEMBER: (1, 1, 1.0),
    }


def test_a_rebuild_gives_the_same_figures(world):
    before = [figures(node=node, period=Q1) for node in (world.branch_a, world.company)]
    rollups_rebuild()
    after = [figures(node=node, period=Q1) for node in (world.branch_a, world.company)]
    assert [f.totals for f in after] == [f.totals for f in before]


def test_basically_satisfied_may_count_as_unsatisfied(world, settings):
    settings.SATISFACTION_COUNTS_BASIC = False
    totals = figures(node=world.company, period=Q1).totals
    assert totals.satisfied == 5 and totals.satisfaction_rate == 0.5  # E3's 基本满意 leaves


def test_one_month_and_the_month_after(world):
    march = figures(node=world.company, period=Period.month(2026, 3)).totals
    # Due in March: E6, E8, E9, E10 r2, E13 ×2 = 6; E11 moved to April.
    assert (march.due, march.replied_on_time, march.replied_late, march.open_overdue) == (
        6,
        4,  # E8, E9, E10 r2, E13 r2
        1,  # E13 r1
        1,  # E6
    )
    april = figures(node=world.company, period=Period.month(2026, 4)).totals
    # Due in April: E5 (Apr 9, overdue), E10 r3 (Apr 8, overdue), E11 (Apr 1, replied on time).
    assert (april.due, april.replied_on_time, april.awaiting, april.open_overdue) == (3, 1, 2, 2)
    assert (april.rated, april.replied, april.recorded) == (1, 1, 0)  # E9 满意; E11


def test_by_colour_and_kind(world):
    cells = by_colour_and_kind(node=world.company, period=Q1)
    assert [(c.colour, c.kind, c.counts.recorded, c.counts.due) for c in cells] == [
        ("", "basic", 1, 0),  # E4
        ("red", "suggestion", 1, 2),  # E13, two rounds
        ("red", "problem", 6, 6),  # E1 E3 E6 E8 E11 E12; due: E1, E3 ×2, E6, E8, E12
        ("orange", "suggestion", 2, 1),  # E2, E5 (due in April)
        ("orange", "problem", 1, 2),  # E10: two rounds due in the quarter
        ("yellow", "suggestion", 1, 1),  # E9
        ("yellow", "problem", 1, 1),  # E14
    ]


def test_visits_by_place_type(world):
    def coverage(node, period=Q1):
        return {
            row.place_type: (row.visits, row.newly_covered, row.covered)
            for row in visit_coverage(node=node, period=period)
            if row.visits or row.covered
        }

    # BA: V1 team (溪河变电站); V2, V7 village X (first visited by BA in March); V3 employee.
    assert coverage(world.branch_a) == {
        PlaceType.TEAM: (1, 1, 1),
        PlaceType.VILLAGE: (2, 1, 1),
        PlaceType.EMPLOYEE: (1, 1, 1),
    }
    # KA adds V4, an enterprise.
    assert coverage(world.committee_a)[PlaceType.ENTERPRISE] == (1, 1, 1)
    # The company: village X three times (V8 in BB in January, V2 and V7), once covered.
    assert coverage(world.company) == {
        PlaceType.TOWN: (1, 1, 1),
        PlaceType.VILLAGE: (3, 1, 1),
        PlaceType.ENTERPRISE: (1, 1, 1),
        PlaceType.TEAM: (1, 1, 1),
        PlaceType.EMPLOYEE: (1, 1, 1),
        PlaceType.OTHER: (1, 1, 1),
    }
    # In March the company covered nobody new in villages: village X was first seen in January.
    assert coverage(world.company, Period.month(2026, 3))[PlaceType.VILLAGE] == (2, 0, 1)
    # April: V9 revisits the team; covered to date still one team.
    assert coverage(world.company, Period.month(2026, 4))[PlaceType.TEAM] == (1, 0, 1)


def test_the_report_adds_pairings_and_the_calendar_warning(world):
    def pairings(node, period=Q1):
        stats = report(node=node, period=period).pairings
        return {s.kind: (s.pairings, s.subjects, s.targets) for s in stats if s.pairings}

    # On March 31: member_a ↔ team_a (in BA), BO ↔ BA (joint); BB's member_served ended Feb 28.
    assert pairings(world.branch_a) == {
        PairingKind.CADRE_TEAM: (1, 1, 1),
        PairingKind.BRANCH_JOINT: (1, 1, 1),
    }
    assert pairings(world.company) == pairings(world.branch_a)
    assert pairings(world.branch_b) == {}
    assert pairings(world.branch_b, Period.month(2026, 1)) == {PairingKind.MEMBER_SERVED: (1, 1, 1)}
    result = report(node=world.company, period=Q1)
    assert result.pairings_on == dt.date(2026, 3, 31)
    assert result.provisional_years == [] and result.as_of is not None


def test_a_provisional_year_is_named_until_entered(db):
    period = Period(dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    assert provisional_years(period=period) == [2027]  # chinese-calendar covers up to 2026
    CalendarYear.objects.create(year=2027)
    assert provisional_years(period=period) == []


def test_the_monthly_trend_and_its_change(world):
    trend = monthly_trend(node=world.company, period=Q1)
    assert [month.month for month in trend] == Q1.months
    # January: E1 非常满意, E10 不满意 → 1/2; February: E2 满意, E3 不满意, E12 非常满意 → 2/3;
    # March: E3 基本满意, E8 非常满意, E10 不满意, E13 不满意, 满意 → 3/5.
    rates = [month.counts.satisfaction_rate for month in trend]
    assert rates == [1 / 2, 2 / 3, 3 / 5]
    changes = [month.satisfaction_change for month in trend]
    assert changes[0] is None  # nothing rated in December
    assert changes[1] == pytest.approx(2 / 3 - 1 / 2)
    assert changes[2] == pytest.approx(3 / 5 - 2 / 3)
    assert trend[1].satisfaction_change_relative == pytest.approx((2 / 3) / (1 / 2) - 1)
    assert trend[2].levels[Level.OFFICE_BRANCH].rated == 1  # E10's second 不满意


@pytest.mark.parametrize(
    "period", [Q1, Period.year(2026), Period.month(2026, 2), Period.parse("2025-11..2026-02")]
)
def test_the_figures_added_up_from_the_trend_are_the_figures_read(world, period):
    """The dashboard adds its head's figures up from the monthly trend it reads anyway."""
    for node in (world.company, world.committee_a, world.branch_a, world.office_branch):
        trend = monthly_trend(node=node, period=period)
        from_trend = trend_figures(node=node, period=period, trend=trend)
        assert from_trend == figures(node=node, period=period)
        assert report(node=node, period=period, trend=trend) == report(node=node, period=period)


def test_units_and_branches_read_together_are_the_same(world, settings):
    """The dashboard reads a node's children and branches in one query: the same rows."""
    settings.RANKING_MIN_RATINGS = 1
    for node in (world.company, world.committee_a, world.branch_a, world.group_a):
        together = units_and_branches(node=node, period=Q1)
        assert together == (by_unit(node=node, period=Q1), branch_ranking(node=node, period=Q1))
    # a group: its own ledger only, no branch
    assert [row.own for row in together[0].rows] == [True] and together[1].rows == []
    company = units_and_branches(node=world.company, period=Q1)
    assert company[0].rows and [row.rank for row in company[1].ranking] == [1, 2, 3]


def test_by_unit_and_the_ranking(world, settings):
    result = by_unit(node=world.company, period=Q1)
    rows = {row.node.code: row for row in result.rows}
    assert set(rows) == {"KA", "KB"}  # the company's own ledger is empty
    assert (rows["KA"].counts.rated, rows["KA"].counts.satisfied) == (8, 5)
    assert (rows["KB"].counts.rated, rows["KB"].counts.satisfied) == (2, 1)
    # Awaiting now, whatever the due date: KA: E5, E6, E10 (round 3), all overdue; KB: E14.
    assert (rows["KA"].awaiting_now, rows["KA"].overdue_now) == (3, 3)
    assert (rows["KB"].awaiting_now, rows["KB"].overdue_now) == (1, 1)
    # R8: ranked only with at least RANKING_MIN_RATINGS (5) ratings: KB has two.
    assert [(row.node.code, row.rank) for row in result.ranking] == [("KA", 1)]
    assert rows["KB"].rank is None
    settings.RANKING_MIN_RATINGS = 2
    ranking = by_unit(node=world.company, period=Q1).ranking
    assert [(row.node.code, row.rank) for row in ranking] == [("KA", 1), ("KB", 2)]  # 5/8, 1/2


def test_by_unit_shows_a_branch_s_own_ledger_beside_its_group(world):
    result = by_unit(node=world.branch_a, period=Q1)
    rows = [(row.node.code, row.own, row.counts.rated, row.counts.recorded) for row in result.rows]
    assert rows == [("GA", False, 1, 2), ("BA", True, 5, 7)]


def test_the_branches_ranked(world, settings):
    settings.RANKING_MIN_RATINGS = 2
    result = branch_ranking(node=world.company, period=Q1)
    # BA 5/6, BB 1/2, BO 0/2.
    assert [(row.node.code, row.rank) for row in result.ranking] == [
        ("BA", 1),
        ("BB", 2),
        ("BO", 3),
    ]


def test_equal_rates_share_a_rank(world, settings):
    settings.RANKING_MIN_RATINGS = 1
    settings.SATISFACTION_COUNTS_BASIC = True
    result = by_unit(node=world.committee_a, period=Q1)
    # BA 5/6, BO 0/2: no tie; the group GA alone under BA: 1/1.
    assert [(row.node.code, row.rank) for row in result.ranking] == [("BA", 1), ("BO", 2)]
    tie = by_unit(node=world.branch_a, period=Period.month(2026, 1))
    assert [(row.node.code, row.rank) for row in tie.ranking] == []  # GA rated nothing in Jan


# -- What the dashboards read ------------------------------------------------------------------

ENTRY_TABLES = ('"liaison_entry"', '"liaison_entryevent"', '"feedback_rating"', '"liaison_visit"')


def test_the_dashboard_never_reads_the_entries(world):
    with CaptureQueriesContext(connection) as queries:
        dashboard(world.users[Role.PARTY_BUILDING])
    sql = "\n".join(query["sql"] for query in queries)
    assert "feedback_entrymonthly" in sql
    for table in ENTRY_TABLES:
        assert table not in sql


def test_the_dashboard_node_is_the_user_s_scope_or_below(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    assert dashboard_node_for(user=secretary) == world.branch_a
    assert dashboard_node_for(user=secretary, pk=world.group_a.pk) == world.group_a
    with pytest.raises(Http404):
        dashboard_node_for(user=secretary, pk=world.committee_a.pk)
    with pytest.raises(Http404):
        dashboard_node_for(user=world.users[Role.DEPARTMENT_HANDLER])
    top = dashboard_node_for(user=world.users[Role.PARTY_BUILDING])
    assert top == OrgNode.objects.get(code="C")


def test_counts_add_and_subtract():
    one = Counts(recorded=2, rated=1, rating_satisfied=1)
    assert one + one == Counts(recorded=4, rated=2, rating_satisfied=2)
    assert (one - one) == Counts() and not Counts()
    assert Counts().satisfaction_rate is None and Counts().on_time_rate is None


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026-03", dt.date(2026, 3, 1), dt.date(2026, 3, 1)),
        ("2026-Q2", dt.date(2026, 4, 1), dt.date(2026, 6, 1)),
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 1)),
        ("2025-11..2026-02", dt.date(2025, 11, 1), dt.date(2026, 2, 1)),
    ],
)
def test_periods_are_read_and_written_back(text, first, last):
    period = Period.parse(text)
    assert (period.first, period.last) == (first, last)
    assert str(period) == text


@pytest.mark.parametrize(
    "text", ["", "2026-13", "2026-Q5", "26-01", "2026-03..2026-01", "2026-01..2040-01", "x"]
)
def test_bad_periods_are_refused_with_a_message(text):
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_a_date_range_must_cover_whole_months():
    assert Period.between(dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == Q1
    assert Period.between(dt.date(2024, 2, 1), dt.date(2024, 2, 29)).months == [dt.date(2024, 2, 1)]
    for start, end in [
        (dt.date(2026, 1, 2), dt.date(2026, 3, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 3, 30)),
        (dt.date(2026, 4, 1), dt.date(2026, 3, 31)),
    ]:
        with pytest.raises(PeriodError):
            Period.between(start, end)
    assert Q1.previous() == Period.quarter(2025, 4)
    assert Q1.end == dt.date(2026, 3, 31)
