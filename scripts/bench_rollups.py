#!/usr/bin/env python
"""Time the roll-up jobs and the dashboard selectors on the current database (a benchmark, not
a test).

    DATABASE_URL=postgres://… DJANGO_DEBUG=1 .venv/bin/python scripts/bench_rollups.py [--runs 20]

Needs a ledger: `manage.py seed_demo --scale province --yes && manage.py seed_demo --entries
100000 --yes`. It times `rollups_rebuild` (--rebuilds times; DESIGN.md §5: under 60 s with a
million entries), a refresh with nothing new, and a refresh after one entry was replied (rolled
back afterwards, so the database is left as it was). Then each dashboard selector
(feedback.selectors.figures and .rankings), and all of them as a dashboard page calls them
("page"), for the company, a committee and a branch, over the last full quarter and the last
twelve months: the median and fastest of --runs runs (after two warm-ups), the time the last run
spent in the database and its query count (DESIGN.md §5: a dashboard in under 30 ms).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledger_site.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from feedback.periods import Period, month_of  # noqa: E402
from feedback.selectors import figures, rankings  # noqa: E402
from feedback.services.rollups import rollups_rebuild, rollups_refresh  # noqa: E402
from liaison.constants import EntryStatus, OrgKind  # noqa: E402
from liaison.models import Entry, OrgNode  # noqa: E402
from liaison.services import workflow  # noqa: E402


def timed(function, runs: int, warm: int = 2) -> tuple[float, float, float, int]:
    """Median and fastest ms of `runs` calls; database ms and queries of one more."""
    for _ in range(warm):
        function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        function()
    db = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
    return statistics.median(times), min(times), db, len(ctx.captured_queries)


SELECTORS: dict[str, Callable[..., object]] = {
    "report": figures.report,
    "monthly_trend": figures.monthly_trend,
    "by_unit": rankings.by_unit,
    "branch_ranking": rankings.branch_ranking,
    "by_colour_and_kind": figures.by_colour_and_kind,
}


def page(*, node, period) -> None:
    """What a dashboard page reads: every selector once."""
    for selector in SELECTORS.values():
        selector(node=node, period=period)


class Rollback(Exception):
    pass


def refresh_after_a_change() -> float:
    """Record a reply on an entry awaiting one, refresh, and roll it all back: seconds."""
    entry = (
        Entry.objects.filter(status=EntryStatus.RESOLVED).select_related("owner").order_by("-pk")
    ).first()
    if entry is None:
        return float("nan")
    try:
        with transaction.atomic():
            workflow.entry_reply(
                entry=entry,
                actor=entry.owner,
                expected_version=entry.version,
                text="bench",
                method="phone",
            )
            started = time.perf_counter()
            rollups_refresh()
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rebuilds", type=int, default=3)
    options = parser.parse_args()

    entries = Entry.objects.count()
    print(f"database: {connection.vendor}, entries: {entries:,}")
    rebuilds = []
    for _ in range(options.rebuilds):
        started = time.perf_counter()
        result = rollups_rebuild()
        rebuilds.append(time.perf_counter() - started)
    print(
        f"rollups_rebuild: median {statistics.median(rebuilds):.1f} s, "
        f"fastest {min(rebuilds):.1f} s ({result})"
    )
    quiet = timed(rollups_refresh, 5, warm=1)
    read = rollups_refresh()  # what one more such run read: no event, no visit
    print(
        f"rollups_refresh, nothing new: median {quiet[0]:.1f} ms, {quiet[3]} queries, "
        f"{read['events']} events and {read['visits']} visits read"
    )
    changed = [refresh_after_a_change() for _ in range(5)]
    print(f"rollups_refresh after one reply: median {statistics.median(changed) * 1000:.0f} ms")

    last = Entry.objects.aggregate(last=Max("recorded_on"))["last"] or timezone.localdate()
    full = month_of(month_of(last) - dt.timedelta(days=1))  # the last whole month with data
    quarter = Period.quarter(full.year, (full.month - 1) // 3 + 1)
    if quarter.last > full:
        quarter = quarter.previous()
    year = Period(full, full)
    for _ in range(11):
        year = Period(month_of(year.first - dt.timedelta(days=1)), full)
    company = OrgNode.objects.order_by("path").first()
    committee = OrgNode.objects.filter(kind=OrgKind.COMMITTEE).order_by("path").first()
    branch = (
        OrgNode.objects.filter(kind=OrgKind.BRANCH, path__startswith=committee.path)
        .order_by("path")
        .first()
    )
    print(
        f"{'selector':<18} {'node':<12} {'period':<17} {'median ms':>9} {'min ms':>7} "
        f"{'db ms':>6} {'queries':>7}"
    )
    for node in (company, committee, branch):
        for period in (quarter, year):
            for name in (*SELECTORS, "page"):
                selector = SELECTORS.get(name, page)
                median, fastest, db, queries = timed(
                    lambda selector=selector, node=node, period=period: selector(
                        node=node, period=period
                    ),
                    options.runs,
                )
                print(
                    f"{name:<18} {node.code:<12} {period!s:<17} {median:>9.1f} {fastest:>7.1f} "
                    f"{db:>6.1f} {queries:>7}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
