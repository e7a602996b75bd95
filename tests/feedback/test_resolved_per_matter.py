"""Resolved, counted per matter (issue 15): each problem or suggestion once, in the month of
its first result; re-handling and reopenings apart. A small ledger, worked out by hand for a
branch, a committee and the company, in the first quarter of 2026.

The world of tests.fixtures.factories: company C → committees KA (branches BA and BO) and KB
(branch BB). Every step is written through the services, on the day given:

    entry  ledger  kind        story                                              results
    P1     BA      problem     solved Jan 6, replied; 不满意 → reopened Jan 8;      Jan 6, Feb 3
                               solved again Feb 3, replied; 满意
    P2     BA      problem     solved Jan 14; replied Jan 15 with P3               Jan 14
    P3     BA      problem     marked a duplicate of P2 (Jan 13); resolved and     Jan 15
                               replied with P2 (Jan 15)
    S1     BA      suggestion  referred; the department's result Mar 3; 满意        Mar 3
    B1     BA      basic       basic information: no result                        —
    P4     BO      problem     solved Feb 11; 不满意 → reopened Feb 13; solved     Feb 11, Feb 20,
                               Feb 20; 不满意 → reopened Mar 2; solved Mar 5; 满意  Mar 5
    S2     BO      suggestion  recorded Mar 10, still open                         —
    P5     BB      problem     solved Jan 27; 不满意 → reopened Feb 2; still open   Jan 27
    S3     BB      suggestion  solved Feb 17, replied                              Feb 17
    S4     BB      suggestion  solved Feb 19, replied; marked a duplicate of S3    Feb 19
                               on Mar 16

By hand, for the quarter (replied = one per round; a reopened entry is replied once a round):

                       results  matters  problems  re-handled  reopened  replied
    BA (the branch)       5        3        2          1           1        5
      P1 ×2, P2, P3, S1; matters P1, P2, S1 (P3 is P2's duplicate); re-handled P1's second;
      reopened P1; replied P1 ×2, P2, P3, S1.
    KA (the committee)    8        4        3          3           3        8
      + P4 ×3; matters + P4; re-handled + P4's second and third; reopened + P4 ×2;
      replied + P4 ×3.
    C (the company)      11        6        4          3           4       11
      + P5, S3, S4; matters + P5, S3 (S4 is S3's duplicate); reopened + P5;
      replied + P5, S3, S4.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from feedback.constants import RatingChannel, Satisfaction
from feedback.periods import Period
from feedback.selectors.figures import figures, monthly_trend
from feedback.services.ratings import rating_record
from feedback.services.rollups import rollups_rebuild, rollups_refresh
from liaison.constants import Colour, EntryKind, ReplyMethod
from liaison.constants import Role as R
from liaison.models import Entry
from liaison.services.links import entry_mark_duplicate, entry_unmark_duplicate
from liaison.services.workflow import Action as A
from liaison.services.workflow.together import entry_reply_together
from tests.fixtures.factories import make_entry
from tests.fixtures.rollups import Clock, rollups_snapshot
from tests.fixtures.walks import act

Q1 = Period.quarter(2026, 1)


def build_small_ledger(world, clock: Clock, after_step: Callable[[], None]) -> dict[str, Entry]:
    """Write the story of the module docstring, calling `after_step` after every step."""
    users = world.users
    cadre, office, maintainer = (
        users[R.GRASSROOTS_CADRE],
        users[R.OFFICE_CADRE],
        users[R.PARTY_BUILDING],
    )
    entries: dict[str, Entry] = {}
    where = {"BA": world.branch_a, "BO": world.office_branch, "BB": world.branch_b}
    recorder = {"BA": cadre, "BO": office, "BB": maintainer}

    def on(month: int, day: int) -> None:
        clock.set(dt.date(2026, month, day))

    def fresh(name: str) -> Entry:
        return Entry.objects.get(pk=entries[name].pk)

    def record(name: str, ledger: str, kind: str) -> None:
        entries[name] = make_entry(
            recorder[ledger],
            org=where[ledger],
            kind=kind,
            colour="" if kind == EntryKind.BASIC else Colour.RED,
            recorded_on=timezone.localdate(),
            title=f"{name} 条目",
        )
        after_step()

    def do(name: str, action: str) -> None:
        entries[name] = act(world, fresh(name), action, maintainer)
        after_step()

    def rate(name: str, value: str) -> None:
        entry = fresh(name)
        rating_record(
            entry=entry,
            value=value,
            comment="",
            channel=RatingChannel.RETURN_VISIT,
            actor=maintainer,
            expected_version=entry.version,
        )
        after_step()

    def mark_duplicate(name: str, original: str) -> None:
        entry = fresh(name)
        entry_mark_duplicate(
            entry=entry, original=fresh(original), actor=maintainer, expected_version=entry.version
        )
        after_step()

    problem, suggestion = EntryKind.PROBLEM, EntryKind.SUGGESTION
    unsatisfied, satisfied = Satisfaction.UNSATISFIED, Satisfaction.SATISFIED
    on(1, 5)
    record("P1", "BA", problem)
    on(1, 6)
    do("P1", A.RESOLVE_ON_SPOT)
    on(1, 7)
    do("P1", A.REPLY)
    on(1, 8)
    rate("P1", unsatisfied)  # reopened
    on(1, 12)
    record("P2", "BA", problem)
    on(1, 13)
    record("P3", "BA", problem)
    mark_duplicate("P3", "P2")
    on(1, 14)
    do("P2", A.RESOLVE_ON_SPOT)
    on(1, 15)
    original = fresh("P2")
    entry_reply_together(
        entry=original,
        actor=maintainer,
        expected_version=original.version,
        text="已处理",
        method=ReplyMethod.PHONE,
        duplicates=[entries["P3"].pk],
    )  # P3: resolved with P2's result, and replied
    after_step()
    on(1, 20)
    record("B1", "BA", EntryKind.BASIC)
    on(1, 26)
    record("P5", "BB", problem)
    on(1, 27)
    do("P5", A.RESOLVE_ON_SPOT)
    on(1, 28)
    do("P5", A.REPLY)
    on(2, 2)
    rate("P5", unsatisfied)  # reopened, not solved again this quarter
    record("S1", "BA", suggestion)
    on(2, 3)
    do("P1", A.RESOLVE_ON_SPOT)  # re-handled
    do("S1", A.REFER)
    on(2, 4)
    do("P1", A.REPLY)
    do("S1", A.RECORD_PLAN)
    on(2, 5)
    rate("P1", satisfied)
    on(2, 10)
    record("P4", "BO", problem)
    on(2, 11)
    do("P4", A.RESOLVE_ON_SPOT)
    on(2, 12)
    do("P4", A.REPLY)
    on(2, 13)
    rate("P4", unsatisfied)  # reopened
    on(2, 16)
    record("S3", "BB", suggestion)
    on(2, 17)
    do("S3", A.RESOLVE_ON_SPOT)
    do("S3", A.REPLY)
    on(2, 18)
    record("S4", "BB", suggestion)
    on(2, 19)
    do("S4", A.RESOLVE_ON_SPOT)
    do("S4", A.REPLY)
    on(2, 20)
    do("P4", A.RESOLVE_ON_SPOT)  # re-handled
    on(2, 23)
    do("P4", A.REPLY)
    on(3, 2)
    rate("P4", unsatisfied)  # reopened a second time
    on(3, 3)
    do("S1", A.RECORD_RESULT)
    on(3, 4)
    do("S1", A.REPLY)
    on(3, 5)
    do("P4", A.RESOLVE_ON_SPOT)  # re-handled again
    on(3, 6)
    do("P4", A.REPLY)
    on(3, 9)
    rate("P4", satisfied)
    rate("S1", satisfied)
    on(3, 10)
    record("S2", "BO", suggestion)
    on(3, 16)
    mark_duplicate("S4", "S3")  # S4's February result no longer counts as a matter
    on(4, 1)
    return entries


def counted(totals) -> tuple[int, ...]:
    return (
        totals.resolved,
        totals.matters_resolved,
        totals.problems_resolved,
        totals.rehandled,
        totals.reopened,
        totals.replied,
    )


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def ledger(world, clock):
    entries = build_small_ledger(world, clock, after_step=rollups_refresh)
    return world, entries


def test_the_story_ends_as_told(ledger):
    _world, entries = ledger
    get = {name: Entry.objects.get(pk=entry.pk) for name, entry in entries.items()}
    assert [get[name].reopen_count for name in ("P1", "P4", "P5")] == [1, 2, 1]
    assert get["P3"].duplicate_of_id == get["P2"].pk
    assert get["S4"].duplicate_of_id == get["S3"].pk
    assert get["P3"].resolved_at is not None and get["P3"].replied_at is not None
    assert get["S2"].resolved_at is None and get["B1"].resolved_at is None


def test_the_branch_by_hand(ledger):
    world, _entries = ledger
    totals = figures(node=world.branch_a, period=Q1).totals
    assert totals.recorded == 5  # P1 P2 P3 S1 B1
    assert counted(totals) == (5, 3, 2, 1, 1, 5)
    assert totals.reopen_rate == 1 / 5


def test_the_committee_by_hand(ledger):
    world, _entries = ledger
    totals = figures(node=world.committee_a, period=Q1).totals
    assert totals.recorded == 7  # + P4 S2
    assert counted(totals) == (8, 4, 3, 3, 3, 8)
    assert totals.reopen_rate == 3 / 8


def test_the_company_by_hand(ledger):
    world, _entries = ledger
    totals = figures(node=world.company, period=Q1).totals
    assert totals.recorded == 10  # + P5 S3 S4
    assert counted(totals) == (11, 6, 4, 3, 4, 11)
    assert totals.reopen_rate == 4 / 11
    # Every result is the first of its entry or a re-handling: 11 = (6 + P3 + S4) + 3.
    assert totals.resolved == totals.matters_resolved + 2 + totals.rehandled


def test_each_month_by_hand(ledger):
    """The company's months: a matter in the month of its first result, never again."""
    world, _entries = ledger
    months = {
        f"{month.month:%m}": (
            month.counts.matters_resolved,
            month.counts.problems_resolved,
            month.counts.rehandled,
            month.counts.reopened,
        )
        for month in monthly_trend(node=world.company, period=Q1)
    }
    assert months == {
        "01": (3, 3, 0, 1),  # P1 (Jan 6), P2, P5; reopened P1
        "02": (2, 1, 2, 2),  # P4, S3 (S4 is a duplicate); re-handled P1, P4; reopened P4, P5
        "03": (1, 0, 1, 1),  # S1; re-handled P4; reopened P4
    }


