#!/usr/bin/env python
"""Time the periodic jobs on the current database (a benchmark, not a test).

    DATABASE_URL=postgres://… DJANGO_DEBUG=1 .venv/bin/python scripts/bench_sweep.py [--runs 5]

Needs a ledger: `DJANGO_DEBUG=1 manage.py seed_demo --scale province --entries 1000000`.
Every run happens inside a transaction that is rolled back, so each run finds the database as
it was and the database is left as it was (on PostgreSQL, VACUUM ANALYZE clears the dead rows
the runs leave before each scenario; --no-vacuum skips it). Each job is timed --runs times per
scenario and the median and the fastest run are printed, with the queries of the last run
(a savepoint and its release among them), the time they spent in the database, and what the
job reported:

- sweep, as found: what the next beat would do now (on a fresh demo ledger: tell the owners and
  escalate the entries the seed flagged, since the seed writes no notifications);
- sweep, idle: the run after that, with nothing left to do (the every-15-minutes case);
- sweep, a day later: yesterday's sweep first (not timed), then today's: the nightly run, which
  flags the entries due yesterday and escalates those that are now late long enough;
- sweep, all at once: every overdue entry unflagged first (not timed), as on the first run after
  an import, or after the beat was down for long;
- warnings and close_unrated, as found and idle.
--explain prints the plan of every query that took longer than --slow milliseconds
(PostgreSQL only).
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
from django.db.models import Count, Q  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from liaison.constants import AWAITING_REPLY_STATUSES, EntryStatus  # noqa: E402
from liaison.models import Entry  # noqa: E402
from liaison.services import jobs  # noqa: E402


def unflag_all() -> None:
    """Forget every overdue flag, as if the sweep had never run."""
    Entry.objects.filter(is_overdue=True).update(is_overdue=False, overdue_since=None)


def scenarios(today: dt.date) -> list[tuple[str, Callable[[], None] | None, Callable[[], dict]]]:
    """(label, setup run untimed inside the run's transaction, the job)."""
    sweep = lambda: jobs.overdue_sweep(today=today)  # noqa: E731
    sweep_yesterday = lambda: jobs.overdue_sweep(today=today - dt.timedelta(days=1))  # noqa: E731
    warnings = lambda: jobs.due_soon_warnings(today=today)  # noqa: E731
    close = lambda: jobs.close_unrated(today=today)  # noqa: E731
    return [
        ("sweep, as found", None, sweep),
        ("sweep, idle", sweep, sweep),
        ("sweep, a day later", sweep_yesterday, sweep),
        ("sweep, all at once", unflag_all, sweep),
        ("warnings, as found", None, warnings),
        ("warnings, idle", warnings, warnings),
        ("close_unrated, as found", None, close),
        ("close_unrated, idle", close, close),
    ]


def time_once(setup, job) -> tuple[float, dict, list[dict]]:
    with transaction.atomic():
        if setup is not None:
            setup()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            result = job()
            seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds, result, ctx.captured_queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--today", type=dt.date.fromisoformat, help="default: today")
    parser.add_argument("--only", help="run only the scenarios whose label contains this")
    parser.add_argument(
        "--no-vacuum", action="store_true", help="skip VACUUM ANALYZE before each scenario"
    )
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--slow", type=float, default=100.0, help="milliseconds (with --explain)")
    options = parser.parse_args()
    today = options.today or timezone.localdate()

    counts = Entry.objects.aggregate(
        entries=Count("pk"),
        awaiting=Count("pk", filter=Q(status__in=AWAITING_REPLY_STATUSES)),
        past_due=Count("pk", filter=Q(status__in=AWAITING_REPLY_STATUSES, due_on__lt=today)),
        flagged=Count("pk", filter=Q(is_overdue=True)),
        replied=Count("pk", filter=Q(status=EntryStatus.REPLIED)),
    )
    print(f"database: {connection.vendor}, today: {today}, runs per scenario: {options.runs}")
    print(", ".join(f"{name} {value:,}" for name, value in counts.items()))
    print(f"{'job':<26} {'median ms':>10} {'min ms':>9} {'db ms':>9} {'queries':>8}  result")
    for label, setup, job in scenarios(today):
        if options.only and options.only not in label:
            continue
        if connection.vendor == "postgresql" and not options.no_vacuum:
            vacuum()
        times = []
        for _ in range(options.runs):
            seconds, result, queries = time_once(setup, job)
            times.append(seconds * 1000)
        db = sum(float(q["time"]) for q in queries) * 1000
        print(
            f"{label:<26} {statistics.median(times):>10.1f} {min(times):>9.1f} {db:>9.1f} "
            f"{len(queries):>8}  {result}"
        )
        if options.explain and connection.vendor == "postgresql":
            explain_slow(setup, queries, options.slow)
    return 0


def vacuum() -> None:
    """Clear the dead rows that the rolled-back runs leave behind (PostgreSQL), so that every
    scenario meets tables as the autovacuum keeps them, not bloated by the runs before."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE liaison_entry, liaison_entryevent, liaison_notification")


def explain_slow(setup, queries, slow_ms: float) -> None:
    """Print the plans of the slow reads; a write is explained in a transaction rolled back."""
    for query in queries:
        if float(query["time"]) * 1000 < slow_ms or query["sql"].startswith(("SAVEPOINT", "REL")):
            continue
        print(f"    {float(query['time']) * 1000:.1f} ms: {query['sql'][:200]}")
        with transaction.atomic():
            if setup is not None:
                setup()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                for (line,) in cursor.fetchall()[:25]:
                    print(f"      {line}")
            transaction.set_rollback(True)


if __name__ == "__main__":
    sys.exit(main())
