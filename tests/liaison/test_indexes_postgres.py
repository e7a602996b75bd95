"""The indexes of migrations 0029 and 0030 serve the pages they were made for, on PostgreSQL
only (CI sets DATABASE_URL).

A test database holds a handful of entries, where a sequential scan is always cheapest; so
each page's queries are planned with sequential scans priced out (enable_seqscan off), which
shows whether an index *can* serve them: a query no index fits still reads liaison_entry
sequentially. The timings at 1,000,000 entries are the benchmark's (README), not a test's.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.constants import Role
from tests.fixtures.factories import make_entry

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
)

INDEXES = {
    "entry_awaiting_due",
    "entry_org_colour_recorded",
    "entry_title_trgm",
    "entry_description_trgm",
    "entry_number_trgm",
    "entry_text_bigrams",
}


def _entry_plans(client, url: str, params: dict) -> list[str]:
    """The plans (seq scans priced out) of the page's queries that read liaison_entry."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            for query in queries.captured_queries:
                sql = query["sql"]
                if '"liaison_entry"' not in sql or not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN " + sql)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
        finally:
            cursor.execute("RESET enable_seqscan")
    return plans


def _uses(plans: list[str], index: str) -> bool:
    return any(index in plan for plan in plans)


def _scans_the_ledger(plans: list[str]) -> bool:
    return any("Seq Scan on liaison_entry" in plan for plan in plans)


@pytest.fixture
def entries(world):
    secretary = world.users[Role.BRANCH_SECRETARY]
    return [
        make_entry(secretary, title="配电房屋顶漏雨", description="雨季前需修补"),
        make_entry(secretary, title="门锁损坏", colour="orange"),
    ]


def test_the_migrations_made_the_indexes_and_the_bigram_function(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'liaison_entry'")
        names = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT ledger_bigrams('配电房'), ledger_bigrams('配')")
        pieces, none = cursor.fetchone()
    assert names >= INDEXES
    assert sorted(pieces) == ["电房", "配电"] and none == []


def test_the_supervision_board_reads_the_open_work_through_its_index(world, entries, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    plans = _entry_plans(client, reverse("liaison:supervision_board"), {})
    assert _uses(plans, "entry_awaiting_due")
    assert not _scans_the_ledger(plans)
    for params in ({"state": "none"}, {"state": "late"}, {"colour": "red", "age": "5"}):
        assert not _scans_the_ledger(
            _entry_plans(client, reverse("liaison:supervision_board"), params)
        )


def test_the_branch_ledger_by_colour_uses_the_org_and_colour_index(world, entries, client_for):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    plans = _entry_plans(client, reverse("liaison:ledger_branch"), {"colour": "orange"})
    assert _uses(plans, "entry_org_colour_recorded")
    assert not _scans_the_ledger(plans)


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("漏雨", "entry_text_bigrams"),
        ("屋顶漏", "entry_title_trgm"),
        ("雨季前", "entry_description_trgm"),
    ],
)
def test_the_search_goes_through_an_index_for_two_and_more_characters(
    world, entries, client_for, text, index
):
    client = client_for(world.users[Role.PARTY_BUILDING])
    plans = _entry_plans(client, reverse("liaison:ledger_all"), {"q": text})
    assert _uses(plans, index)
    assert not _scans_the_ledger(plans)
    top_bar = _entry_plans(client, reverse("liaison:search"), {"q": text})
    assert not _scans_the_ledger(top_bar)


@pytest.mark.django_db(transaction=True)
def test_the_migrations_go_back_and_forth():
    call_command("migrate", "liaison", "0028", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'liaison_entry'")
        assert not (INDEXES - {"entry_title_trgm"}) & {row[0] for row in cursor.fetchall()}
    call_command("migrate", "liaison", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'liaison_entry'")
        assert {row[0] for row in cursor.fetchall()} >= INDEXES
