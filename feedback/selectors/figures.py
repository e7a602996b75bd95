"""The dashboards' reads (R7, R8, R11, R13, R14): figures of a node's subtree for a period.

Every selector here reads the roll-up tables (feedback.models.rollups), the org tree, and for
the pairing counts the pairing table — never the entries, their events, the ratings or the
visits — with a fixed number of queries, whatever the number of entries (pinned by tests). The
view fetches the node with ``feedback.permissions.dashboard_node_for`` (404 outside the user's
subtree) and a ``Period`` (feedback.periods), then calls:

- ``report(node=, period=)`` → ``Report``: the headline figures, the four levels, visit coverage,
  pairing counts, provisional calendar years, the closed months and late adjustments (R24,
  feedback.selectors.closing: 2 queries) (≤ 8 queries); what ``manage.py ledger_report``
  prints. ``figures`` alone is one query.
- ``monthly_trend(node=, period=)`` → a ``MonthFigures`` per month with the change of the
  satisfaction rate on the month before (环比) (1 query); ``trend_figures`` adds the figures up
  from it, and ``report(..., trend=)`` takes them from there (the dashboard: one query fewer).
- ``by_unit(node=, period=)`` → ``UnitFigures``: each child's figures, open and overdue entries
  now, and the children ranked by satisfaction rate (R8: only with enough ratings) (3 queries);
  in feedback.selectors.rankings.
- ``branch_ranking(node=, period=)`` → every branch of the subtree, ranked (2 queries); in
  feedback.selectors.rankings, with ``units_and_branches``: both, the org nodes read once.
- ``by_colour_and_kind(node=, period=)`` → the counts per colour and kind (1 query).

All but the last read EntryMonthlyLevel (node × month × level); the last reads EntryMonthly.

The rates (fractions from 0 to 1, None when nothing was counted):

- satisfaction rate = satisfied ÷ rated; satisfied = the ratings in
  feedback.constants.satisfied_values() (非常满意, 满意 and, by default, 基本满意) (R8).
- on-time rate (按期办复率) = replied on time ÷ the deadlines of the period that have come:
  replied on time + replied late + still open and overdue. A deadline still ahead is neither
  kept nor missed yet, so it is left out; an overdue entry nobody answered counts against the
  rate. This is the Xiaoshan article's "按期办复率 100%": of the matters that had to be
  answered by then, the share answered in time.
- repeat rate (重复率) = duplicate suggestions ÷ suggestions (R11).
- reopen rate (重办率) = reopenings ÷ replies of the period: of the answers given, the share
  that an unsatisfied rating sent back.

"Resolved" on the dashboards is ``matters_resolved``: each problem or suggestion once, in the
month of its first result, a duplicate not again; ``resolved`` (every round's result) and
``rehandled`` (the results after a reopening) are shown apart.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from django.db import connection, connections
from django.db.models import Q, Sum
from django.utils import timezone

from feedback.constants import RatingChannel, Satisfaction, satisfaction_rate, satisfied_values
from feedback.models import (
    CHANNEL_FIELDS,
    COUNT_FIELDS,
    RATING_FIELDS,
    EntryMonthly,
    EntryMonthlyLevel,
    RollupState,
    VisitMonthly,
)
from feedback.periods import Period
from feedback.selectors.closing import Closing, closing_for
from feedback.selectors.referrals import DepartmentReferrals, referral_figures
from liaison.constants import Colour, EntryKind, Level, PlaceType
from liaison.models import CalendarYear, OrgNode
from liaison.selectors.orgs import PairingStat, subtree_pairing_statistics
from liaison.workdays import statutory_covers

_SCALE = tuple(Satisfaction.values)
_COUNT_NAMES = frozenset(COUNT_FIELDS)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Counts:
    """The roll-up counts of a subtree over some months (definitions:
    feedback.services.rollup_cells)."""

    recorded: int = 0
    suggestions: int = 0
    duplicate_suggestions: int = 0
    extended: int = 0
    suspended: int = 0
    due: int = 0
    replied_on_time: int = 0
    replied_late: int = 0
    awaiting: int = 0
    open_overdue: int = 0
    replied: int = 0
    resolved: int = 0  # results, every round
    matters_resolved: int = 0  # the headline "resolved": once per matter
    problems_resolved: int = 0
    rehandled: int = 0
    reopened: int = 0
    rated: int = 0
    rating_very_satisfied: int = 0
    rating_satisfied: int = 0
    rating_basically_satisfied: int = 0
    rating_unsatisfied: int = 0
    rated_link: int = 0
    rated_return_visit: int = 0
    rated_owner: int = 0

    @classmethod
    def of(cls, row: Mapping[str, Any] | None) -> Counts:
        """The counts of a roll-up row or sum (its other keys left out; a sum of nothing is
        None, a count not asked for 0)."""
        return cls(**{name: n or 0 for name, n in (row or {}).items() if name in _COUNT_NAMES})

    def __add__(self, other: Counts) -> Counts:
        return Counts(*map(operator.add, _values(self), _values(other)))

    def __sub__(self, other: Counts) -> Counts:
        return Counts(*map(operator.sub, _values(self), _values(other)))

    def __bool__(self) -> bool:
        return any(_values(self))

    @property
    def ratings(self) -> dict[str, int]:
        """The ratings per value of the scale, in the scale's order."""
        return {value: getattr(self, RATING_FIELDS[value]) for value in _SCALE}

    @property
    def satisfied(self) -> int:
        return sum(getattr(self, RATING_FIELDS[value]) for value in satisfied_values())

    @property
    def satisfaction_rate(self) -> float | None:
        return satisfaction_rate(self.satisfied, self.rated)

    @property
    def deadlines_come(self) -> int:
        """Deadlines of the period kept or missed so far (the on-time rate's denominator)."""
        return self.replied_on_time + self.replied_late + self.open_overdue

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.replied_on_time, self.deadlines_come)

    @property
    def repeat_rate(self) -> float | None:
        return _rate(self.duplicate_suggestions, self.suggestions)

    @property
    def reopen_rate(self) -> float | None:
        """Reopenings ÷ replies in the same months (R4: an unsatisfied rating reopens)."""
        return _rate(self.reopened, self.replied)

    @property
    def extension_rate(self) -> float | None:
        """Extended entries among those recorded (R19)."""
        return _rate(self.extended, self.recorded)

    @property
    def ratings_by_channel(self) -> dict[str, int]:
        """The ratings by how they came (R21), in the channels' order."""
        return {channel: getattr(self, CHANNEL_FIELDS[channel]) for channel in RatingChannel}

    @property
    def owner_rated_share(self) -> float | None:
        """The share of ratings the entries' own owners recorded (R21)."""
        return _rate(self.rated_owner, self.rated)


