"""Reads of the closed months (R24 月结): which months are closed, when and by whom, and the late
adjustments booked into a period's open months for a node's subtree (what the dashboard, the
Excel export and `ledger_report` say besides the figures)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import CharField, DateField, IntegerField, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from common.prepared import Param, PreparedQuery
from feedback.models import (
    EntryAdjustment,
    EntryMonthlyOwn,
    MonthClose,
    VisitAdjustment,
    VisitMonthly,
)
from feedback.periods import Period, month_of, next_month
from liaison.models import OrgNode

# The counts the adjustment line names, in this order (the others are rarely moved late).
ENTRY_COUNTS = ("recorded", "due", "replied", "resolved", "rated")
VISIT_COUNTS = ("visits", "newly_covered")


# Of the person who closed a month, what the pages name them by; nothing else of the account
# (a dashboard's closing is kept in the shared cache: no password hash, no e-mail goes there).
CLOSER_FIELDS = ("closed_by__username", "closed_by__first_name", "closed_by__last_name")


def closed_months() -> QuerySet[MonthClose]:
    """The months closed now (one row each; the first closing also closed every month before
    its own, which have no row), oldest first, with the closer's names."""
    own = [field.name for field in MonthClose._meta.concrete_fields]
    return (
        MonthClose.objects.filter(reopened_at__isnull=True)
        .select_related("closed_by")
        .only(*own, *CLOSER_FIELDS)
        .order_by("month")
    )


def month_history() -> QuerySet[MonthClose]:
    """Every closing, reopened ones included, newest first (the page's history)."""
    return MonthClose.objects.select_related("closed_by", "reopened_by").order_by(
        "-closed_at", "-month"
    )


@dataclass(frozen=True)
class MonthState:
    """A month of a period: closed or not, and which closing covered it."""

    month: dt.date
    closing: MonthClose | None  # None: open

    @property
    def closed(self) -> bool:
        return self.closing is not None


@dataclass(frozen=True)
class LateCount:
    name: str  # the roll-up column
    label: str
    n: int  # signed


@dataclass(frozen=True)
class Adjustment:
    """The late adjustments booked into one month, from the closed months `source_months`."""

    month: dt.date
    source_months: list[dt.date]
    counts: list[LateCount] = field(default_factory=list)

    @property
    def items(self) -> int:
        return len(self.counts)

    @property
    def sources(self) -> str:
        return ", ".join(f"{month:%Y-%m}" for month in self.source_months)


@dataclass(frozen=True)
class Closing:
    """The closed months and late adjustments of a period, for a node's subtree."""

    months: list[MonthState]
    adjustments: list[Adjustment]

    @property
    def closed(self) -> list[MonthState]:
        return [state for state in self.months if state.closed]


def month_states(period: Period, closings: list[MonthClose]) -> list[MonthState]:
    """The period's months with the closing that covers each (a month before the first
    closing's is covered by it)."""
    by_month = {row.month: row for row in closings}
    first = closings[0] if closings else None
    through = closings[-1].month if closings else None
    states = []
    for month in period.months:
        closing = None
        if through is not None and month <= through:
            closing = by_month.get(month, first)
        states.append(MonthState(month, closing))
    return states


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _adjustment_rows(*, subtree: bool) -> QuerySet:
    """The late adjustments booked into the months from Param "first" to "last" for the
    subtree under Param "path" (the whole company: not `subtree`), of entries and of the visits
    of Param "node": (booked month, source month, counts, "entry" or "visit") rows."""
    in_period = {
        "booked_month__gte": Param("first", DateField()),
        "booked_month__lte": Param("last", DateField()),
    }
    entry_rows = EntryAdjustment.objects.filter(**in_period)
    if subtree:
        entry_rows = entry_rows.filter(org__path__startswith=Param("path", CharField()))
    columns = ("booked_month", "source_month", "counts", "table")
    return (
        entry_rows.annotate(table=Value("entry"))
        .order_by()
        .values_list(*columns)
        .union(
            VisitAdjustment.objects.filter(node=Param("node", IntegerField()), **in_period)
            .annotate(table=Value("visit"))
            .order_by()
            .values_list(*columns),
            all=True,  # every row counts, two alike too
        )
    )


