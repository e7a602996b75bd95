"""The indexes of migrations 0029, 0030 and 0033 serve the pages they were made for, and the
home page and the lists read a subtree's entries through them, on PostgreSQL only (CI sets
DATABASE_URL).

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

from liaison.constants import Role, UnitKind
from liaison.models import CoHandler, Entry, Unit
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
    "entry_channel_recorded",
    "entry_due_desc",
    "entry_colour_rank",
    "entry_extended",
    "entry_department_colour",
}


def _entry_plans(
    client, url: str, params: dict, *, in_order: bool = False, bitmaps_only: bool = False
) -> list[str]:
    """The plans (seq scans priced out) of the page's queries that read liaison_entry; with
    `in_order`, sorts priced out too: the plans left read the rows in the page's order; with
    `bitmaps_only`, index scans priced out too: the plans left read the rows through index
    conditions, or else the whole table."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(f"SET enable_sort = {'off' if in_order else 'on'}")
        cursor.execute(f"SET enable_indexscan = {'off' if bitmaps_only else 'on'}")
        cursor.execute(f"SET enable_indexonlyscan = {'off' if bitmaps_only else 'on'}")
        try:
            for query in queries.captured_queries:
                sql = query["sql"]
                if '"liaison_entry"' not in sql or not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN " + sql)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
        finally:
            for setting in ("enable_seqscan", "enable_sort", "enable_indexscan"):
                cursor.execute(f"RESET {setting}")
            cursor.execute("RESET enable_indexonlyscan")
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
    """With a handful of rows any index with the colour in it fits as well (entry_status_due
    was taken in some runs): the other branch's 300 entries of every colour, analysed, make
    the colour alone the poor choice it is at scale."""
    other = Entry.objects.get(pk=entries[0].pk)
    copies = []
    for i in range(300):
        other.pk, other.org = None, world.branch_b
        other.number = f"B-{i:05d}"
        other.colour = ("red", "orange", "yellow")[i % 3]
        other.target_on = other.due_on  # a yellow entry's (R2)
        copies.append(
            Entry(**{f.attname: getattr(other, f.attname) for f in Entry._meta.concrete_fields})
        )
    Entry.objects.bulk_create(copies)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE liaison_entry")  # rolled back with the test
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    plans = _entry_plans(client, reverse("liaison:ledger_branch"), {"colour": "orange"})
    assert _uses(plans, "entry_org_colour_recorded"), "\n\n".join(plans)
    assert not _scans_the_ledger(plans)


def test_a_committee_list_by_channel_uses_the_channel_index(world, entries, client_for):
    """A campaign's entries lie in its months: walking every entry back from today for them
    read hundreds of thousands at 1M (README "Indexes and search")."""
    client = client_for(world.users[Role.COMMITTEE_STAFF])
    channel = entries[0].channel_id
    plans = _entry_plans(client, reverse("liaison:ledger_all"), {"channel": channel})
    assert _uses(plans, "entry_channel_recorded")
    assert not _scans_the_ledger(plans)


def test_a_secretary_home_reads_the_branch_without_joining_the_tree(world, entries, client_for):
    """The branch's entries as an id list worked out once (AnyOf): an index condition on the
    entry's org, where a join on the tree's path made the queue counts read every entry of a
    status (65 ms at 1M for 168 rows)."""
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    ledger = [q["sql"] for q in queries.captured_queries if 'FROM "liaison_entry"' in q["sql"]]
    assert ledger
    assert not [sql for sql in ledger if '"liaison_orgnode"."path"::text LIKE' in sql]
    assert any("= ANY(ARRAY(SELECT" in sql for sql in ledger)
    assert not _scans_the_ledger(_entry_plans(client, reverse("home"), {}))