# The counts in the order of the fields, read at C speed (a page adds up hundreds of them).
_values = operator.attrgetter(*(f.name for f in fields(Counts)))
COUNT_SUMS = {name: Sum(name) for name in COUNT_FIELDS}


def level_sums(
    *group_by: str,
    node_ids: Collection[int],
    first: dt.date,
    last: dt.date,
    counts: tuple[str, ...] = COUNT_FIELDS,
) -> list[tuple[tuple[Any, ...], Counts]]:
    """EntryMonthlyLevel's `counts` of the nodes `node_ids` in the months from `first` to
    `last`, summed by `group_by` (column names): each group's values and its Counts (a count not
    asked is 0). One query, on the database the router reads the roll-ups from.

    The SQL is written once per shape (`_sums_sql`), not by the ORM per request: compiling two
    dozen aggregates, then converting and naming every sum of every row, cost the monthly trend
    3.2 ms of Python against 0.6 ms of SQL at 1M (1.9 ms now; a dashboard reads three such sums).
    """
    if not node_ids:
        return []
    placeholders = ", ".join(["%s"] * len(node_ids))
    with connections[EntryMonthlyLevel.objects.db].cursor() as cursor:
        cursor.execute(_sums_sql(group_by, counts) % placeholders, [first, last, *node_ids])
        rows = cursor.fetchall()
    width = len(group_by)
    return [(row[:width], Counts(**dict(zip(counts, row[width:], strict=True)))) for row in rows]


@functools.cache
def _sums_sql(group_by: tuple[str, ...], counts: tuple[str, ...]) -> str:
    """The query of level_sums, with `%s` where the node ids' placeholders go (the month
    bounds' are escaped: `%%s`)."""
    meta = EntryMonthlyLevel._meta
    quote = connection.ops.quote_name
    columns = {field.name: field.column or field.name for field in meta.concrete_fields}

    def column(name: str) -> str:
        return quote(columns[name])

    keys = ", ".join(column(name) for name in group_by)
    sums = ", ".join(f"SUM({column(name)})" for name in counts)
    return (
        f"SELECT {keys}, {sums} FROM {quote(meta.db_table)}"
        f" WHERE {column('month')} >= %%s AND {column('month')} <= %%s"
        f" AND {column('node')} IN (%s) GROUP BY {keys}"
    )