def test_a_duplicate_marked_later_leaves_the_month_of_its_result(world, clock):
    """Before S4 is marked a duplicate of S3 (March 16), February counts both as matters;
    the mark takes S4 out of February, and the refresh sees it."""
    states = []

    def february():
        rollups_refresh()
        counts = figures(node=world.branch_b, period=Period.month(2026, 2)).totals
        states.append((counts.resolved, counts.matters_resolved))

    build_small_ledger(world, clock, after_step=february)
    assert states[-2] == (2, 2)  # S3, S4 (P5 solved in January)
    assert states[-1] == (2, 1)  # S4 is S3's duplicate now


def test_an_unmarked_duplicate_is_a_matter_again(ledger, clock):
    """Unmarking S4 (April 2) brings its February result back as a matter; the refresh
    agrees with a rebuild."""
    world, entries = ledger
    clock.set(dt.date(2026, 4, 2))
    s4 = Entry.objects.get(pk=entries["S4"].pk)
    entry_unmark_duplicate(
        entry=s4, actor=world.users[R.PARTY_BUILDING], expected_version=s4.version
    )
    rollups_refresh()
    february = figures(node=world.branch_b, period=Period.month(2026, 2)).totals
    assert (february.resolved, february.matters_resolved) == (2, 2)
    incremental = rollups_snapshot()
    rollups_rebuild()
    assert rollups_snapshot() == incremental


