"""The app's queries through the real PgBouncer in transaction pooling (127.0.0.1:6432): a
transaction, iterator() (no server-side cursor: DATABASE_POOLER=pgbouncer), select_for_update,
a write read back — and a whole job of the app (the nightly roll-up rebuild: COPY, ANALYZE, row
locks) run by manage.py with the production settings pointed at PgBouncer."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection, connections, transaction

from feedback.models import RollupState
from liaison.constants import Role
from liaison.models import CalendarDay
from tests.fixtures.factories import make_entry
from tests.scaleout.services import connect, service

ROOT = Path(__file__).resolve().parent.parent.parent
POOLED = "pooled"
pytestmark = pytest.mark.django_db(transaction=True)


def _release(where: dict, database: str) -> None:
    """Close PgBouncer's server connections to the test database (else it cannot be dropped)."""
    admin = connect(where, "pgbouncer")
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'KILL "{database}"')
            cursor.execute(f'RESUME "{database}"')
    finally:
        admin.close()


@pytest.fixture
def pgbouncer():
    where = service("LEDGER_TEST_PGBOUNCER_URL")
    database = connection.settings_dict["NAME"]
    try:
        yield where
    finally:
        _release(where, database)


@pytest.fixture
def taxonomies(transactional_db):
    """The channels a migration seeds (a transactional test before this one flushed them)."""
    importlib.import_module("liaison.migrations.0005_seed_taxonomies").seed(apps, None)


@pytest.fixture
def pooled(transactional_db, pgbouncer):
    """A connection alias to the test database through PgBouncer, set as DATABASE_POOLER=
    pgbouncer sets the app's (no server-side cursors)."""
    # Nor startup options: PgBouncer refuses them, so settings sends none behind it
    # (DATABASE_PARALLEL_WORKERS goes on the role there).
    options = {k: v for k, v in connection.settings_dict["OPTIONS"].items() if k != "options"}
    settings_dict = {
        **connection.settings_dict,
        "HOST": pgbouncer["host"],
        "PORT": pgbouncer["port"],
        "DISABLE_SERVER_SIDE_CURSORS": True,
        "OPTIONS": options,
    }
    # A connection made here, not in settings.DATABASES (the test's allowed databases).
    connections[POOLED] = type(connections["default"])(settings_dict, alias=POOLED)
    try:
        yield POOLED
    finally:
        connections[POOLED].close()
        del connections[POOLED]


def _pooled_clients(where: dict) -> list[str]:
    admin = connect(where, "pgbouncer")
    try:
        with admin.cursor() as cursor:
            cursor.execute("SHOW CLIENTS")
            columns = [column.name for column in cursor.description]
            return [dict(zip(columns, row, strict=True))["database"] for row in cursor.fetchall()]
    finally:
        admin.close()


def test_transactions_iterators_row_locks_and_reads_of_writes(pooled, pgbouncer):
    days = CalendarDay.objects.using(pooled)
    with transaction.atomic(using=pooled):
        for offset in range(5):
            days.create(date=dt.date(2031, 1, 1) + dt.timedelta(days=offset), is_working=False)
    assert connection.settings_dict["NAME"] in _pooled_clients(pgbouncer)
    # Read back through the pool (and seen by the primary's own connection too).
    assert days.count() == 5
    assert CalendarDay.objects.count() == 5
    # iterator() outside a transaction: chunked fetches, each its own transaction.
    assert [day.date.day for day in days.order_by("date").iterator(chunk_size=2)] == [1, 2, 3, 4, 5]
    # select_for_update and the write it guards, in one transaction (one server connection).
    with transaction.atomic(using=pooled):
        locked = days.select_for_update().get(date=dt.date(2031, 1, 3))
        locked.is_working = True
        locked.save(using=pooled)
        assert list(days.select_for_update(skip_locked=True).filter(is_working=True)) == [locked]
    assert days.get(date=dt.date(2031, 1, 3)).is_working is True
    # A failed transaction rolls back whole, and the pool goes on serving.
    with pytest.raises(ValueError), transaction.atomic(using=pooled):
        days.filter(is_working=False).delete()
        raise ValueError
    assert days.count() == 5


def test_a_job_of_the_app_through_pgbouncer_with_the_production_settings(
    taxonomies, world, pgbouncer
):
    make_entry(world.users[Role.BRANCH_SECRETARY])
    database = connection.settings_dict["NAME"]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_"))
    }
    env.update(
        DJANGO_DEBUG="1",
        DATABASE_URL=(
            f"postgres://{pgbouncer['user']}@{pgbouncer['host']}:{pgbouncer['port']}/{database}"
        ),
        DATABASE_POOLER="pgbouncer",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "rollups", "rebuild", "--json"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["own"] >= 1
    assert RollupState.objects.get(pk=1).rebuilt_at is not None