@dataclass(frozen=True)
class LevelFigures:
    """One of the four levels (四个层面, R7)."""

    level: str
    label: str
    counts: Counts

    @property
    def rated(self) -> int:
        return self.counts.rated

    @property
    def satisfied(self) -> int:
        return self.counts.satisfied

    @property
    def satisfaction_rate(self) -> float | None:
        return self.counts.satisfaction_rate


@dataclass(frozen=True)
class Figures:
    """A subtree's figures for a period: the totals and each of the four levels (always four,
    in Level's order)."""

    node: OrgNode
    period: Period
    totals: Counts
    levels: list[LevelFigures]


@dataclass(frozen=True)
class VisitCoverage:
    """Visits to one place type (R14): in the period, parties first visited in the period, and
    parties covered from the start of the ledger to the period's end."""

    place_type: str
    label: str
    visits: int
    newly_covered: int
    covered: int


@dataclass(frozen=True)
class Report:
    """Everything the dashboard's head and `ledger_report` show for a subtree and a period."""

    figures: Figures
    visits: list[VisitCoverage]
    pairings: list[PairingStat]
    pairings_on: dt.date
    provisional_years: list[int]  # R1: the calendar of these years is a guess so far
    as_of: dt.datetime | None  # when the roll-ups were last brought up to date
    # R17: the departments' referrals, on the company's report (a department serves it all).
    referrals: list[DepartmentReferrals] = field(default_factory=list)
    # R24: which months of the period are closed, and the late adjustments booked into it.
    closing: Closing | None = None


@dataclass(frozen=True)
class MonthFigures:
    month: dt.date
    counts: Counts
    levels: dict[str, Counts]
    satisfaction_change: float | None  # rate minus the month before's (环比), in points of 1
    satisfaction_change_relative: float | None  # rate ÷ the month before's − 1


def month_in(period: Period) -> Q:
    """A condition on roll-up rows: their month lies in `period`."""
    return Q(month__gte=period.first, month__lte=period.last)


def figures(*, node: OrgNode, period: Period) -> Figures:
    """Return the subtree's totals and four levels for the period (one query)."""
    rows = level_sums("level", node_ids=[node.pk], first=period.first, last=period.last)
    by_level = {level: counts for (level,), counts in rows}
    levels = [
        LevelFigures(level.value, str(level.label), by_level.get(level.value, Counts()))
        for level in Level
    ]
    return Figures(node, period, sum(by_level.values(), Counts()), levels)


def trend_figures(*, node: OrgNode, period: Period, trend: list[MonthFigures]) -> Figures:
    """Return what figures() reads, added up from the months of the period's monthly_trend
    (no query)."""
    levels = [
        LevelFigures(
            level.value,
            str(level.label),
            sum((month.levels[level.value] for month in trend), Counts()),
        )
        for level in Level
    ]
    return Figures(node, period, sum((month.counts for month in trend), Counts()), levels)


@dataclass(frozen=True)
class CellFigures:
    """One colour and kind of entry (basic information has no colour)."""

    colour: str
    kind: str
    counts: Counts


def by_colour_and_kind(*, node: OrgNode, period: Period) -> list[CellFigures]:
    """Return the subtree's counts per colour and kind for the period, those with anything
    in them, in the order of the colours and kinds (one query)."""
    rows = (
        EntryMonthly.objects.filter(month_in(period), node=node)
        .order_by()
        .values("colour", "kind")
        .annotate(**COUNT_SUMS)
    )
    order = {value: n for n, value in enumerate(["", *Colour.values, *EntryKind.values])}
    cells = [CellFigures(row["colour"], row["kind"], Counts.of(row)) for row in rows]
    return sorted(cells, key=lambda cell: (order[cell.colour], order[cell.kind]))


def visit_coverage(*, node: OrgNode, period: Period) -> list[VisitCoverage]:
    """Return the visit coverage (R14) per place type (one query)."""
    in_period = month_in(period)
    sums = {  # place type → (visits, newly covered, covered); a sum of no rows is None
        row["place_type"]: (row["visits_in"] or 0, row["new_in"] or 0, row["covered"] or 0)
        for row in VisitMonthly.objects.filter(node=node, month__lte=period.last)
        .order_by()
        .values("place_type")
        .annotate(
            visits_in=Sum("visits", filter=in_period),
            new_in=Sum("newly_covered", filter=in_period),
            covered=Sum("newly_covered"),
        )
    }
    return [
        VisitCoverage(
            place_type.value, str(place_type.label), *sums.get(place_type.value, (0, 0, 0))
        )
        for place_type in PlaceType
    ]