def test_after_every_step_the_refresh_equals_a_rebuild(world, clock):
    """Including a reopened-and-solved-again entry, duplicates replied together and one
    marked after both were solved."""
    steps = []

    def compare():
        rollups_refresh()
        incremental = rollups_snapshot()
        rollups_rebuild()
        assert rollups_snapshot() == incremental, f"step {len(steps)} differs"
        steps.append(len(incremental))

    build_small_ledger(world, clock, after_step=compare)
    assert len(steps) > 40 and steps[-1] > 10


def test_the_dashboard_shows_them_apart(ledger, client_for):
    """The headline "resolved" is the matters; problems solved, every round's results,
    re-handled, reopened and the reopen rate stand beside it."""
    world, _entries = ledger
    client = client_for(world.users[R.PARTY_BUILDING])
    page = client.get(reverse("feedback:dashboard"), {"period": "2026-Q1"}).content.decode()
    shown = {
        name: page.split(f'data-testid="{name}">', 1)[1].split("<", 1)[0]
        for name in (
            "matters-resolved",
            "problems-resolved",
            "results",
            "rehandled",
            "reopened",
            "reopen-rate",
        )
    }
    assert shown == {
        "matters-resolved": "6",
        "problems-resolved": "4",
        "results": "11",
        "rehandled": "3",
        "reopened": "4",
        "reopen-rate": "36.4%",
    }
    assert "已解决事项 · 解决问题 4 个" in page
    assert "重办次数 ÷ 答复次数 4/11" in page
    # The branch's secretary reads the branch: 3 matters (P3 is P2's duplicate).
    secretary = client_for(world.users[R.BRANCH_SECRETARY])
    page = secretary.get(reverse("feedback:dashboard"), {"period": "2026-Q1"}).content.decode()
    assert 'data-testid="matters-resolved">3<' in page


