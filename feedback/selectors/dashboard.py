"""The dashboard page's reads: one node's figures for one period, from the roll-up tables.

`dashboard_for` gathers what the page shows (feedback.selectors.figures and .rankings do the
reading) and the data of its charts. Every chart has its table beside it on the page; the
charts are drawn by ECharts in the browser from the JSON built here, so a page without
JavaScript still shows every figure.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import hashlib
import importlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from feedback.percentages import percent_number
from feedback.periods import Period, month_of
from feedback.selectors.channels import ChannelSelection, ScopeRow, channel_selection, channel_tree
from feedback.selectors.figures import (
    MonthFigures,
    Report,
    RolledUp,
    monthly_trend,
    report,
    rolled_up,
    rollups_as_of,
)
from feedback.selectors.rankings import UnitFigures, units_and_branches
from liaison import permissions
from liaison.models import Channel, OrgNode, User


@dataclass(frozen=True)
class PeriodChoice:
    value: str
    label: str


def period_choices(today: dt.date | None = None) -> list[PeriodChoice]:
    """The periods offered in the selector: this and last month, quarter and year."""
    today = today or timezone.localdate()
    this_month = month_of(today)
    last_month = month_of(this_month - dt.timedelta(days=1))
    quarter = (today.month - 1) // 3 + 1
    last_quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    choices = [
        (Period.month(this_month.year, this_month.month), _("This month")),
        (Period.month(last_month.year, last_month.month), _("Last month")),
        (Period.quarter(today.year, quarter), _("This quarter")),
        (Period.quarter(*last_quarter), _("Last quarter")),
        (Period.year(today.year), _("This year")),
        (Period.year(today.year - 1), _("Last year")),
    ]
    return [PeriodChoice(str(period), f"{label} ({period})") for period, label in choices]


def default_period(today: dt.date | None = None) -> Period:
    """This year so far: the figures the department reads every morning."""
    return Period.year((today or timezone.localdate()).year)


def _percent(rate: float | None) -> float | None:
    """A rate as the charts draw it: in percent, rounded as the tables print it."""
    number = percent_number(rate)
    return None if number is None else float(number)


@dataclass(frozen=True)
class Dashboard:
    node: OrgNode
    period: Period
    parents: list[OrgNode]  # from the top of the user's subtree down to the node
    report: Report
    trend: list[MonthFigures]
    units: UnitFigures
    branches: UnitFigures
    charts: dict
    channels: list[ScopeRow] = field(default_factory=list)  # by scope, category, channel
    selection: ChannelSelection | None = None  # the channels or campaigns asked for

    @property
    def totals(self):
        return self.report.figures.totals


def _charts(rolled: RolledUp, trend: list[MonthFigures], units: UnitFigures) -> dict:
    """The data of the page's charts (names and numbers only; the page's script draws them)."""
    return {
        "levels": {
            "categories": [level.label for level in rolled.figures.levels],
            "series": [
                {
                    "name": _("Satisfaction rate (%)"),
                    "type": "bar",
                    "data": [_percent(level.satisfaction_rate) for level in rolled.figures.levels],
                }
            ],
            "percent": True,
        },
        "trend": {
            "categories": [f"{month.month:%Y-%m}" for month in trend],
            "series": [
                {
                    "name": _("Satisfaction rate (%)"),
                    "type": "line",
                    "data": [_percent(month.counts.satisfaction_rate) for month in trend],
                },
                {
                    "name": _("On-time reply rate (%)"),
                    "type": "line",
                    "data": [_percent(month.counts.on_time_rate) for month in trend],
                },
            ],
            "percent": True,
        },
        "units": {
            "categories": [row.node.name for row in units.rows],
            "series": [
                {
                    "name": _("Awaiting a reply, in time"),
                    "type": "bar",
                    "stack": "open",
                    "itemStyle": {"color": "#90a4ae"},
                    "data": [row.awaiting_now - row.overdue_now for row in units.rows],
                },
                {
                    "name": _("Overdue"),
                    "type": "bar",
                    "stack": "open",
                    "itemStyle": {"color": "#c62828"},
                    "data": [row.overdue_now for row in units.rows],
                },
            ],
            "horizontal": True,
        },
        "visits": {
            "categories": [visit.label for visit in rolled.visits],
            "series": [
                {
                    "name": _("Visits"),
                    "type": "bar",
                    "data": [visit.visits for visit in rolled.visits],
                }
            ],
        },
    }


@dataclass(frozen=True)
class FromRollups:
    """What a dashboard reads from the roll-up tables (and the org tree and channels it names
    them by), with the charts drawn from it: the same until the roll-ups are next refreshed."""

    trend: list[MonthFigures]
    rolled: RolledUp
    units: UnitFigures
    branches: UnitFigures
    channels: list[ScopeRow]
    charts: dict


def from_rollups(*, node: OrgNode, period: Period, as_of: dt.datetime | None) -> FromRollups:
    """Read the node's roll-up figures for the period, with its closed months and late
    adjustments (eleven queries at most)."""
    trend = monthly_trend(node=node, period=period)
    rolled = rolled_up(node=node, period=period, trend=trend, as_of=as_of)
    units, branches = units_and_branches(node=node, period=period)
    tree = channel_tree(node=node, period=period)
    return FromRollups(trend, rolled, units, branches, tree, _charts(rolled, trend, units))


# The roll-up part of the dashboards read lately in this process, by node, period, version of
# the roll-ups (rollups_as_of) and language (the charts' labels). A refresh moves the version,
# so a figure is never older than the roll-ups; an org unit renamed or a channel added shows
# at the next refresh (every two minutes), as a new figure does. About 100 kB a company node.
DASHBOARDS_KEPT = 64
# Kept for the other processes too, in the shared cache (Redis in production), for long enough
# to outlive a few refreshes' versions; and the dashboards read in the last day (at most
# DASHBOARDS_WARMED of them) are read again by the job after each refresh (warm_dashboards), so
# the first reader after a refresh does not wait for the roll-ups to be added up.
SHARED_SECONDS = 15 * 60
READ_LATELY_SECONDS = 24 * 60 * 60
DASHBOARDS_WARMED = 100
# The dashboards the job reads after each refresh whether or not anyone read them lately: the
# company's and those of the nodes right under it (committees, general branches), this year in
# the default language, as the party-building department and the committees open them in the
# morning. They are the most read and, with the most units and branches under them, the
# dearest to add up (at a province's top 11.6 ms, at a branch 6); 18 of them at a province.
ALWAYS_WARM_DEPTH = 2
_READ_KEY = "dashboards:read"


def code_fingerprint(paths: Iterable[str | Path]) -> str:
    """A short digest of the files' contents."""
    digest = hashlib.blake2b(digest_size=6)
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