def pairings_day(period: Period, today: dt.date | None = None) -> dt.date:
    """The day pairings are counted on: the period's last day, or today if it is not over."""
    return min(period.end, today or timezone.localdate())


def provisional_years(*, period: Period) -> list[int]:
    """Return the years of the period whose working-day calendar is provisional (R1): neither
    the statutory schedule nor an administrator covers them (at most one query)."""
    uncovered = [year for year in period.years if not statutory_covers(year)]
    if not uncovered:
        return []
    entered = set(CalendarYear.objects.filter(year__in=uncovered).values_list("year", flat=True))
    return [year for year in uncovered if year not in entered]


def rollups_as_of() -> dt.datetime | None:
    """When the roll-ups were last brought up to date (None: never). Every job that writes the
    roll-up tables — the refresh, the rebuild, closing and reopening a month (which run one
    of them) — moves it, in the same transaction: it is also the version of what they hold."""
    return RollupState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()


@dataclass(frozen=True)
class RolledUp:
    """The part of a Report that only the jobs writing the roll-ups change, in the transaction
    that moves their version (rollups_as_of): the figures, and the closed months and late
    adjustments (R24: closing or reopening a month refreshes or rebuilds them, and the refresh
    books the adjustments). The same until the version moves."""

    as_of: dt.datetime | None  # the roll-ups' version they were read at (rollups_as_of)
    figures: Figures
    visits: list[VisitCoverage]
    referrals: list[DepartmentReferrals]
    closing: Closing


_UNREAD: Any = object()


def rolled_up(
    *,
    node: OrgNode,
    period: Period,
    trend: list[MonthFigures] | None = None,
    as_of: dt.datetime | None = _UNREAD,
) -> RolledUp:
    """Return the report's figures, visit coverage, closed months and late adjustments and, for
    the whole company, the departments' referrals, with the roll-ups' version (at most six
    queries; one fewer given the period's `trend`, from which the figures are added up, and one
    fewer given `as_of`, read before)."""
    return RolledUp(
        as_of=rollups_as_of() if as_of is _UNREAD else as_of,
        figures=figures(node=node, period=period)
        if trend is None
        else trend_figures(node=node, period=period, trend=trend),
        visits=visit_coverage(node=node, period=period),
        referrals=referral_figures(period=period) if node.depth == 1 else [],
        closing=closing_for(node=node, period=period),
    )


def report(
    *,
    node: OrgNode,
    period: Period,
    trend: list[MonthFigures] | None = None,
    rolled: RolledUp | None = None,
) -> Report:
    """Return the figures, visit coverage and pairing counts and calendar warning of a subtree
    and period, and for the whole company the departments' referrals, and the closed months and
    late adjustments (R24) (at most eight queries). Given the period's `trend`
    (monthly_trend), its figures are added up from it, one query fewer; given what `rolled_up`
    read (`rolled`), only the pairings and the calendar are read."""
    day = pairings_day(period)
    rolled = rolled or rolled_up(node=node, period=period, trend=trend)
    return Report(
        referrals=rolled.referrals,
        figures=rolled.figures,
        visits=rolled.visits,
        pairings=subtree_pairing_statistics(node=node, day=day),
        pairings_on=day,
        provisional_years=provisional_years(period=period),
        as_of=rolled.as_of,
        closing=rolled.closing,
    )


def monthly_trend(*, node: OrgNode, period: Period) -> list[MonthFigures]:
    """Return each month of the period with its figures per level and the change of the
    satisfaction rate on the month before (one query; the month before the period is read for
    the first month's change)."""
    before = period.previous().last
    rows = level_sums("month", "level", node_ids=[node.pk], first=before, last=period.last)
    levels: dict[dt.date, dict[str, Counts]] = {}
    for (month, level), counts in rows:
        levels.setdefault(month, {})[level] = counts
    trend, previous = [], sum(levels.get(before, {}).values(), Counts())
    for month in period.months:
        by_level = levels.get(month, {})
        counts = sum(by_level.values(), Counts())
        rate, last = counts.satisfaction_rate, previous.satisfaction_rate
        trend.append(
            MonthFigures(
                month=month,
                counts=counts,
                levels={level.value: by_level.get(level.value, Counts()) for level in Level},
                satisfaction_change=None if rate is None or last is None else rate - last,
                satisfaction_change_relative=rate / last - 1 if rate is not None and last else None,
            )
        )
        previous = counts
    return trend