def test_the_export_and_the_report_hold_them(ledger, client_for):
    world, _entries = ledger
    client = client_for(world.users[R.PARTY_BUILDING])
    response = client.get(reverse("feedback:dashboard_export"), {"period": "2026-Q1"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    overview = {row[0]: row[1] for row in workbook["总览"].iter_rows(values_only=True)}
    assert {
        label: overview[label]
        for label in (
            "已解决事项",
            "解决问题",
            "办理结果（每轮）",
            "重办后再次办结",
            "已答复",
            "重办次数",
            "重办率（重办次数 ÷ 答复次数）",
        )
    } == {
        "已解决事项": 6,
        "解决问题": 4,
        "办理结果（每轮）": 11,
        "重办后再次办结": 3,
        "已答复": 11,
        "重办次数": 4,
        "重办率（重办次数 ÷ 答复次数）": 0.364,  # 4 ÷ 11, rounded half up as the page prints it
    }
    trend = [
        row[7] for row in workbook["月度趋势"].iter_rows(min_row=2, values_only=True)
    ]  # matters resolved, after the two 环比 columns
    assert trend == [3, 2, 1]
    out = io.StringIO()
    call_command(
        "ledger_report", "--from", "2026-01-01", "--to", "2026-03-31", "--org", "KA", "--json",
        stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    assert {
        key: data[key]
        for key in ("resolved", "problems_resolved", "results", "rehandled", "reopened")
    } == {"resolved": 4, "problems_resolved": 3, "results": 8, "rehandled": 3, "reopened": 3}
    assert data["reopen_rate"] == 0.375  # 3 ÷ 8