# The code of what the shared cache keeps: the selectors whose dataclasses it holds and the
# classes of the objects in them. Its digest is named in the key, so that after a deploy that
# changed it no process unpickles an object of the old shape (a field missing, an enum member
# renamed); the first reader or the job reads it afresh. A test pickles a dashboard and fails
# if one of its classes comes from a module not listed here.
KEPT_CODE = (
    __name__,
    "feedback.periods",
    "feedback.selectors.figures",
    "feedback.selectors.rankings",
    "feedback.selectors.channels",
    "feedback.selectors.closing",
    "feedback.selectors.referrals",
    "feedback.models.closing",
    "liaison.models.orgs",
    "liaison.models.ledger",
)


def _source(module_name: str) -> str:
    path = importlib.import_module(module_name).__file__
    if path is None:
        raise ImproperlyConfigured(f"{module_name} has no source file to take the digest of")
    return path


_CODE = code_fingerprint(_source(name) for name in KEPT_CODE)


def _shared_key(node_id: int, period: Period, as_of: dt.datetime, language: str) -> str:
    return f"dashboard:{_CODE}:{node_id}:{period}:{as_of.isoformat()}:{language}"


@functools.lru_cache(maxsize=DASHBOARDS_KEPT)
def _kept(node: OrgNode, period: Period, as_of: dt.datetime, language: str) -> FromRollups:
    key = _shared_key(node.pk, period, as_of, language)
    _shared_here.append(key)
    read = cache.get(key)
    if read is None:
        read = from_rollups(node=node, period=period, as_of=as_of)
        cache.set(key, read, SHARED_SECONDS)
    _note_read(node.pk, period, language)
    return read


