"""What each entry, rating and visit adds to the roll-ups: the one definition of every count.

A cell is (org, month, level, colour, kind); the org is the ledger the entry is in, the level,
colour and kind are the entry's (none of them changes after recording). A voided entry was
recorded in error (R16): it leaves every count of every month. Months are calendar months in
the site's time zone (Asia/Shanghai); a moment's month is its local date's.

By the month recorded (``recorded_on``):

- ``recorded``: entries of every kind, basic information included.
- ``suggestions``: suggestions (意见建议); ``duplicate_suggestions``: those linked to an earlier
  entry as the same matter (R11). Repeat rate = duplicate suggestions ÷ suggestions.

By the month of a due date — one per deadline: an entry reopened after an unsatisfied rating
(R4) has a fresh deadline per round, and every round keeps its own (R5: a reply's on-time flag
is stored at the reply and never recomputed, so a month's figures do not move when a later
round runs late). Basic information has no due date (R2).

- ``due``: deadlines falling in the month (those still ahead included).
- ``replied_on_time`` / ``replied_late``: of those, answered in their round on time / late.
- ``awaiting``: of those, the entry's current round, still awaiting its reply (a snapshot).
- ``open_overdue``: of the awaiting, those the sweep has flagged overdue (a snapshot, R6).
  So due = replied_on_time + replied_late + awaiting, and the deadlines that have come are
  replied_on_time + replied_late + open_overdue.

By the month it happened:

- ``replied``: replies (one per round) by the month of the reply.
- ``resolved``: results (every round): results recorded (resolved on the spot, or the
  department's result), one per round, by the month recorded. A reply needs a result and a
  reopening a reply, so every round before the current one has its result.
- ``matters_resolved``: matters resolved — problems and suggestions (basic information has no
  result) counted once, in the month of their first result (the first round's), never again
  after a reopening; an entry marked a duplicate of another (R11, ``duplicate_of``: the same
  matter) is not counted, its original stands for the matter (so a matter whose original was
  voided goes uncounted until its duplicate is unmarked). ``problems_resolved``: the same for
  problems only (the articles' "problems solved").
- ``rehandled``: results recorded in a round after the first (re-handled after a reopening),
  by the month recorded. So resolved = the first rounds' results + rehandled, and the first
  rounds' results = matters_resolved + the duplicates' first results.
- ``reopened``: reopenings after an unsatisfied rating (R4), by the month reopened. Reopen
  rate = reopened ÷ replied (the replies of the same months).
- ``rated`` and ``rating_<value>``: ratings by the month of the rating, one per round (R8);
  ``rated_<channel>``: the same ratings by how they came (R21: link, third-party return visit,
  the owner's own).
- ``extended`` / ``suspended``: of the entries recorded in the month, those whose current round
  was extended (R19) / that were ever suspended (R20).

Rounds before the current one are read from the entry's timeline (the RECORDED, DUE_RECOMPUTED,
REOPENED, REPLIED and result events, oldest first); the current round from the entry itself.
Entries never reopened — nearly all — are counted by grouped queries, the reopened ones in
Python: both ways give the same cells, and the nightly rebuild and the frequent job call the
same function, so that the two cannot disagree.

Visits (R14), by node subtree, month and place type: ``visits`` and ``newly_covered``, the
parties (a person or party on file, a unit — a team, station or department — or else the place
as written) the subtree visited that month for the first time ever.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, DateField, F, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from feedback.models import CHANNEL_FIELDS, RATING_FIELDS, Rating
from feedback.periods import local_month, month_of, next_month
from liaison.constants import (
    REPLY_REQUIRED_KINDS,
    EntryKind,
    EntryStatus,
    EventKind,
)
from liaison.deadlines import awaiting_q, awaiting_reply, flagged_overdue_q
from liaison.models import Entry, EntryEvent, OrgNode, Visit

# (org id, month, level, colour, kind) → counts by column name.
CellKey = tuple[int, dt.date, str, str, str]
Cells = dict[CellKey, Counter]
# (org id, month, level) → counts: the cells summed over colour and kind.
LevelKey = tuple[int, dt.date, str]
LevelCells = dict[LevelKey, Counter]
# (node id, month, place type) → {"visits": n, "newly_covered": n}.
VisitKey = tuple[int, dt.date, str]
# An event of an entry's timeline: (kind, at, after).
TimelineEvent = tuple[str, dt.datetime, dict[str, Any]]

REPLY_REQUIRED = sorted(REPLY_REQUIRED_KINDS)
# A reply-required entry in one of these has the reply of its current round.
REPLIED_STATUSES = (EntryStatus.REPLIED, EntryStatus.CLOSED)
# The events that carry a round's deadline, reply or result.
ROUND_EVENTS = (
    EventKind.RECORDED,
    EventKind.DUE_RECOMPUTED,
    EventKind.REOPENED,
    EventKind.REPLIED,
    EventKind.RESOLVED_ON_SPOT,
    EventKind.RESULT_RECORDED,
)
# Above this many orgs a query reads them all and Python keeps the ones asked for (SQLite takes
# at most 999 parameters).
MAX_ORG_FILTER = 500


def _month_ranges(months: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive months joined into [start, end) ranges."""
    ranges: list[list[dt.date]] = []
    for month in sorted(months):
        if ranges and ranges[-1][1] == month:
            ranges[-1][1] = next_month(month)
        else:
            ranges.append([month, next_month(month)])
    return [(start, end) for start, end in ranges]


