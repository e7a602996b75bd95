#!/usr/bin/env python
"""Time every main page server-side on the current database (a benchmark, not a test).

    DATABASE_URL=postgres://… .venv/bin/python scripts/bench_pages.py [--runs 30] [--json]

Needs the demo logins and a ledger: `manage.py seed_demo --scale province --entries 1000000` and
`manage.py rollups rebuild`. Runs with the settings it is given (DEBUG off is what production
does: set DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS=testserver and collect the static files first,
or DJANGO_DEBUG=1).

Each page is requested through Django's test client — the whole middleware stack, the view, the
queries and the template: what the server does for a request, without the network — as the
persona who reads it, warmed up three times, then timed --runs times. Printed per page: the
median and the fastest run, the query count, the median time of its SQL (the queries' own
round trips as the client sees them, planning included, timed with perf_counter), the ratio
of the median to that SQL, and to the floor: a hello-world view served through the same
middleware to the same user.
A pure-Python reference loop says how fast the machine runs Python, to set figures from
different machines side by side.
The bounds the pages are held to (issue 16): median ≤ 2 × (SQL + 10 ms) and ≤ 50 ms
(the dashboard ≤ 30 ms); the last column says whether a page is within them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledger_site.settings")

import django

django.setup()

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402

import ledger_site.urls  # noqa: E402
from feedback.selectors import dashboard as dashboard_selectors  # noqa: E402
from liaison.models import Entry, User  # noqa: E402


@login_required
def hello(request):
    return HttpResponse("hello")


# The project's URLs and one more: the floor, through the same middleware.
urlpatterns = [path("bench-hello/", hello), *ledger_site.urls.urlpatterns]
handler400 = getattr(ledger_site.urls, "handler400", None)
handler403 = getattr(ledger_site.urls, "handler403", None)
handler404 = getattr(ledger_site.urls, "handler404", None)
handler500 = getattr(ledger_site.urls, "handler500", None)

# (label, demo login, path and query; {entry} is an entry the login may open)
PAGES = [
    ("home (secretary)", "shuji", "/"),
    ("home (party-building)", "dangjian", "/"),
    # The home page's second part, which it fetches once it has loaded (htmx).
    ("home figures (secretary)", "shuji", "/home/figures/"),
    ("home figures (party-building)", "dangjian", "/home/figures/"),
    ("branch ledger", "shuji", "/ledger/"),
    ("branch ledger, red", "shuji", "/ledger/?colour=red"),
    ("my entries", "dangyuan", "/entries/mine/"),
    ("department inbox", "bumen", "/entries/department/"),
    ("company list", "dangjian", "/entries/"),
    ("company list, red overdue", "dangjian", "/entries/?colour=red&overdue=true"),
    ("text search (2 characters)", "dangjian", "/entries/?q=被褥"),
    ("text search (4 characters)", "dangjian", "/entries/?q=食堂饮水"),
    ("entry page", "dangjian", "/entries/{entry}/"),
    ("supervision board", "dangjian", "/supervision/"),
    ("dashboard", "dangjian", "/feedback/dashboard/"),
    ("dashboard, roll-ups just refreshed", "dangjian", "/feedback/dashboard/"),
    ("dashboard of a branch, unread lately", "shuji", "/feedback/dashboard/"),
]
# What runs before each request of a page, untimed. Each process keeps the roll-up part of a
# dashboard until the next refresh of the roll-ups; the shared cache keeps it for the other
# processes, and after a refresh the job reads again into it the company's and committees'
# dashboards and those read in the last day. The first read in a process after a refresh takes
# it from the shared cache; the first read of a dashboard the job does not read (a branch's
# nobody read in the last day) adds the roll-ups up.
BEFORE_EACH = {
    "dashboard, roll-ups just refreshed": dashboard_selectors.forget_kept,
    "dashboard of a branch, unread lately": lambda: dashboard_selectors.forget_kept(shared=True),
}
DASHBOARD_BOUND_MS = 30.0
PAGE_BOUND_MS = 50.0


class QueryTimer:
    """Times each query's round trip with perf_counter (Django's debug cursor rounds a query's
    time to whole milliseconds, and logs): an execute_wrapper, as light as one can be."""

    def __init__(self) -> None:
        self.durations: list[float] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.durations.append(time.perf_counter() - started)


def reference_ms() -> float:
    """The median time of a fixed pure-Python loop (a million additions): how fast this machine
    runs Python, to set figures from different machines side by side."""
    times = []
    for _ in range(7):
        started = time.perf_counter()
        total = 0
        for n in range(1_000_000):
            total += n
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def time_page(client: Client, url: str, runs: int, before=lambda: None) -> dict:
    for _ in range(3):
        before()
        response = client.get(url, secure=True)
        if response.status_code != 200:
            return {"status": response.status_code}
    times, sql, queries = [], [], 0
    for _ in range(runs):
        before()
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            client.get(url, secure=True)
            times.append((time.perf_counter() - started) * 1000)
        sql.append(sum(timer.durations) * 1000)
        queries = len(timer.durations)
    return {
        "status": 200,
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "queries": queries,
        "sql_ms": statistics.median(sql),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pages", help="only the pages whose label contains this text")
    parser.add_argument("--json", action="store_true", help="print JSON")
    options = parser.parse_args()

    users = {u.username: u for u in User.objects.filter(username__in={p[1] for p in PAGES})}
    entry = Entry.objects.order_by("-pk").values_list("pk", flat=True).first()
    results = []
    # The test client's host is "testserver", which production settings rightly refuse.
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(users["dangjian"])
        floor = time_page(client, "/bench-hello/", options.runs)
        if floor["status"] != 200:
            print(f"the hello-world floor answered HTTP {floor['status']}", file=sys.stderr)
            return 1
        for label, username, url in PAGES:
            if options.pages and options.pages not in label:
                continue
            user = users.get(username)
            if user is None or entry is None:
                results.append({"page": label, "error": f"no {username} or no entry: seed first"})
                continue
            client.force_login(user)
            before = BEFORE_EACH.get(label, lambda: None)
            timing = time_page(client, url.format(entry=entry), options.runs, before)
            if timing["status"] != 200:
                results.append({"page": label, "error": f"HTTP {timing['status']}"})
                continue
            bound = DASHBOARD_BOUND_MS if label.startswith("dashboard") else PAGE_BOUND_MS
            timing.update(
                page=label,
                to_sql=timing["median_ms"] / timing["sql_ms"] if timing["sql_ms"] else None,
                to_floor=timing["median_ms"] / floor["median_ms"],
                within=timing["median_ms"] <= min(2 * (timing["sql_ms"] + 10), bound),
            )
            results.append(timing)
    entries = Entry.objects.count()
    reference = reference_ms()
    if options.json:
        print(json.dumps({"database": connection.vendor, "entries": entries, "floor": floor,
                          "reference_ms": reference, "pages": results}, indent=2))  # fmt: skip
        return 0
    print(f"database: {connection.vendor}, {entries:,} entries, runs per page: {options.runs}")
    print(f"machine: a pure-Python loop of a million additions takes {reference:.0f} ms")
    print(f"floor (hello world through the middleware): median {floor['median_ms']:.1f} ms")
    header = f"{'page':<36} {'median':>7} {'min':>7} {'queries':>7} {'SQL':>7} {'×SQL':>6} "
    print(header + f"{'×floor':>7}  bounds")
    for row in results:
        if "error" in row:
            print(f"{row['page']:<36} {row['error']}")
            continue
        to_sql = f"{row['to_sql']:.1f}" if row["to_sql"] else "—"
        print(
            f"{row['page']:<36} {row['median_ms']:>7.1f} {row['min_ms']:>7.1f} "
            f"{row['queries']:>7} {row['sql_ms']:>7.1f} {to_sql:>6} {row['to_floor']:>7.1f}  "
            f"{'within' if row['within'] else 'OUTSIDE'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
