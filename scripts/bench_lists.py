#!/usr/bin/env python
"""Time the entry lists server-side on the current database (a benchmark, not a test).

    DATABASE_URL=postgres://… DJANGO_DEBUG=1 .venv/bin/python scripts/bench_lists.py [--runs 20]

Needs the demo logins and a ledger: `manage.py seed_demo --scale province --entries 1000000`.
Each page is requested through Django's test client (middleware, view, queries, template: what
the server does for a request, without the network), warmed up twice, then timed --runs times;
the median and the fastest run are printed with the time the last run spent in the database
(DEBUG's query log, so a little coarse), its query count and the rows the list says it has.
--explain prints the plan of
every query that took longer than --slow milliseconds (PostgreSQL only).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledger_site.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from liaison.models import User  # noqa: E402

RESULT_COUNT = re.compile(r'data-testid="result-count">\D*([\d,]+)')

# (label, demo login, url name, query string)
PAGES = [
    ("branch ledger", "shuji", "liaison:ledger_branch", ""),
    ("branch ledger, filtered", "shuji", "liaison:ledger_branch", "colour=red&overdue=false"),
    ("my entries", "dangyuan", "liaison:ledger_mine", ""),
    ("department inbox", "bumen", "liaison:ledger_department", ""),
    ("department inbox, open", "bumen", "liaison:ledger_department", "status=planned"),
    ("all in scope: committee", "dangwei", "liaison:ledger_all", ""),
    ("all in scope: company", "dangjian", "liaison:ledger_all", ""),
    ("company, overdue red", "dangjian", "liaison:ledger_all", "overdue=true&colour=red"),
    ("company, due in 3 days", "dangjian", "liaison:ledger_all", "due_within=3"),
    ("company, by due date", "dangjian", "liaison:ledger_all", "sort=due_on"),
    (
        "company, one month",
        "dangjian",
        "liaison:ledger_all",
        "recorded_from=2026-06-01&recorded_to=2026-06-30",
    ),
    ("company, page 200", "dangjian", "liaison:ledger_all", "page=200"),
    ("company, text search", "dangjian", "liaison:ledger_all", "q=被褥"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--slow", type=float, default=10.0, help="milliseconds (with --explain)")
    options = parser.parse_args()

    client = Client(HTTP_HOST="localhost")
    users = {u.username: u for u in User.objects.filter(username__in={p[1] for p in PAGES})}
    print(f"database: {connection.vendor}, runs per page: {options.runs}")
    print(f"{'page':<28} {'median ms':>10} {'min ms':>8} {'db ms':>7} {'queries':>8} {'rows':>10}")
    for label, username, url_name, query in PAGES:
        user = users.get(username)
        if user is None:
            print(f"{label:<28} (no login {username}: run seed_demo first)")
            continue
        client.force_login(user)
        url = reverse(url_name) + (f"?{query}" if query else "")
        for _ in range(2):
            response = client.get(url)
            if response.status_code != 200:
                print(f"{label:<28} HTTP {response.status_code}")
                break
        else:
            times = []
            for _ in range(options.runs):
                started = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            count = RESULT_COUNT.search(response.content.decode())
            rows = int(count.group(1).replace(",", "")) if count else -1
            db = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
            print(
                f"{label:<28} {statistics.median(times):>10.1f} {min(times):>8.1f} {db:>7.1f} "
                f"{len(ctx.captured_queries):>8} {rows:>10,}"
            )
            if options.explain and connection.vendor == "postgresql":
                explain_slow(ctx.captured_queries, options.slow)
    return 0


def explain_slow(queries, slow_ms: float) -> None:
    for query in queries:
        if float(query["time"]) * 1000 < slow_ms:
            continue
        print(f"    {float(query['time']) * 1000:.1f} ms: {query['sql'][:300]}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            for (line,) in cursor.fetchall():
                print(f"      {line}")


if __name__ == "__main__":
    sys.exit(main())