def in_months(field: str, months: Iterable[dt.date] | None, *, moment: bool = False) -> Q:
    """A condition: `field` (a date, or with `moment` a datetime) lies in one of `months`."""
    if months is None:
        return Q()
    condition = Q(pk__in=[])
    for start, end in _month_ranges(months):
        if moment:
            start = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
            end = timezone.make_aware(dt.datetime.combine(end, dt.time.min))
        condition |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
    return condition


def trunc_month(field: str) -> TruncMonth:
    """The month of a date field, as a date: a cell's month."""
    return TruncMonth(field, output_field=DateField())


_trunc = trunc_month


@dataclass(frozen=True)
class Scope:
    """Which cells to compute: `orgs` × `months` (None: all). `entries` (a queryset of Entry,
    used as a subquery) narrows the entries counted, and `include_void` counts void entries
    too: the frequent job asks so to learn every cell an entry could have been in."""

    orgs: frozenset[int] | None = None
    months: frozenset[dt.date] | None = None
    entries: QuerySet | None = None
    include_void: bool = False

    def wants(self, org: int, month: dt.date) -> bool:
        return (self.orgs is None or org in self.orgs) and (
            self.months is None or month in self.months
        )

    def entry_filter(self, prefix: str = "") -> Q:
        condition = Q()
        if not self.include_void:
            condition &= ~Q(**{f"{prefix}status": EntryStatus.VOID})
        if self.orgs is not None and len(self.orgs) <= MAX_ORG_FILTER:
            condition &= Q(**{f"{prefix}org_id__in": sorted(self.orgs)})
        if self.entries is not None:
            condition &= Q(**{f"{prefix}pk__in": self.entries.values("pk")})
        return condition


_KEY = ("org_id", "level", "colour", "kind")


def entry_cells(scope: Scope) -> Cells:
    """Return the cells of `scope` with every count of the entries, ratings in them (cells with
    nothing in them are left out)."""
    cells: Cells = defaultdict(Counter)

    def add(row: Mapping[str, Any], month: dt.date, counts: dict[str, int]) -> None:
        if scope.wants(row["org_id"], month):
            cell = cells[(row["org_id"], month, row["level"], row["colour"], row["kind"])]
            cell.update({name: n for name, n in counts.items() if n})

    entries = Entry.objects.filter(scope.entry_filter()).order_by()
    recorded = (
        entries.filter(in_months("recorded_on", scope.months))
        .values(*_KEY, month=_trunc("recorded_on"))
        .annotate(
            n_recorded=Count("pk"),
            n_suggestions=Count("pk", filter=Q(kind=EntryKind.SUGGESTION)),
            n_duplicate_suggestions=Count(
                "pk", filter=Q(kind=EntryKind.SUGGESTION, duplicate_of__isnull=False)
            ),
            n_extended=Count("pk", filter=Q(extensions__gt=0)),
            n_suspended=Count("pk", filter=Q(suspensions__gt=0)),
        )
    )
    for row in recorded:
        add(row, row.pop("month"), _counts(row))

    # Entries never reopened: one round, read from the entry itself.
    single = entries.filter(reopen_count=0, kind__in=REPLY_REQUIRED)
    replied = Q(status__in=REPLIED_STATUSES)
    awaiting = awaiting_q()
    due = (
        single.filter(in_months("due_on", scope.months), due_on__isnull=False)
        .values(*_KEY, month=_trunc("due_on"))
        .annotate(
            n_due=Count("pk"),
            n_replied_on_time=Count("pk", filter=replied & Q(replied_on_time=True)),
            n_replied_late=Count("pk", filter=replied & Q(replied_on_time=False)),
            n_awaiting=Count("pk", filter=awaiting),
            n_open_overdue=Count("pk", filter=flagged_overdue_q()),
        )
    )
    for row in due:
        add(row, row.pop("month"), _counts(row))
    replies = (
        single.filter(replied, in_months("replied_at", scope.months, moment=True))
        .filter(replied_at__isnull=False)
        .values(*_KEY, month=_trunc("replied_at"))
        .annotate(n_replied=Count("pk"))
    )
    for row in replies:
        add(row, row.pop("month"), _counts(row))
    matter = Q(duplicate_of__isnull=True)
    results = (
        single.filter(in_months("resolved_at", scope.months, moment=True))
        .filter(resolved_at__isnull=False)
        .values(*_KEY, month=_trunc("resolved_at"))
        .annotate(
            n_resolved=Count("pk"),
            n_matters_resolved=Count("pk", filter=matter),
            n_problems_resolved=Count("pk", filter=matter & Q(kind=EntryKind.PROBLEM)),
        )
    )
    for row in results:
        add(row, row.pop("month"), _counts(row))

    # Reopened entries: a round each time, read from the timeline.
    for row, rounds in _reopened(entries):
        for number, one in enumerate(rounds):
            one.add_to(row, add, first=number == 0)

    ratings = (
        Rating.objects.filter(scope.entry_filter("entry__"))
        .filter(in_months("rated_at", scope.months, moment=True))
        .order_by()
        .values(
            "value",
            "channel",
            org_id=F("entry__org_id"),
            level=F("entry__level"),
            colour=F("entry__colour"),
            kind=F("entry__kind"),
            month=_trunc("rated_at"),
        )
        .annotate(n=Count("pk"))
    )
    for row in ratings:
        by_value = {"rated": row["n"], RATING_FIELDS[row["value"]]: row["n"]}
        add(row, row["month"], {**by_value, CHANNEL_FIELDS[row["channel"]]: row["n"]})
    return {key: counts for key, counts in cells.items() if any(counts.values())}