# Compiled once (common.prepared): a dashboard added up reads them, and the union cost Django
# four times its SQL to build and compile.
_SUBTREE_ADJUSTMENTS = PreparedQuery(lambda: _adjustment_rows(subtree=True))
_COMPANY_ADJUSTMENTS = PreparedQuery(lambda: _adjustment_rows(subtree=False))


def closing_for(*, node: OrgNode, period: Period) -> Closing:
    """The period's closed months and the late adjustments booked into its months for the
    node's subtree (two queries, whatever the number of entries)."""
    closings = list(closed_months())
    sources: dict[dt.date, set[dt.date]] = defaultdict(set)
    entry: dict[dt.date, Counter] = defaultdict(Counter)
    visit: dict[dt.date, Counter] = defaultdict(Counter)
    values = {"first": period.first, "last": period.last, "node": node.pk}
    rows = (
        _SUBTREE_ADJUSTMENTS.rows(path=node.path, **values)
        if node.depth > 1
        else _COMPANY_ADJUSTMENTS.rows(**values)
    )
    for row in rows:  # one query
        booked, table = row["booked_month"], row["table"]
        sources[booked].add(row["source_month"])
        (entry if table == "entry" else visit)[booked].update(row["counts"])
    adjustments = []
    for month in sorted(sources):
        counts = [
            LateCount(name, _label(EntryMonthlyOwn, name), entry[month][name])
            for name in ENTRY_COUNTS
            if entry[month][name]
        ] + [
            LateCount(name, _label(VisitMonthly, name), visit[month][name])
            for name in VISIT_COUNTS
            if visit[month][name]
        ]
        if counts:
            adjustments.append(Adjustment(month, sorted(sources[month]), counts))
    return Closing(month_states(period, closings), adjustments)


@dataclass(frozen=True)
class MonthsPage:
    """The closing page: the last twelve months with their state, what may be closed next
    (the months that ended and are open), and the latest closed month (the one to reopen)."""

    months: list[MonthState]
    closable: list[dt.date]
    latest: MonthClose | None
    history: list[MonthClose]


def months_page(today: dt.date | None = None) -> MonthsPage:
    """What the closing page shows (two queries)."""
    today = today or timezone.localdate()
    current = month_of(today)
    first = current
    for _step in range(12):
        first = month_of(first - dt.timedelta(days=1))
    closings = list(closed_months())
    history = list(month_history()[:20])
    states = month_states(Period(first, current), closings)
    through = closings[-1].month if closings else None
    closable, month = [], first
    while month < current:
        if through is None or month > through:
            closable.append(month)
        month = next_month(month)
    return MonthsPage(
        months=list(reversed(states)),
        closable=closable,
        latest=closings[-1] if closings else None,
        history=history,
    )


def closed_by(closing: MonthClose) -> str:
    """Who closed: the person's name, or the scheduled job."""
    if closing.closed_by is None:
        return _("Scheduled job")
    return closing.closed_by.get_full_name() or closing.closed_by.get_username()


def adjustment_text(adjustment: Adjustment) -> str:
    """One line: the month, the closed months adjusted, and the counts (for the export and the
    command; the dashboard writes its own)."""
    counts = "、".join(f"{count.label} {count.n:+d}" for count in adjustment.counts)
    return _(
        "%(month)s includes late adjustments to closed months (%(sources)s): %(items)d items — "
        "%(counts)s"
    ) % {
        "month": f"{adjustment.month:%Y-%m}",
        "sources": adjustment.sources,
        "items": adjustment.items,
        "counts": counts,
    }
