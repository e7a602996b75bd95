"""The dashboard page and its Excel export: who reads them (404 for everyone else and for a
node outside the reader's subtree), bad input (400 with a message), what the page shows, and
its cost: a fixed number of queries that never read the entries, events or ratings."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from feedback.models import EntryMonthlyLevel, ReferralMonthly
from feedback.selectors.dashboard import default_period, forget_kept
from feedback.selectors.figures import rollups_as_of
from feedback.services.rollups import rollups_rebuild, rollups_refresh
from feedback.tasks import rollups_refresh_task
from liaison.constants import Level, Role
from tests.fixtures.factories import make_entry
from tests.fixtures.figures import bulk_entries

PAGE = reverse("feedback:dashboard")
EXPORT = reverse("feedback:dashboard_export")
READERS = [
    Role.PARTY_BUILDING,
    Role.ADMINISTRATOR,
    Role.COMMITTEE_STAFF,
    Role.BRANCH_SECRETARY,
    Role.LEADERSHIP_CADRE,
]
OTHERS = [
    Role.OFFICE_CADRE,
    Role.GRASSROOTS_CADRE,
    Role.PARTY_MEMBER,
    Role.DEPARTMENT_HANDLER,
]


@pytest.mark.parametrize("url", [PAGE, EXPORT])
@pytest.mark.parametrize("role", READERS + OTHERS)
def test_dashboard_by_role(world, client_for, role, url):
    response = client_for(world.users[role]).get(url, {"period": "2026"})
    assert response.status_code == (200 if role in READERS else 404)


def test_dashboard_needs_a_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    ("role", "node", "status"),
    [
        (Role.PARTY_BUILDING, "committee_b", 200),
        (Role.COMMITTEE_STAFF, "branch_a", 200),
        (Role.COMMITTEE_STAFF, "committee_b", 404),  # another committee
        (Role.COMMITTEE_STAFF, "company", 404),  # above their scope
        (Role.BRANCH_SECRETARY, "office_branch", 404),
        (Role.LEADERSHIP_CADRE, "branch_a", 200),  # in the committee he leads
        (Role.LEADERSHIP_CADRE, "committee_b", 404),
    ],
)
def test_a_node_outside_the_readers_subtree_is_404(world, client_for, role, node, status):
    org = getattr(world, node)
    response = client_for(world.users[role]).get(PAGE, {"org": org.pk, "period": "2026"})
    assert response.status_code == status
    if status == 200:
        assert org.name in response.content.decode()


def test_each_reader_starts_at_the_top_of_their_subtree(world, client_for):
    for role, node in [
        (Role.PARTY_BUILDING, world.company),
        (Role.COMMITTEE_STAFF, world.committee_a),
        (Role.BRANCH_SECRETARY, world.branch_a),
    ]:
        page = client_for(world.users[role]).get(PAGE).content.decode()
        assert f"满意度看板 · {node.name}" in page


@pytest.mark.parametrize(
    "params",
    [
        {"period": "2026-13"},
        {"period": "last year"},
        {"start": "2026-03"},  # no end
        {"start": "2026-05", "end": "2026-02"},
        {"start": "2026/05", "end": "2026-06"},
        {"org": "x"},
        {"colour": "red"},  # not a dashboard parameter
        {"period": "9999"},  # the month after would not be a date
        {"period": "0001"},
        {"start": "9999-12", "end": "9999-12"},
    ],
)
def test_bad_input_is_400_with_a_message(world, client_for, params):
    client = client_for(world.users[Role.PARTY_BUILDING])
    for url in (PAGE, EXPORT):
        response = client.get(url, params)
        assert response.status_code == 400
        assert 'data-testid="dashboard-error"' in response.content.decode()


def test_the_page_shows_the_roll_ups_figures(world, client_for):
    """One entry recorded in March 2026 in branch A: the committee's page for the first quarter
    counts it, for April to June it does not."""
    secretary = world.users[Role.BRANCH_SECRETARY]
    make_entry(secretary, recorded_on=dt.date(2026, 3, 2))
    rollups_rebuild()
    client = client_for(world.users[Role.COMMITTEE_STAFF])
    page = client.get(PAGE, {"period": "2026-Q1"}).content.decode()
    recorded = (
        '<div class="ledger-stat" data-testid="recorded">%d</div>'
        '<div class="ledger-stat-label">记录条目'
    )
    assert recorded % 1 in page
    page = client.get(PAGE, {"start": "2026-04", "end": "2026-06"}).content.decode()
    assert recorded % 0 in page


def test_the_export_holds_the_dashboards_tables(world, client_for):
    make_entry(world.users[Role.BRANCH_SECRETARY], recorded_on=dt.date(2026, 3, 2))
    rollups_rebuild()
    response = client_for(world.users[Role.PARTY_BUILDING]).get(EXPORT, {"period": "2026-Q1"})
    assert response["Content-Disposition"].startswith("attachment;")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == [
        "总览",
        "四个层面",
        "月度趋势",
        "分单位",
        "支部排名",
        "按渠道",
        "走访覆盖",
        "结对联系",
        "已结月份",
    ]
    overview = {row[0]: row[1] for row in workbook["总览"].iter_rows(values_only=True)}
    assert overview["记录条目"] == 1 and overview["统计期间"] == "2026-Q1"
    levels = [row[0] for row in workbook["四个层面"].iter_rows(min_row=2, values_only=True)]
    assert levels == ["领导干部", "机关党支部", "基层党支部", "党员"]
    assert len(list(workbook["月度趋势"].iter_rows(min_row=2))) == 3


def _page_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(PAGE, {"period": "2026"}).status_code == 200
    return [query["sql"] for query in ctx.captured_queries]


def test_the_page_costs_the_same_for_few_and_many_entries_and_never_reads_them(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.users[Role.PARTY_BUILDING])
    bulk_entries(world, 3)
    few = _page_queries(client)
    bulk_entries(world, 120)
    many = _page_queries(client)
    assert len(few) == len(many)
    # The one query that reads entries and ratings is the card of the open matters of the month
    # (每月一题): ad hoc sets of tens to hundreds of entries, read through their link table.
    matters = [sql for sql in many if '"feedback_monthlymatter"' in sql]
    assert len(matters) == 1
    for table in ("liaison_entry", "liaison_entryevent", "feedback_rating", "liaison_visit"):
        assert not [sql for sql in many if f'"{table}"' in sql and sql not in matters], table
    # 17 before the matters of the month (2 of them the closed months and late adjustments,
    # R24; 2 the channel tree: its roll-up rows and the channels; the head's figures are added
    # up from the monthly trend's rows; the children and the branches are read together);
    # their card is one more. The roll-ups were rebuilt since the first read: all read again.
    with django_assert_max_num_queries(18):
        client.get(PAGE, {"period": "2026"})


ROLLUP_TABLES = (
    '"feedback_entrymonthlylevel"',
    '"feedback_visitmonthly"',
    '"feedback_referralmonthly"',
    '"feedback_channelmonthly"',
)


def _reads_rollups(queries: list[str]) -> list[str]:
    return [sql for sql in queries if any(table in sql for table in ROLLUP_TABLES)]


def _testid(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}">', 1)[1].split("<", 1)[0]


def test_the_roll_ups_are_read_once_a_refresh_and_again_after_the_next(world, client_for):
    """The roll-up part of a dashboard is kept in the process by node, period and version of
    the roll-ups: read again once a refresh has moved them, so no figure is older than they
    are. The closed months and late adjustments, which only the jobs that move the version
    write, are kept with them; the live parts (pairings, the matters of the month) are read
    each time."""
    client = client_for(world.users[Role.PARTY_BUILDING])
    bulk_entries(world, 3)
    first = _page_queries(client)
    again = _page_queries(client)
    assert len(_reads_rollups(first)) == 7  # trend, units ×2, branches, visits, referrals, channels
    assert _reads_rollups(again) == []
    # and the org tree below the node, the channels, the closed months and the adjustments
    assert len(again) == len(first) - 11
    assert any('"liaison_pairing"' in sql for sql in again)
    assert not any('"feedback_monthclose"' in sql for sql in again)
    assert not any('"feedback_entryadjustment"' in sql for sql in again)
    assert _testid(client.get(PAGE, {"period": "2026"}).text, "recorded") == "3"

    bulk_entries(world, 3)  # three more, and the roll-ups rebuilt: a new version
    assert len(_reads_rollups(_page_queries(client))) == 7
    assert _testid(client.get(PAGE, {"period": "2026"}).text, "recorded") == "6"
    # Another period is another entry; so is another language (the charts' labels).
    assert _testid(client.get(PAGE, {"period": "2026-01"}).text, "recorded") == "2"  # one a batch
    client.cookies["django_language"] = "en"
    english = client.get(PAGE, {"period": "2026"}).text
    assert '"name": "Satisfaction rate (%)"' in english
    assert _testid(english, "recorded") == "6"


def test_the_shared_copy_is_named_by_the_code_of_every_class_in_it(world, client_for, tmp_path):
    """After a deploy that changes the code of what the shared cache holds, no process takes a
    copy of the old shape: the key names a digest of the modules of every class a kept
    dashboard pickles (a month closed, so that its closing is in it too)."""
    import io
    import pickle

    from django.core.cache import cache

    from feedback.selectors import dashboard
    from feedback.services.closing import months_close

    bulk_entries(world, 2)
    months_close(month=dt.date(2026, 1, 1), actor=world.users[Role.PARTY_BUILDING])
    client_for(world.users[Role.PARTY_BUILDING]).get(PAGE, {"period": "2026"})
    key = dashboard._shared_here[-1]
    assert dashboard._CODE in key
    kept = cache.get(key)
    assert kept.rolled.closing.closed

    modules = set()

    class Collecting(pickle.Pickler):
        def reducer_override(self, obj):
            modules.add((obj if isinstance(obj, type) else type(obj)).__module__)
            return NotImplemented

    Collecting(io.BytesIO(), pickle.HIGHEST_PROTOCOL).dump(kept)
    ours = {name for name in modules if name.split(".")[0] in {"feedback", "liaison", "common"}}
    assert {"feedback.models.closing", "liaison.models.orgs"} <= ours
    assert ours <= set(dashboard.KEPT_CODE)

    source = tmp_path / "figures.py"
    source.write_text("a = 1\n")
    before = dashboard.code_fingerprint([source])
    assert dashboard.code_fingerprint([source]) == before
    source.write_text("a = 2\n")
    assert dashboard.code_fingerprint([source]) != before


def test_a_dashboard_before_the_first_roll_up_is_read_each_time(world, client_for):
    """Never computed (no version yet): nothing is kept, and each read asks the tables."""
    client = client_for(world.users[Role.PARTY_BUILDING])
    assert len(_reads_rollups(_page_queries(client))) == 7
    assert len(_reads_rollups(_page_queries(client))) == 7


def test_the_unit_and_referral_rows_say_what_they_hold(world, client_for):
    """A unit with units of its own links down to its page; the node's own ledger is a row of
    its own ("… 本级"); a unit without units below says so; a median time to sign for of three
    working days or more reads "3 及以上"."""
    march = dt.date(2026, 3, 1)
    EntryMonthlyLevel.objects.create(
        node=world.company, month=march, level=Level.PARTY_MEMBER, recorded=3
    )
    EntryMonthlyLevel.objects.create(
        node=world.committee_a, month=march, level=Level.PARTY_MEMBER, recorded=2
    )
    ReferralMonthly.objects.create(
        month=march, department=world.department, referred=2, signed=2, signed_later=2
    )
    client = client_for(world.users[Role.PARTY_BUILDING])
    page = client.get(PAGE, {"period": "2026-03"}).text
    units = page[page.index('data-testid="units"') :].split("</section>")[0]
    link = f'<a href="?org={world.committee_a.pk}&amp;period=2026-03">{world.committee_a.name}</a>'
    assert link in units
    assert f"{world.company.name}本级</th>" in units  # 1 of the 3 entries outside KA and KB
    referrals = page[page.index('data-testid="referrals"') :].split("</section>")[0]
    assert 'data-testid="median-sign">3 及以上</td>' in referrals
    page = client.get(PAGE, {"org": world.group_a.pk, "period": "2026-03"}).text
    assert "本级以下没有单位。" in page[page.index('data-testid="units"') :]


def test_a_refresh_reads_again_the_dashboards_read_lately_for_every_process(world, client_for):
    """After a refresh the job reads each dashboard read in the last day into the shared cache
    for the roll-ups' new version, in the language it was read in: the first reader of another
    process (or of this one, after the refresh) takes it from there and reads no roll-up. A
    dashboard nobody read is left to its first reader."""
    client = client_for(world.users[Role.PARTY_BUILDING])
    bulk_entries(world, 3)
    assert len(_reads_rollups(_page_queries(client))) == 7
    client.cookies["django_language"] = "en"
    assert len(_reads_rollups(_page_queries(client))) == 7  # another language: read
    del client.cookies["django_language"]
    cadre = world.users[Role.GRASSROOTS_CADRE]
    make_entry(cadre, org=world.branch_a, recorded_on=dt.date(2026, 5, 4))

    before = rollups_as_of()
    assert rollups_refresh_task()["events"] == 1  # a refresh, not a rebuild
    assert rollups_as_of() > before
    forget_kept()  # what another process holds: nothing of the new version
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(PAGE, {"period": "2026"}).text
    assert _reads_rollups([query["sql"] for query in ctx.captured_queries]) == []
    assert _testid(page, "recorded") == "4"  # the new entry is in what the job read
    client.cookies["django_language"] = "en"
    forget_kept()
    english = client.get(PAGE, {"period": "2026"}).text
    assert '"name": "Satisfaction rate (%)"' in english
    assert _testid(english, "recorded") == "4"

    # A period nobody read: its first reader adds the roll-ups up.
    assert len(_reads_rollups(_page_queries_for(client, "2026-05"))) == 7


def test_a_refresh_reads_again_the_top_dashboards_though_nobody_read_them(world, client_for):
    """The company's dashboard and those right under it (ALWAYS_WARM_DEPTH) are read again after
    every refresh, this year in the default language, even when nobody read them lately: their
    first reader of the day reads no roll-up. A branch's, read by nobody, is left to its first
    reader (a branch's roll-ups are quick to add up)."""
    bulk_entries(world, 3)
    forget_kept(shared=True)  # nobody has read a dashboard lately
    make_entry(world.users[Role.GRASSROOTS_CADRE], org=world.branch_a)
    rollups_refresh_task()
    forget_kept()  # another process: nothing of its own
    this_year = str(default_period())  # what the page opens on
    for role in (Role.PARTY_BUILDING, Role.COMMITTEE_STAFF):
        client = client_for(world.users[role])
        assert _reads_rollups(_page_queries_for(client, this_year)) == [], role
    secretary = client_for(world.users[Role.BRANCH_SECRETARY])
    assert _reads_rollups(_page_queries_for(secretary, this_year))  # adds its roll-ups up
    # Another period, or English, of a top dashboard: read by its first reader, as before.
    top = client_for(world.users[Role.PARTY_BUILDING])
    assert len(_reads_rollups(_page_queries_for(top, "2026-05"))) == 7


def _page_queries_for(client, period: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(PAGE, {"period": period}).status_code == 200
    return [query["sql"] for query in ctx.captured_queries]


def test_the_roll_ups_version_is_never_given_twice(world):
    """Two refreshes at the same instant (a frozen clock, a worker's clock behind another's)
    still give two versions, so a dashboard kept for one is never taken for the other."""
    bulk_entries(world, 1)
    at = rollups_as_of()
    with mock.patch("feedback.services.rollups.timezone.now", return_value=at):
        rollups_refresh()
        once = rollups_as_of()
        rollups_refresh()
        twice = rollups_as_of()
    assert at < once < twice