def _counts(row: dict) -> dict[str, int]:
    """The counts of a grouped row (annotated as n_<count>: a count may share a field's name)."""
    return {name[2:]: value for name, value in row.items() if name.startswith("n_")}


@dataclass
class Round:
    """One round of a reply-required entry: its deadline, and its reply and result if any; a
    round after the first also when it was reopened."""

    due_on: dt.date | None = None
    replied_at: dt.datetime | None = None
    on_time: bool | None = None
    resolved_at: dt.datetime | None = None
    awaiting: bool = False
    overdue: bool = False
    reopened_at: dt.datetime | None = None

    def add_to(self, row: Mapping[str, Any], add, *, first: bool) -> None:
        """Add the round's counts to `row`'s cells; `first`: the entry's first round."""
        if self.due_on is not None:
            replied = self.replied_at is not None
            add(
                row,
                month_of(self.due_on),
                {
                    "due": 1,
                    "replied_on_time": int(replied and self.on_time is True),
                    "replied_late": int(replied and self.on_time is False),
                    "awaiting": int(self.awaiting),
                    "open_overdue": int(self.awaiting and self.overdue),
                },
            )
        if self.replied_at is not None:
            add(row, local_month(self.replied_at), {"replied": 1})
        if self.reopened_at is not None:
            add(row, local_month(self.reopened_at), {"reopened": 1})
        if self.resolved_at is not None:
            add(row, local_month(self.resolved_at), {"resolved": 1, **_first_result(row, first)})


def _first_result(row: Mapping[str, Any], first: bool) -> dict[str, int]:
    """What a result adds besides ``resolved``: the first round's is the matter's (unless the
    entry is a duplicate), a later round's a re-handling."""
    if not first:
        return {"rehandled": 1}
    matter = int(row["duplicate_of_id"] is None)
    return {
        "matters_resolved": matter,
        "problems_resolved": matter * int(row["kind"] == EntryKind.PROBLEM),
    }


_REOPENED_FIELDS = (
    "pk",
    *_KEY,
    "status",
    "due_on",
    "replied_at",
    "replied_on_time",
    "resolved_at",
    "is_overdue",
    "duplicate_of_id",
)


def _reopened(entries: QuerySet[Entry]) -> Iterable[tuple[dict, list[Round]]]:
    reopened = entries.filter(reopen_count__gt=0, kind__in=REPLY_REQUIRED)
    rows = {row["pk"]: row for row in reopened.values(*_REOPENED_FIELDS)}
    if not rows:
        return
    timelines: dict[int, list[TimelineEvent]] = defaultdict(list)
    events = (
        EntryEvent.objects.filter(entry__in=reopened.values("pk"), kind__in=ROUND_EVENTS)
        .order_by("entry_id", "at", "pk")
        .values_list("entry_id", "kind", "at", "after")
    )
    for entry_id, kind, at, after in events:
        timelines[entry_id].append((kind, at, after))
    for pk, row in rows.items():
        yield row, entry_rounds(row, timelines.get(pk, []))


def _date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def _moment(value, default: dt.datetime) -> dt.datetime:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else default


