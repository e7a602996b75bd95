"""The real PgBouncer and streaming replica that .ci/run starts (.ci/scaleout-services).

A test names the one it needs by its environment variable (LEDGER_TEST_PGBOUNCER_URL,
LEDGER_TEST_REPLICA_URL: a postgres:// address whose database name is ignored — the tests use
the test database, which reaches the replica by streaming like everything else). Without it the
test skips, unless LEDGER_REQUIRE_SCALEOUT=1 (set by .ci/run): then a missing service fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import dj_database_url
import psycopg2
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent


def service(variable: str) -> dict:
    """The host, port and user of the service that `variable` names; skip or fail without it."""
    url = os.environ.get(variable, "")
    reason = ""
    if not url:
        reason = f"{variable} is not set (.ci/scaleout-services starts the service)"
    elif connection.vendor != "postgresql":
        reason = f"{variable} needs the tests on PostgreSQL (DATABASE_URL)"
    if reason:
        if os.environ.get("LEDGER_REQUIRE_SCALEOUT") == "1":
            pytest.fail(f"LEDGER_REQUIRE_SCALEOUT=1 but {reason}")
        pytest.skip(reason)
    parsed = dj_database_url.parse(url)
    return {"host": parsed["HOST"], "port": int(parsed["PORT"]), "user": parsed["USER"]}


def connect(where: dict, dbname: str | None = None):
    """A raw autocommit connection to the service (to the test database unless named)."""
    raw = psycopg2.connect(dbname=dbname or connection.settings_dict["NAME"], **where)
    raw.autocommit = True
    return raw


def wait_for_replay(replica, *, timeout: float = 30) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (position,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    with replica.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
            if cursor.fetchone()[0]:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the replica has not replayed {position} in {timeout} s")
            time.sleep(0.05)


def run_python(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    """Run Python `code` in a fresh process with the environment less the app's variables."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_DEBUG": "1", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