# The shared keys this process read or wrote lately (for forget_kept; older ones have expired).
_shared_here: collections.deque[str] = collections.deque(maxlen=4 * DASHBOARDS_KEPT)


def _note_read(node_id: int, period: Period, language: str) -> None:
    """Note that a process read this dashboard (once per refresh: what warm_dashboards reads).
    Two processes noting at once may lose one note: the next refresh's reading notes it."""
    read: dict[tuple[int, str, str], float] = cache.get(_READ_KEY) or {}
    read[(node_id, str(period), language)] = time.time()
    if len(read) > DASHBOARDS_WARMED:
        read = dict(sorted(read.items(), key=lambda item: item[1])[-DASHBOARDS_WARMED:])
    cache.set(_READ_KEY, read, READ_LATELY_SECONDS)


def warm_dashboards() -> int:
    """Read the roll-up part of the top dashboards (ALWAYS_WARM_DEPTH) and of each dashboard
    read in the last day into the shared cache for the roll-ups' current version (the job runs
    this after each refresh and rebuild); return how many were read (those already there are
    not read again)."""
    as_of = rollups_as_of()
    if as_of is None:
        return 0
    since = time.time() - READ_LATELY_SECONDS
    this_year = str(default_period())
    tops = OrgNode.objects.filter(depth__lte=ALWAYS_WARM_DEPTH).values_list("pk", flat=True)
    read_lately = [key for key, at in (cache.get(_READ_KEY) or {}).items() if at >= since]
    wanted = dict.fromkeys(  # in order, each once
        [*((pk, this_year, settings.LANGUAGE_CODE) for pk in tops.order_by("path")), *read_lately]
    )
    nodes = OrgNode.objects.in_bulk({node_id for node_id, _period, _language in wanted})
    read = 0
    for node_id, period_text, language in wanted:
        node = nodes.get(node_id)
        if node is None:  # removed from the tree since
            continue
        period = Period.parse(period_text)
        key = _shared_key(node_id, period, as_of, language)
        if cache.has_key(key):
            continue
        with translation.override(language or settings.LANGUAGE_CODE):
            cache.set(key, from_rollups(node=node, period=period, as_of=as_of), SHARED_SECONDS)
        _shared_here.append(key)
        read += 1
    return read


def forget_kept(*, shared: bool = False) -> None:
    """Empty this process's dashboards kept, as a refresh does (the benchmark's first read
    after one): the shared cache's copies stay, as the job would have read them; with
    `shared`, those this process read or wrote go too, and the notes of what was read (as if
    nobody had read a dashboard lately; the tests start each from there)."""
    _kept.cache_clear()
    if shared:
        cache.delete_many([*set(_shared_here), _READ_KEY])
        _shared_here.clear()


def dashboard_for(
    *, user: User, node: OrgNode, period: Period, channels: list[Channel] | None = None
) -> Dashboard:
    """Return the dashboard of `node` (already checked to lie in the user's subtree) for
    `period`, with the figures of `channels` together if asked: a fixed number of queries on
    the roll-up tables and the org tree, of which those on the roll-up tables only once per
    node, period and refresh of the roll-ups in a process (`_kept`)."""
    scope = permissions.scope_path(user) or ""
    ancestors = list(OrgNode.objects.get_ancestors(node)) if node.depth > 1 else []
    parents = [n for n in ancestors if n.path.startswith(scope)] + [node]
    as_of = rollups_as_of()
    read = (
        from_rollups(node=node, period=period, as_of=None)  # never computed: nothing to keep
        if as_of is None
        else _kept(node, period, as_of, get_language() or "")
    )
    the_report = report(node=node, period=period, rolled=read.rolled)
    selection = channel_selection(node=node, period=period, channels=channels) if channels else None
    return Dashboard(
        node,
        period,
        parents,
        the_report,
        read.trend,
        read.units,
        read.branches,
        read.charts,
        read.channels,
        selection,
    )
