#!/usr/bin/env python
"""Show where a page's SQL time goes (a measuring aid, not a test).

    DATABASE_URL=postgres://… DJANGO_DEBUG=1 .venv/bin/python scripts/explain_pages.py \
        [--user dangjian] [--slow 5] [--explain] /supervision/ "/ledger/?colour=red" …

Each page is fetched through the test client as the user (three runs, the first unmeasured);
for the last run it prints the server time, the query count, the SQL time, and every query
slower than --slow milliseconds with, given --explain, its EXPLAIN (ANALYZE, BUFFERS) plan
(PostgreSQL only).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledger_site.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from liaison.models import User  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--user", default="dangjian")
    parser.add_argument("--slow", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    client = Client()
    client.force_login(User.objects.get(username=args.user))
    for path in args.paths:
        times = []
        for _run in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - start) * 1000)
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        print(
            f"{path} [{response.status_code}] runs {', '.join(f'{t:.0f}' for t in times)} ms; "
            f"{len(queries.captured_queries)} queries, SQL {sql_ms:.1f} ms"
        )
        for query in queries.captured_queries:
            ms = float(query["time"]) * 1000
            if ms < args.slow:
                continue
            print(f"  {ms:7.1f} ms  {query['sql'][:3000]}")
            if args.explain and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    for (line,) in cursor.fetchall():
                        print("      " + line)


if __name__ == "__main__":
    main()