def entry_rounds(entry: dict, timeline: list[TimelineEvent]) -> list[Round]:
    """Return the rounds of a reopened entry: the finished ones from its timeline (kind, at,
    after; oldest first), the current one from the entry (`entry`, a values() row).

    An event's `after` holds what it changed; a value not written again is unchanged, so the
    on-time flag and the due date carry over from the round before."""
    done: list[Round] = []
    current, on_time = Round(), None
    for kind, at, after in timeline:
        if kind in (EventKind.RECORDED, EventKind.DUE_RECOMPUTED) and after.get("due_on"):
            current.due_on = _date(after["due_on"])
        elif kind == EventKind.REOPENED:
            done.append(current)
            current = Round(due_on=_date(after.get("due_on")) or current.due_on, reopened_at=at)
        elif kind == EventKind.REPLIED:
            current.replied_at = _moment(after.get("replied_at"), at)
            on_time = after.get("replied_on_time", on_time)
            current.on_time = on_time
        elif kind in (EventKind.RESOLVED_ON_SPOT, EventKind.RESULT_RECORDED):
            current.resolved_at = _moment(after.get("resolved_at"), at)
    replied = entry["status"] in REPLIED_STATUSES
    awaiting = awaiting_reply(entry["status"])
    done.append(
        Round(
            due_on=entry["due_on"],
            replied_at=entry["replied_at"] if replied else None,
            on_time=entry["replied_on_time"] if replied else None,
            resolved_at=entry["resolved_at"] if current.resolved_at else None,
            awaiting=awaiting,
            overdue=awaiting and entry["is_overdue"],
            reopened_at=current.reopened_at,
        )
    )
    return done


# -- Visits ------------------------------------------------------------------------------------


def _party(visited_party_id: int | None, visited_unit_id: int | None, place: str) -> tuple:
    """Who was visited: the person or party on file, the unit, else the place as written."""
    if visited_party_id:
        return ("person", visited_party_id)
    if visited_unit_id:
        return ("unit", visited_unit_id)
    return ("place", place.strip())


def visit_cells(*, tree: dict[str, int], nodes: set[str] | None, start: dt.date | None) -> dict:
    """Return the visit cells of `nodes` (paths; None: every node) for the months from `start`
    (None: all): {(node id, month, place type): {"visits": n, "newly_covered": n}}.

    `tree` maps every node's path to its id. A visit counts for its org and every node above."""

    def wanted(path: str) -> list[int]:
        prefixes = (path[:end] for end in range(OrgNode.steplen, len(path) + 1, OrgNode.steplen))
        return [tree[p] for p in prefixes if (nodes is None or p in nodes) and p in tree]

    cells: dict[VisitKey, Counter] = defaultdict(Counter)
    visits = Visit.objects.order_by()
    recent = visits.filter(visited_on__gte=start) if start else visits
    counted = recent.values("org__path", "place_type", month=_trunc("visited_on")).annotate(
        n=Count("pk")
    )
    for row in counted:
        for node in wanted(row["org__path"]):
            cells[(node, row["month"], row["place_type"])]["visits"] += row["n"]

    # The first visit of each party, per node: from every visit of the parties visited lately,
    # one query per kind of party (a person, a unit, a place named in words). Not one query
    # with the three conditions ORed: PostgreSQL cannot make a semi-join of an IN under an OR,
    # and once the parties' hash outgrows work_mem it checks each visit against every recent
    # one (at a million entries the refresh ran for over twenty minutes).
    sides = [visits]
    if start:
        anonymous = {"visited_party__isnull": True, "visited_unit__isnull": True}
        sides = [
            visits.filter(
                visited_party_id__in=recent.filter(visited_party__isnull=False).values(
                    "visited_party"
                )
            ),
            visits.filter(
                visited_unit_id__in=recent.filter(visited_unit__isnull=False).values("visited_unit")
            ),
            visits.filter(**anonymous, place__in=recent.filter(**anonymous).values("place")),
        ]
    firsts: dict[tuple, dt.date] = {}
    for parties in sides:
        rows = parties.values(
            "org__path", "place_type", "visited_party_id", "visited_unit_id", "place"
        ).annotate(first=Min("visited_on"))
        for visit in rows:  # a party's first visit per org and place type
            party = _party(visit["visited_party_id"], visit["visited_unit_id"], visit["place"])
            for node in wanted(visit["org__path"]):
                key = (node, visit["place_type"], party)
                if key not in firsts or visit["first"] < firsts[key]:
                    firsts[key] = visit["first"]
    for (node, place_type, _party_key), first in firsts.items():
        if start is None or first >= start:
            cells[(node, month_of(first), place_type)]["newly_covered"] += 1
    return cells
