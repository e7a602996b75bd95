"""A hand-built ledger for the roll-up tests: fourteen entries and nine visits in the first
quarter of 2026, walked through the workflow day by day (a clock stands in for the time).

The org tree is tests.fixtures.factories' world: company C → committees KA, KB; KA holds branch BA
(grassroots, with group GA) and office branch BO; KB holds branch BB (grassroots).

    entry  ledger  level (who records)   kind        colour  story
    E1     BA      grassroots (cadre)    problem     red     visit V1; on the spot; reply on time;
                                                             非常满意
    E2     BA      grassroots (cadre)    suggestion  orange  referred; reply late (due Feb 3,
                                                             Feb 10); 满意
    E3     BA      grassroots (secretary) problem    red     reply on time, 不满意 → reopened (due
                                                             Feb 13); reply late Mar 2; 基本满意
    E4     BA      grassroots (cadre)    basic       —       basic information
    E5     BA      grassroots (cadre)    suggestion  orange  visit V2, the same matter as E2; due
                                                             in April
    E6     BA      grassroots (secretary) problem    red     never answered: due Mar 27, moved to
                                                             Mar 30 by the calendar; overdue
    E7     BA      grassroots (cadre)    problem     red     void
    E8     GA      party member          problem     red     reply on time; 非常满意 on Mar 2
    E9     GA      party member          suggestion  yellow  target Mar 31; reply Mar 25; 满意 in
                                                             April
    E10    BO      office branch         problem     orange  on time, 不满意; round 2 on time,
                                                             不满意; round 3 due in April, overdue
    E11    BO      office branch         problem     red     due Mar 31, moved to Apr 1 by the
                                                             calendar; resolved Mar 31; reply Apr 1
    E12    BA      leadership cadre      problem     red     reply on time; 非常满意
    E13    BB      grassroots (party-bldg) suggestion red    late, 不满意; round 2 on time; 满意
    E14    BB      grassroots (party-bldg) problem   yellow  target Feb 27; never answered; overdue

Visits: V1 Jan 5 BA team (溪河变电站, by place); V8 Jan 22 BB village X; V3 Feb 10 GA employee;
V4 Feb 20 BO enterprise; V5 Mar 5 BB town; V6 Mar 6 BB other (城区医院, by place); V2 Mar 10
BA village X; V7 Mar 18 BA village X; V9 Apr 3 BA team (溪河变电站).

The overdue sweep runs on Feb 10, Mar 12 and Apr 10; the clock stops on 2026-04-10 at noon.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from feedback.constants import RatingChannel, Satisfaction
from feedback.services import rating_record
from liaison.constants import Colour, EntryKind, EntryStatus, PairingKind, PersonKind, PlaceType
from liaison.constants import Role as R
from liaison.models import Channel, Entry, ServiceItem
from liaison.services.calendar import calendar_day_set
from liaison.services.jobs import overdue_sweep
from liaison.services.visits import visit_log
from liaison.services.workflow import Action as A
from tests.fixtures.factories import PairingFactory, PersonFactory, make_entry
from tests.fixtures.walks import act

VS, S, BS, U = (
    Satisfaction.VERY_SATISFIED,
    Satisfaction.SATISFIED,
    Satisfaction.BASICALLY_SATISFIED,
    Satisfaction.UNSATISFIED,
)
FINAL_DAY = dt.date(2026, 4, 10)


class Clock:
    """Stands in for django.utils.timezone.now (and so localdate, auto_now_add …)."""

    def __init__(self, monkeypatch):
        self.now = timezone.make_aware(dt.datetime(2026, 1, 1, 9, 0))
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, day: dt.date, hour: int = 10, minute: int = 0) -> None:
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
        assert moment >= self.now, "the story runs forwards"
        self.now = moment


@dataclass
class Ledger:
    world: object
    entries: dict[str, Entry] = field(default_factory=dict)

    def get(self, name: str) -> Entry:
        return Entry.objects.get(pk=self.entries[name].pk)


def build_ledger(world, clock: Clock, after_step: Callable[[], None] = lambda: None) -> Ledger:
    """Write the story above through the services, calling `after_step` after each day's
    step (the incremental job, say)."""
    ledger = Ledger(world)
    users = world.users
    cadre, secretary = users[R.GRASSROOTS_CADRE], users[R.BRANCH_SECRETARY]
    member, office = users[R.PARTY_MEMBER], users[R.OFFICE_CADRE]
    leader, party_building = users[R.LEADERSHIP_CADRE], users[R.PARTY_BUILDING]
    village = PersonFactory(name="红旗村", kind=PersonKind.VILLAGE, org=world.branch_a)
    enterprise = PersonFactory(
        name="宏达机械厂", kind=PersonKind.ENTERPRISE, org=world.office_branch
    )
    town = PersonFactory(name="城关街道", kind=PersonKind.TOWN, org=world.branch_b)
    customer_b = PersonFactory(name="城区客户", kind=PersonKind.INDIVIDUAL, org=world.branch_b)
    PairingFactory(kind=PairingKind.CADRE_TEAM, person=world.member_a, target_unit=world.team_a)
    PairingFactory(
        kind=PairingKind.BRANCH_JOINT, org=world.office_branch, target_org=world.branch_a
    )
    PairingFactory(
        kind=PairingKind.MEMBER_SERVED,
        person=world.member_b,
        target_person=customer_b,
        end_on=dt.date(2026, 2, 28),
    )
    channel = Channel.objects.order_by("pk").first()
    item = ServiceItem.objects.order_by("pk").first()
    entries = ledger.entries

    def on(month: int, day: int, hour: int = 10) -> None:
        clock.set(dt.date(2026, month, day), hour)

    def record(name: str, actor, org, kind: str, colour: str = "", **extra) -> None:
        entries[name] = make_entry(
            actor,
            org=org,
            kind=kind,
            colour=colour,
            recorded_on=timezone.localdate(),
            title=f"{name} 条目",
            **extra,
        )
        after_step()

    def do(name: str, action: str, **data) -> None:
        fresh = Entry.objects.get(pk=entries[name].pk)  # a job may have moved it on
        entries[name] = act(world, fresh, action, party_building, **data)
        after_step()

    def rate(name: str, value: str, target_on: dt.date | None = None) -> None:
        entry = Entry.objects.get(pk=entries[name].pk)
        rating_record(
            entry=entry,
            value=value,
            comment="",
            channel=RatingChannel.RETURN_VISIT,
            actor=party_building,
            expected_version=entry.version,
            target_on=target_on,
        )
        entries[name] = Entry.objects.get(pk=entry.pk)
        after_step()

    def visit(actor, org, place_type: str, party=None, place: str = "", rows=()) -> None:
        logged = visit_log(
            actor=actor,
            org=org,
            visited_on=timezone.localdate(),
            place_type=place_type,
            place=place,
            visited_party=party,
            entries=[
                {"channel": channel, "item": item, "title": name, **row} for name, row in rows
            ],
        )
        for (name, _row), entry in zip(rows, logged.entries, strict=True):
            entries[name] = entry
        after_step()

    def sweep() -> None:
        overdue_sweep(today=timezone.localdate())
        after_step()

    problem, suggestion = EntryKind.PROBLEM, EntryKind.SUGGESTION
    red, orange, yellow = Colour.RED, Colour.ORANGE, Colour.YELLOW
    ba, ga, bo, bb = world.branch_a, world.group_a, world.office_branch, world.branch_b

    on(1, 5)
    visit(
        cadre,
        ba,
        PlaceType.TEAM,
        place="溪河变电站",
        rows=[("E1", {"kind": problem, "colour": red, "informant": world.special_a})],
    )
    on(1, 6)
    record("E2", cadre, ba, suggestion, orange)
    do("E1", A.RESOLVE_ON_SPOT)
    on(1, 7)
    do("E2", A.REFER)
    on(1, 8)
    do("E1", A.REPLY)
    record("E10", office, bo, problem, orange)
    on(1, 9)
    rate("E1", VS)
    do("E10", A.RESOLVE_ON_SPOT)
    on(1, 12)
    do("E2", A.RECORD_PLAN)
    record("E9", member, ga, suggestion, yellow, target_on=dt.date(2026, 3, 31))
    record("E14", party_building, bb, problem, yellow, target_on=dt.date(2026, 2, 27))
    on(1, 13)
    do("E9", A.REFER)
    on(1, 15)
    record("E7", cadre, ba, problem, red)
    on(1, 16)
    do("E7", A.VOID)
    on(1, 20)
    record("E4", cadre, ba, EntryKind.BASIC)
    do("E9", A.RECORD_PLAN)
    on(1, 22)
    visit(party_building, bb, PlaceType.VILLAGE, party=village)
    on(1, 28)
    do("E10", A.REPLY)
    on(1, 29)
    rate("E10", U)  # reopened: due 2026-03-04
    on(1, 30)
    do("E2", A.RECORD_RESULT)
    on(2, 2)
    record("E3", secretary, ba, problem, red)
    record("E12", leader, ba, problem, red)
    on(2, 3)
    do("E3", A.RESOLVE_ON_SPOT)
    on(2, 4)
    do("E12", A.RESOLVE_ON_SPOT)
    do("E12", A.REPLY)
    on(2, 5)
    do("E3", A.REPLY)
    rate("E12", VS)
    on(2, 6)
    rate("E3", U)  # reopened: due 2026-02-13
    on(2, 10, hour=1)
    sweep()  # flags E2 (due Feb 3)
    on(2, 10)
    visit(member, ga, PlaceType.EMPLOYEE, party=world.member_a)
    do("E2", A.REPLY)
    on(2, 11)
    rate("E2", S)
    on(2, 20)
    visit(office, bo, PlaceType.ENTERPRISE, party=enterprise)
    on(2, 24)
    record("E8", member, ga, problem, red)
    on(2, 25)
    do("E8", A.RESOLVE_ON_SPOT)
    on(2, 26)
    do("E3", A.RESOLVE_ON_SPOT)
    on(2, 27)
    do("E8", A.REPLY)
    on(3, 2)
    do("E3", A.REPLY)
    rate("E8", VS)
    do("E10", A.RESOLVE_ON_SPOT)
    on(3, 3)
    rate("E3", BS)
    do("E10", A.REPLY)
    record("E13", party_building, bb, suggestion, red)
    on(3, 4)
    do("E13", A.REFER)
    on(3, 5)
    do("E13", A.RECORD_PLAN)
    visit(party_building, bb, PlaceType.TOWN, party=town)
    on(3, 6)
    visit(party_building, bb, PlaceType.OTHER, place="城区医院")
    on(3, 9)
    rate("E10", U)  # reopened: due 2026-04-07
    on(3, 10)
    visit(
        cadre,
        ba,
        PlaceType.VILLAGE,
        party=village,
        rows=[
            (
                "E5",
                {
                    "kind": suggestion,
                    "colour": orange,
                    "informant": village,
                    "duplicate_of": entries["E2"],
                },
            )
        ],
    )
    on(3, 11)
    do("E13", A.RECORD_RESULT)
    on(3, 12, hour=1)
    sweep()  # flags E13 (due Mar 10) and E14 (due Feb 27)
    on(3, 12)
    do("E13", A.REPLY)
    on(3, 13)
    rate("E13", U)  # reopened: due 2026-03-20
    on(3, 16)
    do("E13", A.RESOLVE_ON_SPOT)
    on(3, 17)
    do("E13", A.REPLY)
    on(3, 18)
    rate("E13", S)
    visit(secretary, ba, PlaceType.VILLAGE, party=village)
    on(3, 20)
    record("E6", secretary, ba, problem, red)
    do("E9", A.RECORD_RESULT)
    on(3, 24)
    record("E11", office, bo, problem, red)
    on(3, 25)
    do("E9", A.REPLY)
    on(3, 25, hour=15)
    # Mar 27 becomes a day off: E11 due Mar 31 → Apr 1, E6 Mar 27 → Mar 30, E5 and E10 later.
    calendar_day_set(actor=party_building, date=dt.date(2026, 3, 27), is_working=False)
    after_step()
    on(3, 31)
    do("E11", A.RESOLVE_ON_SPOT)
    on(4, 1)
    do("E11", A.REPLY)
    on(4, 2)
    rate("E9", S)
    on(4, 3)
    visit(cadre, ba, PlaceType.TEAM, place="溪河变电站")
    on(4, 10, hour=1)
    sweep()  # flags E6, E5 and E10 (round 3)
    on(4, 10, hour=12)
    return ledger


def test_the_story_ends_as_told(world, monkeypatch):
    ledger = build_ledger(world, Clock(monkeypatch))
    status = {name: ledger.get(name).status for name in ledger.entries}
    assert status == {
        "E1": EntryStatus.CLOSED,
        "E2": EntryStatus.CLOSED,
        "E3": EntryStatus.CLOSED,
        "E4": EntryStatus.CLOSED,
        "E5": EntryStatus.RECORDED,
        "E6": EntryStatus.RECORDED,
        "E7": EntryStatus.VOID,
        "E8": EntryStatus.CLOSED,
        "E9": EntryStatus.CLOSED,
        "E10": EntryStatus.IN_PROGRESS,
        "E11": EntryStatus.REPLIED,
        "E12": EntryStatus.CLOSED,
        "E13": EntryStatus.CLOSED,
        "E14": EntryStatus.RECORDED,
    }
    due = {name: ledger.get(name).due_on for name in ("E3", "E5", "E6", "E10", "E11", "E13")}
    assert due == {
        "E3": dt.date(2026, 2, 13),
        "E5": dt.date(2026, 4, 9),
        "E6": dt.date(2026, 3, 30),
        "E10": dt.date(2026, 4, 8),
        "E11": dt.date(2026, 4, 1),
        "E13": dt.date(2026, 3, 20),
    }
    overdue = {name for name in ledger.entries if ledger.get(name).is_overdue}
    assert overdue == {"E5", "E6", "E10", "E14"}
    assert ledger.get("E5").duplicate_of_id == ledger.entries["E2"].pk
    assert [ledger.get(n).reopen_count for n in ("E3", "E10", "E13")] == [1, 2, 1]
