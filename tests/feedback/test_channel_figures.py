"""Figures by channel (R15): the channel tree (internal and external → category 大类 →
channel 方面) and the repeat rate of one or several channels or campaigns (专项活动), worked out
by hand on a small ledger for a branch, a committee and the company; kept by the frequent job
and equal to the nightly rebuild; on the dashboard, in its export and in ledger_report.

Channels (seeded, liaison 0028): G 政工师下班组 and Z 走基层 in 专项活动, W 职工代表巡视 in 民主管理
(internal); D 大客户走访 in 客户服务, X 行风监督员 in 社会监督 (external). G is a campaign in
February 2026, Z from 1 March to 15 April 2026.

    entry  branch  channel  kind        recorded  note
    s1     BA      G        suggestion  Feb 3
    s2     BA      G        suggestion  Feb 10
    p1     BA      G        problem     Feb 12
    s3     BO      G        suggestion  Feb 20
    s11    BO      G        suggestion  Mar 25    under G after the campaign
    s4     BA      Z        suggestion  Mar 4     a duplicate of s1 (across the campaigns)
    s5     BA      Z        suggestion  Mar 9
    v      BA      Z        suggestion  Mar 5     voided: counted nowhere
    s6     BB      Z        suggestion  Mar 10
    p2     BB      Z        problem     Mar 11
    s10    BA      Z        suggestion  Apr 2     after the quarter
    s7     BA      W        suggestion  Jan 15
    s8     BA      W        suggestion  Mar 20    a duplicate of s7
    p3     BB      D        problem     Jan 20
    b1     BB      D        basic       Mar 2
    s9     BB      X        suggestion  Feb 5

The first quarter — (recorded, problems, suggestions, duplicate suggestions):

    BA:      专项活动 G (3, 1, 2, 0) + Z (2, 0, 2, 1) = (5, 1, 4, 1) 25.0%
             民主管理 W (2, 0, 2, 1) 50.0%; internal (7, 1, 6, 2) 33.3%; external (0, 0, 0, 0) —
    KA:      + BO's s3, s11: G (5, 1, 4, 0); 专项活动 (7, 1, 6, 1) 16.7%;
             internal (9, 1, 8, 2) 25.0%
    company: + BB: Z (4, 1, 3, 1); 专项活动 (9, 2, 7, 1) 14.3%; internal (11, 2, 9, 2) 22.2%;
             客户服务 D (2, 1, 0, 0) —; 社会监督 X (1, 0, 1, 0) 0.0%; external (3, 1, 1, 0) 0.0%

The two campaigns together over 2026, each for its months (G: February; Z: March and April):
    company: G s1 s2 s3 p1 + Z s4 s5 s6 p2 s10 → suggestions 3 + 4 = 7, duplicates 1 → 14.3%
    KA:      G s1 s2 s3 p1 + Z s4 s5 s10      → suggestions 3 + 3 = 6, duplicates 1 → 16.7%
    BA:      G s1 s2 p1    + Z s4 s5 s10      → suggestions 2 + 3 = 5, duplicates 1 → 20.0%
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from feedback.models import CHANNEL_COUNT_FIELDS, ChannelMonthly, ChannelMonthlyOwn
from feedback.periods import Period
from feedback.selectors.channels import channel_selection, channel_tree
from feedback.services.rollups import rollups_rebuild, rollups_refresh
from liaison.constants import EntryKind, Role
from liaison.models import Channel, ChannelCategory
from liaison.services.links import entry_mark_duplicate
from liaison.services.workflow import Action as A
from tests.fixtures.factories import make_entry
from tests.fixtures.rollups import Clock
from tests.fixtures.walks import act

Q1 = Period.quarter(2026, 1)
YEAR = Period.year(2026)
PAGE = reverse("feedback:dashboard")
EXPORT = reverse("feedback:dashboard_export")


def channel_rows() -> dict:
    rows = {}
    for model, key in ((ChannelMonthlyOwn, "org_id"), (ChannelMonthly, "node_id")):
        for row in model.objects.values(key, "month", "channel_id", *CHANNEL_COUNT_FIELDS):
            rows[(model.__name__, row.pop(key), row.pop("month"), row.pop("channel_id"))] = row
    return rows


@pytest.fixture
def ledger(world, monkeypatch):
    """The ledger of the module docstring, written through the services with the frequent job
    after each step; returns the world with `channels` {letter: Channel}."""
    clock = Clock(monkeypatch)
    named = {ch.name: ch for ch in Channel.objects.all()}
    channels = {
        "G": named["政工师下班组"],
        "Z": named["走基层"],
        "W": named["职工代表巡视"],
        "D": named["大客户走访"],
        "X": named["行风监督员"],
    }
    Channel.objects.filter(pk=channels["G"].pk).update(
        starts_on=dt.date(2026, 2, 1), ends_on=dt.date(2026, 2, 28)
    )
    Channel.objects.filter(pk=channels["Z"].pk).update(
        starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 4, 15)
    )
    for channel in channels.values():
        channel.refresh_from_db()
    users = world.users
    recorder = {
        "BA": users[Role.GRASSROOTS_CADRE],
        "BO": users[Role.OFFICE_CADRE],
        "BB": users[Role.PARTY_BUILDING],
    }
    where = {"BA": world.branch_a, "BO": world.office_branch, "BB": world.branch_b}
    kinds = {"s": EntryKind.SUGGESTION, "p": EntryKind.PROBLEM, "b": EntryKind.BASIC, "v": "s"}
    story = [
        ("s7", "BA", "W", 1, 15),
        ("p3", "BB", "D", 1, 20),
        ("s1", "BA", "G", 2, 3),
        ("s9", "BB", "X", 2, 5),
        ("s2", "BA", "G", 2, 10),
        ("p1", "BA", "G", 2, 12),
        ("s3", "BO", "G", 2, 20),
        ("b1", "BB", "D", 3, 2),
        ("s4", "BA", "Z", 3, 4),
        ("v", "BA", "Z", 3, 5),
        ("s5", "BA", "Z", 3, 9),
        ("s6", "BB", "Z", 3, 10),
        ("p2", "BB", "Z", 3, 11),
        ("s8", "BA", "W", 3, 20),
        ("s11", "BO", "G", 3, 25),
        ("s10", "BA", "Z", 4, 2),
    ]
    entries = {}
    for name, branch, letter, month, day in story:
        clock.set(dt.date(2026, month, day))
        kind = kinds[name[0]]
        entries[name] = make_entry(
            recorder[branch],
            org=where[branch],
            kind=EntryKind.SUGGESTION if kind == "s" else kind,
            recorded_on=dt.date(2026, month, day),
            channel=channels[letter],
            title=f"{name} 的诉求",
        )
        if name == "v":
            act(world, entries[name], A.VOID, users[Role.PARTY_BUILDING])
        for duplicate, original in (("s4", "s1"), ("s8", "s7")):
            if name == duplicate:
                entry = entries[duplicate]
                entry.refresh_from_db()
                entry_mark_duplicate(
                    entry=entry,
                    original=entries[original],
                    actor=users[Role.PARTY_BUILDING],
                    expected_version=entry.version,
                )
        rollups_refresh()
    world.channels = channels
    world.clock = clock
    return world


def flat(tree) -> dict:
    """{label: (recorded, problems, suggestions, duplicates, repeat rate)} of scopes,
    categories and channels."""
    out = {}
    for scope in tree:
        s = scope.sums
        out[scope.scope] = (s.recorded, s.problems, s.suggestions, s.duplicate_suggestions)
        for category in scope.categories:
            c = category.sums
            out[category.name] = (c.recorded, c.problems, c.suggestions, c.duplicate_suggestions)
            for row in category.channels:
                r = row.sums
                out[row.channel.name] = (
                    r.recorded,
                    r.problems,
                    r.suggestions,
                    r.duplicate_suggestions,
                )
    return out


def test_the_seeded_tree_holds_the_articles_aspects_and_categories(db):
    internal = ChannelCategory.objects.filter(scope="internal")
    external = ChannelCategory.objects.filter(scope="external")
    assert (internal.count(), external.count()) == (6, 2)
    assert Channel.objects.filter(category__in=internal).count() == 7
    assert Channel.objects.filter(category__in=external).count() == 5


def test_the_tree_worked_out_by_hand(ledger):
    ba = flat(channel_tree(node=ledger.branch_a, period=Q1))
    assert ba["专项活动"] == (5, 1, 4, 1) and ba["政工师下班组"] == (3, 1, 2, 0)
    assert ba["走基层"] == (2, 0, 2, 1) and ba["民主管理"] == (2, 0, 2, 1)
    assert ba["internal"] == (7, 1, 6, 2) and ba["external"] == (0, 0, 0, 0)
    ka = flat(channel_tree(node=ledger.committee_a, period=Q1))
    assert ka["政工师下班组"] == (5, 1, 4, 0) and ka["专项活动"] == (7, 1, 6, 1)
    assert ka["internal"] == (9, 1, 8, 2)
    company = flat(channel_tree(node=ledger.company, period=Q1))
    assert company["走基层"] == (4, 1, 3, 1) and company["专项活动"] == (9, 2, 7, 1)
    assert company["internal"] == (11, 2, 9, 2)
    assert company["客户服务"] == (2, 1, 0, 0) and company["社会监督"] == (1, 0, 1, 0)
    assert company["external"] == (3, 1, 1, 0)
    tree = channel_tree(node=ledger.company, period=Q1)
    rates = {scope.scope: scope.sums.repeat_rate for scope in tree}
    assert rates == {"internal": pytest.approx(2 / 9), "external": 0.0}
    customer = next(c for c in tree[1].categories if c.name == "客户服务")
    assert customer.sums.repeat_rate is None  # no suggestion: no rate


@pytest.mark.parametrize(
    ("node", "suggestions", "duplicates", "recorded"),
    [("company", 7, 1, 9), ("committee_a", 6, 1, 7), ("branch_a", 5, 1, 6)],
)
def test_two_campaigns_together_each_for_its_months(
    ledger, node, suggestions, duplicates, recorded
):
    chosen = [ledger.channels["G"], ledger.channels["Z"]]
    selection = channel_selection(node=getattr(ledger, node), period=YEAR, channels=chosen)
    sums = selection.sums
    assert (sums.suggestions, sums.duplicate_suggestions, sums.recorded) == (
        suggestions,
        duplicates,
        recorded,
    )
    assert selection.months[chosen[0].pk] == [dt.date(2026, 2, 1)]
    assert selection.months[chosen[1].pk] == [dt.date(2026, 3, 1), dt.date(2026, 4, 1)]


def test_the_frequent_job_equals_the_rebuild(ledger):
    refreshed = channel_rows()
    assert refreshed  # the job kept the table
    rollups_rebuild()
    assert channel_rows() == refreshed


def test_the_dashboard_card_and_the_selection(ledger, client_for):
    client = client_for(ledger.users[Role.PARTY_BUILDING])
    g, z = ledger.channels["G"], ledger.channels["Z"]
    page = client.get(PAGE, {"period": "2026", "channels": [g.pk, z.pk]}).text
    card = page[page.index('data-testid="channels"') :].split("</section>")[0]
    assert "专项活动" in card and "政工师下班组" in card and "社会监督" in card
    assert 'data-testid="selection-repeat-rate">14.3%<' in card
    secretary = client_for(ledger.users[Role.BRANCH_SECRETARY])
    page = secretary.get(PAGE, {"period": "2026", "channels": [g.pk, z.pk]}).text
    assert 'data-testid="selection-repeat-rate">20.0%<' in page  # BA
    bad = client.get(PAGE, {"period": "2026", "channels": ["999999"]})
    assert bad.status_code == 400


def test_the_dashboards_queries_do_not_grow_with_the_selection(ledger, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(ledger.users[Role.PARTY_BUILDING])
    client.get(PAGE, {"period": "2026"})
    with CaptureQueriesContext(connection) as plain:
        client.get(PAGE, {"period": "2026"})
    chosen = [ch.pk for ch in ledger.channels.values()]
    with CaptureQueriesContext(connection) as selected:
        client.get(PAGE, {"period": "2026", "channels": chosen})
    # The form's channels (one query) and the selection's rows (one query), neither reading
    # the entries.
    assert len(selected) == len(plain) + 2
    before = {q["sql"] for q in plain.captured_queries}
    added = [q["sql"] for q in selected.captured_queries if q["sql"] not in before]
    assert len(added) == 2 and not any('"liaison_entry"' in sql for sql in added)


def test_the_export_has_the_channel_sheet(ledger, client_for):
    client = client_for(ledger.users[Role.PARTY_BUILDING])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    g, z = ledger.channels["G"], ledger.channels["Z"]
    response = client.get(EXPORT, {"period": "2026-Q1", "channels": [g.pk, z.pk]})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook["By channel"].values)
    assert rows[0][:3] == ("Internal or external", "Category", "Channel")
    by_name = {(row[1], row[2]): row[3:] for row in rows[1:]}
    assert by_name[("专项活动", None)] == (9, 2, 7, 1, 0.143)
    together = [row for row in rows if row[0] == "Read together"]
    assert [set(row[2].split(" + ")) for row in together] == [{"政工师下班组", "走基层"}]
    assert together[0][5:7] == (6, 1)  # G: February; Z: March


def report(*args: str) -> str:
    out = io.StringIO()
    call_command("ledger_report", *args, stdout=out)
    return out.getvalue()


def test_ledger_report_by_channel_and_campaign(ledger):
    data = json.loads(
        report(
            "--from", "2026-01-01", "--to", "2026-12-31", "--org", "KA", "--json",
            "--campaign", "政工师下班组", "--campaign", "走基层",
        )
    )  # fmt: skip
    assert data["selection"]["suggestions"] == 6 and data["selection"]["repeat_rate"] == 0.1667
    assert data["selection"]["months"]["走基层"] == ["2026-03", "2026-04"]
    assert data["channels"]["internal"]["categories"]["专项活动"]["recorded"] == 8  # + s10
    text = report("--from", "2026-01-01", "--to", "2026-03-31", "--channel", "行风监督员")
    assert "按渠道" in text and "合并统计" in text
    with pytest.raises(CommandError, match="没有"):
        report("--from", "2026-01-01", "--to", "2026-03-31", "--channel", "不存在的渠道")
    with pytest.raises(CommandError, match="--channel"):
        report("--from", "2026-01-01", "--to", "2026-03-31", "--campaign", "行风监督员")