def test_the_home_page_reads_the_day_s_entries_through_the_date_index(world, entries, client_for):
    """The day's five newest entries through the date-and-id index (migration 0034), on a day
    with none yet too: never by walking the primary key back through the ledger, which read
    every entry on a morning before the first was recorded (51 s cold at 1M)."""
    client = client_for(world.users[Role.PARTY_BUILDING])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    today = [q["sql"] for q in queries.captured_queries
             if '"liaison_entry"."recorded_on" =' in q["sql"] and "LIMIT" in q["sql"]]  # fmt: skip
    assert len(today) == 1
    # A test table is tiny, where any plan is cheap and the planner's pick follows its
    # statistics; with sorts and sequential scans priced out, the plans left are those that
    # give the day's entries in order: from the index (date, id), or, on the date alone, the
    # primary key walked back (what PostgreSQL does at scale).
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_sort = off")
        try:
            cursor.execute("EXPLAIN " + today[0])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            for setting in ("enable_seqscan", "enable_sort", "enable_indexscan"):
                cursor.execute(f"RESET {setting}")
            cursor.execute("RESET enable_indexonlyscan")
    assert "entry_recorded_on" in plan
    assert "liaison_entry_pkey" not in plan and "Sort" not in plan


@pytest.mark.parametrize(
    ("params", "index"),
    [
        ({"sort": "-due_on"}, "entry_due_desc"),
        ({"sort": "colour"}, "entry_colour_rank"),
        ({"sort": "-colour"}, "entry_colour_rank"),
        ({"extended": "true"}, "entry_extended"),
    ],
)
def test_the_whole_company_list_sorts_and_filters_through_an_index(
    world, entries, client_for, params, index
):
    """Sorted by due date (latest first) or by colour, or filtered to the extended entries,
    the whole company's list read and sorted every entry (0.5–2.5 s at 1M): each reads an index
    in the list's order now (migration 0035)."""
    client = client_for(world.users[Role.PARTY_BUILDING])
    plans = _entry_plans(client, reverse("liaison:ledger_all"), params, in_order=True)
    assert _uses(plans, index)
    assert not _scans_the_ledger(plans)


@pytest.mark.parametrize(
    ("params", "index"),
    [
        ({}, "entry_department_recorded"),
        ({"overdue": "true"}, None),
        ({"colour": "red"}, "entry_department_colour"),
        ({"q": "漏雨"}, None),
    ],
)
def test_the_department_inbox_reads_each_of_its_parts_through_its_own_index(
    world, client_for, params, index
):
    """The inbox is the department's referrals and the entries it co-handles (R18), read part
    by part (entry_scope_parts): the department's own through its indexes, the co-handled by
    their ids given as one array (InValues), then the page by id. No query ORs the two: no
    index serves the OR in the list's order (8,500 entries walked at 1M for a page of 25)."""
    handler = world.users[Role.DEPARTMENT_HANDLER]
    secretary = world.users[Role.BRANCH_SECRETARY]
    referred = make_entry(secretary, title="配电房屋顶漏雨")
    helped = make_entry(secretary, title="线路树障漏雨", colour="orange")
    elsewhere = make_entry(secretary, title="别的部门")
    other = Unit.objects.create(
        name="营销部", kind=UnitKind.DEPARTMENT, branch=world.department.branch
    )
    Entry.objects.filter(pk=referred.pk).update(department=world.department)
    Entry.objects.filter(pk__in=[helped.pk, elsewhere.pk]).update(department=other)
    CoHandler.objects.create(entry=helped, department=world.department, added_by=secretary)
    client = client_for(handler)
    url = reverse("liaison:ledger_department")
    listed = client.get(url)
    assert {row.record.pk for row in listed.context["table"].page} == {referred.pk, helped.pk}
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    entry_reads = [q["sql"] for q in queries.captured_queries if 'FROM "liaison_entry"' in q["sql"]]
    department = f'"liaison_entry"."department_id" = {world.department.pk}'
    cohandled = f'"liaison_entry"."id" = ANY(ARRAY[{helped.pk}]::bigint[])'
    led = [sql for sql in entry_reads if department in sql and cohandled not in sql]
    helped_part = [sql for sql in entry_reads if f"{cohandled} AND NOT ({department}" in sql]
    assert len(led) == len(helped_part) == 2  # each part's count and ids
    # The page among the parts' ids: the only read with the whole condition, by id.
    page = [sql for sql in entry_reads if f"{department} OR {cohandled}" in sql]
    assert len(page) <= 1 and len(entry_reads) == len(led) + len(helped_part) + len(page)
    assert not [sql for sql in entry_reads if '"liaison_cohandler"' in sql]
    plans = _entry_plans(client, url, params)
    assert not _scans_the_ledger(plans)
    if index:  # the led part's page in the list's order (which index counts a tiny table varies)
        assert _uses(_entry_plans(client, url, params, in_order=True), index)


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
