"""The entry lists: who has which, scope, filters, bad input, htmx, query counts, export."""

from __future__ import annotations

import datetime as dt
import io
import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from liaison import permissions
from liaison.constants import Colour, EntryKind, EntryScope, EntryStatus, Level, Role, UnitKind
from liaison.models import Channel, CoHandler, Entry, ServiceItem, Unit
from liaison.models.ledger import COLOUR_RANK
from liaison.permissions import has_entry_list
from liaison.selectors.entries_list import entry_list, entry_scope_parts, entry_scope_queryset
from liaison.services.exports import ENTRY_EXPORT_COLUMNS, entry_export_headers
from liaison.tables import CappedPaginator
from liaison.workdays import WorkCalendar
from tests.fixtures.factories import make_entry, make_user

SCOPES = [scope.value for scope in EntryScope]
# Who has which list, written out (the world's administrator is a superuser).
HAS_LIST = {
    EntryScope.BRANCH: {Role.BRANCH_SECRETARY},
    EntryScope.MINE: {
        Role.BRANCH_SECRETARY,
        Role.LEADERSHIP_CADRE,
        Role.OFFICE_CADRE,
        Role.GRASSROOTS_CADRE,
        Role.PARTY_MEMBER,
    },
    EntryScope.DEPARTMENT: {Role.DEPARTMENT_HANDLER},
    EntryScope.ALL: {
        Role.COMMITTEE_STAFF,
        Role.LEADERSHIP_CADRE,
        Role.PARTY_BUILDING,
        Role.ADMINISTRATOR,
    },
}


def url(scope: str, export: bool = False) -> str:
    return reverse(f"liaison:ledger_{scope}{'_export' if export else ''}")


def numbers(response) -> list[str]:
    assert response.status_code == HTTPStatus.OK, response.content.decode()[:500]
    return [row.record.number for row in response.context["table"].paginated_rows]


def clone(entry: Entry, n: int, **changes) -> list[Entry]:
    """Insert n copies of `entry` (with `changes`) in one query: rows for the lists to show."""
    rows = []
    for i in range(n):
        copy = Entry.objects.get(pk=entry.pk)
        copy.pk = None
        copy.number = (
            f"{entry.number}-{changes.get('title', 'c')[:3]}{i:05d}-{Entry.objects.count()}"
        )
        for name, value in changes.items():
            setattr(copy, name, value)
        rows.append(copy)
    return Entry.objects.bulk_create(rows)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def ledger(world, today):
    """Entries in branch A (secretary's, a party member's, one referred to the department) and
    one in branch B, all awaiting a reply."""
    secretary = world.users[Role.BRANCH_SECRETARY]
    member = world.users[Role.PARTY_MEMBER]
    secretary_b = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    recorded = today - dt.timedelta(days=2)
    entries = {
        "a": make_entry(secretary, informant=world.special_a, recorded_on=recorded),
        "member": make_entry(
            member, org=world.branch_a, informant=world.special_a, recorded_on=recorded
        ),
        "referred": make_entry(secretary, informant=world.special_a, recorded_on=recorded),
        "b": make_entry(secretary_b, informant=world.member_b, recorded_on=recorded),
    }
    Entry.objects.filter(pk=entries["referred"].pk).update(
        department=world.department, status=EntryStatus.REFERRED
    )
    return entries


# -- Who has which list ---------------------------------------------------------------------


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", list(Role))
def test_each_list_opens_for_its_roles_and_404s_for_the_others(world, client_for, role, scope):
    client = client_for(world.users[role])
    has = role in HAS_LIST[scope]
    expected = HTTPStatus.OK if has else HTTPStatus.NOT_FOUND
    assert client.get(url(scope)).status_code == expected
    assert client.get(url(scope, export=True)).status_code == expected


@pytest.mark.parametrize("scope", SCOPES)
def test_anonymous_goes_to_login(db, client, scope):
    assert client.get(url(scope)).status_code == HTTPStatus.FOUND
    assert client.get(url(scope, export=True)).status_code == HTTPStatus.FOUND


def test_the_menu_shows_each_role_its_lists(world, client_for):
    body = client_for(world.users[Role.BRANCH_SECRETARY]).get(reverse("home")).content.decode()
    assert url(EntryScope.BRANCH) in body
    assert url(EntryScope.MINE) in body
    assert f'href="{url(EntryScope.ALL)}"' not in body
    body = client_for(world.users[Role.DEPARTMENT_HANDLER]).get(reverse("home")).content.decode()
    assert url(EntryScope.DEPARTMENT) in body
    assert url(EntryScope.MINE) not in body


def test_lists_refuse_post(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    assert client.post(url(EntryScope.ALL)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


# -- Scope ----------------------------------------------------------------------------------


def test_branch_ledger_lists_the_branch_and_its_groups_only(world, client_for, ledger):
    listed = numbers(client_for(world.users[Role.BRANCH_SECRETARY]).get(url(EntryScope.BRANCH)))
    assert set(listed) == {ledger[k].number for k in ("a", "member", "referred")}


def test_my_entries_are_the_ones_i_own(world, client_for, ledger):
    listed = numbers(client_for(world.users[Role.PARTY_MEMBER]).get(url(EntryScope.MINE)))
    assert listed == [ledger["member"].number]
    listed = numbers(client_for(world.users[Role.BRANCH_SECRETARY]).get(url(EntryScope.MINE)))
    assert set(listed) == {ledger["a"].number, ledger["referred"].number}


def test_department_inbox_lists_what_was_referred_to_the_department(world, client_for, ledger):
    client = client_for(world.users[Role.DEPARTMENT_HANDLER])
    assert numbers(client.get(url(EntryScope.DEPARTMENT))) == [ledger["referred"].number]


def test_all_in_scope_follows_the_subtree(world, client_for, ledger):
    committee = numbers(client_for(world.users[Role.COMMITTEE_STAFF]).get(url(EntryScope.ALL)))
    assert ledger["b"].number not in committee
    assert set(committee) == {ledger[k].number for k in ("a", "member", "referred")}
    company = numbers(client_for(world.users[Role.PARTY_BUILDING]).get(url(EntryScope.ALL)))
    assert set(company) == {entry.number for entry in ledger.values()}


@pytest.mark.parametrize("scope", SCOPES)
def test_an_entry_of_another_branch_is_never_listed_or_exported(world, client_for, scope):
    """Even in the handler's inbox: a referral to the department from outside the handler's
    reach is listed only because it was referred there (DESIGN.md §3), and nothing else is."""
    other = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    entry = make_entry(other, informant=world.member_b, title="外支部的需求")
    roles = {
        EntryScope.BRANCH: Role.BRANCH_SECRETARY,
        EntryScope.MINE: Role.PARTY_MEMBER,
        EntryScope.DEPARTMENT: Role.DEPARTMENT_HANDLER,
        EntryScope.ALL: Role.COMMITTEE_STAFF,
    }
    client = client_for(world.users[roles[scope]])
    assert entry.number not in numbers(client.get(url(scope)))
    response = client.get(url(scope, export=True))
    assert entry.number not in b"".join(response.streaming_content).decode("latin-1")
    assert entry.number not in numbers(client.get(url(scope), {"q": entry.number}))


@pytest.mark.parametrize("role", list(Role))
def test_every_list_lies_within_what_the_user_may_see(world, ledger, role):
    """DESIGN.md §3: each list is part of visible_entries, whichever list and role."""
    cadre = world.users[Role.OFFICE_CADRE]
    extra = [
        make_entry(cadre, informant=world.cadre_person),  # office branch
        make_entry(world.users[Role.PARTY_MEMBER], org=world.branch_b, informant=world.member_b),
    ]
    Entry.objects.filter(pk=ledger["b"].pk).update(department=world.department)
    Entry.objects.filter(pk=extra[0].pk).update(owner=world.users[Role.BRANCH_SECRETARY])
    user = world.users[role]
    visible = set(permissions.visible_entries(user).values_list("pk", flat=True))
    for scope in EntryScope:
        listed = set(entry_scope_queryset(user=user, scope=scope).values_list("pk", flat=True))
        assert listed <= visible, (role, scope)
        if has_entry_list(user, scope) and scope == EntryScope.ALL:
            assert listed == visible
        if not has_entry_list(user, scope):
            assert not listed


# -- Filters --------------------------------------------------------------------------------


@pytest.fixture
def varied(world, today):
    """One entry per value to filter on, all in branch A, owned by the secretary."""
    secretary = world.users[Role.BRANCH_SECRETARY]
    calendar = WorkCalendar.load(today.year - 1, today.year + 1)
    long_ago = today - dt.timedelta(days=90)
    target = calendar.earliest_yellow_target(today).due_on + dt.timedelta(days=3)

    def make(key, **extra):
        return make_entry(secretary, informant=world.special_a, title=key, **extra)

    entries = {
        "red": make("变压器增容", recorded_on=today),
        "orange": make("值班室被褥老旧", colour=Colour.ORANGE, recorded_on=today),
        "yellow": make("流动书箱", colour=Colour.YELLOW, recorded_on=today, target_on=target),
        "basic": make("职工家庭情况", kind=EntryKind.BASIC, recorded_on=long_ago),
        "overdue": make("计划停电影响生产", description="请提前告知停电时间", recorded_on=long_ago),
        "suggestion": make("食堂饮水", kind=EntryKind.SUGGESTION, recorded_on=today),
    }
    Entry.objects.filter(pk=entries["suggestion"].pk).update(
        level=Level.PARTY_MEMBER,
        channel=Channel.objects.order_by("-pk").first(),
        item=ServiceItem.objects.exclude(category=ServiceItem.objects.first().category).first(),
    )
    return entries


def listed(client, **params) -> set[str]:
    return set(numbers(client.get(url(EntryScope.BRANCH), params)))


def test_each_filter_narrows_the_list(world, client_for, varied, today):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    n = {key: entry.number for key, entry in varied.items()}
    everything = set(n.values())
    assert listed(client) == everything
    assert listed(client, colour=Colour.ORANGE) == {n["orange"]}
    assert listed(client, kind=EntryKind.BASIC) == {n["basic"]}
    assert listed(client, status=EntryStatus.CLOSED) == {n["basic"]}
    assert listed(client, level=Level.PARTY_MEMBER) == {n["suggestion"]}
    suggestion = Entry.objects.get(pk=varied["suggestion"].pk)
    assert listed(client, channel=suggestion.channel_id) == {n["suggestion"]}
    assert listed(client, category=suggestion.item.category_id) == {n["suggestion"]}
    assert listed(client, overdue="true") == {n["overdue"]}
    assert listed(client, overdue="false") == everything - {n["overdue"]}
    # Red is due in 5 working days: within 5 it is listed, within 4 not; overdue always is.
    assert listed(client, due_within="5") == {n["red"], n["suggestion"], n["overdue"]}
    assert listed(client, due_within="4") == {n["overdue"]}
    since = (today - dt.timedelta(days=1)).isoformat()
    assert n["basic"] not in listed(client, recorded_from=since)
    assert listed(client, recorded_to=since) == {n["basic"], n["overdue"]}
    assert listed(client, q="书箱") == {n["yellow"]}
    assert listed(client, q="停电时间") == {n["overdue"]}  # the description
    assert listed(client, q=n["orange"]) == {n["orange"]}
    assert listed(client, org=world.branch_a.pk) == everything


def test_org_filter_takes_the_subtree_and_only_orgs_in_scope(world, client_for, ledger):
    client = client_for(world.users[Role.PARTY_BUILDING])
    in_b = numbers(client.get(url(EntryScope.ALL), {"org": world.committee_b.pk}))
    assert in_b == [ledger["b"].number]
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    response = client.get(url(EntryScope.BRANCH), {"org": world.branch_b.pk})
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_overdue_is_checked_live_whatever_the_sweep_stored(world, client_for, varied):
    """R6: the sweep may not have run yet; the list still shows the entry as overdue."""
    assert not Entry.objects.get(pk=varied["overdue"].pk).is_overdue
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    response = client.get(url(EntryScope.BRANCH), {"overdue": "true"})
    assert numbers(response) == [varied["overdue"].number]
    assert "text-bg-danger" in response.content.decode()


@pytest.mark.parametrize("sort", ["number", "-recorded_on", "due_on", "-colour", "status"])
def test_lists_sort_on_listed_columns(world, client_for, varied, sort):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    assert len(numbers(client.get(url(EntryScope.BRANCH), {"sort": sort}))) == len(varied)


def test_sorting_by_colour_puts_red_first(world, client_for, varied):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    listed = numbers(client.get(url(EntryScope.BRANCH), {"sort": "colour"}))
    colours = dict(Entry.objects.values_list("number", "colour"))
    assert [colours[number] for number in listed][:3] == [Colour.RED] * 3
    assert colours[listed[-1]] == ""


def test_sorting_by_colour_descending_is_the_exact_reverse(world, client_for, varied):
    """One index serves both directions (entry_colour_rank): yellow and no colour first, the
    oldest first within a colour."""
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    ascending = numbers(client.get(url(EntryScope.BRANCH), {"sort": "colour"}))
    descending = numbers(client.get(url(EntryScope.BRANCH), {"sort": "-colour"}))
    assert len(ascending) > 3
    assert descending == ascending[::-1]


@pytest.mark.parametrize("sort", ["due_on", "-due_on"])
def test_sorting_by_due_date_puts_basic_information_last(world, client_for, varied, sort):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    listed = numbers(client.get(url(EntryScope.BRANCH), {"sort": sort}))
    assert listed[-1] == varied["basic"].number
    due = dict(Entry.objects.values_list("number", "due_on"))
    dates = [due[number] for number in listed[:-1]]
    assert dates == sorted(dates, reverse=sort.startswith("-"))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"colour": "purple"}, "purple"),
        ({"status": "lost"}, "lost"),
        ({"frobnicate": "1"}, "frobnicate"),
        ({"sort": "title"}, "title"),
        ({"sort": "owner"}, "owner"),
        ({"due_within": "0"}, ""),
        ({"due_within": "61"}, ""),
        ({"due_within": "soon"}, ""),
        ({"recorded_from": "yesterday"}, ""),
        ({"overdue": "maybe"}, "maybe"),
        ({"category": "999999"}, ""),
        ({"page": "0"}, ""),
        ({"export": "xlsx"}, "export"),
    ],
)
@pytest.mark.parametrize("export", [False, True])
def test_bad_parameters_are_400_with_a_message(world, client_for, params, message, export):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    response = client.get(url(EntryScope.BRANCH, export=export), params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.content.decode()
    assert 'data-testid="bad-request"' in body
    assert message in body


def test_htmx_gets_the_results_fragment_with_an_export_link_for_the_filters(
    world, client_for, varied
):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    response = client.get(
        url(EntryScope.BRANCH), {"colour": "orange"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "<html" not in body
    assert varied["orange"].number in body
    assert varied["red"].number not in body
    assert f"{url(EntryScope.BRANCH, export=True)}?colour=orange" in body
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(world, client_for):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    body = client.get(url(EntryScope.BRANCH), headers=headers).content.decode()
    assert "<html" in body


def test_titles_and_names_are_escaped(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    make_entry(secretary, informant=world.special_a, title="<script>alert(1)</script>")
    body = client_for(secretary).get(url(EntryScope.BRANCH)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert" not in body


def test_the_page_links_each_entry_and_shows_its_deadline(world, client_for, varied):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    body = client.get(url(EntryScope.BRANCH)).content.decode()
    assert reverse("liaison:entry_detail", args=[varied["red"].pk]) in body
    assert "ledger-colour-red" in body
    assert "text-bg-danger" in body  # the overdue entry
    assert "<script" not in body.split('id="results"')[1].split("</main>")[0]


def test_each_entry_is_also_a_card_for_a_phone(world, client_for, varied):
    """Number, colour, whole title linking to the entry, status, and days left or overdue."""
    body = client_for(world.users[Role.BRANCH_SECRETARY]).get(url(EntryScope.BRANCH)).content
    cards = re.findall(r'data-testid="entry-card">(.*?)</li>', body.decode(), re.S)
    assert len(cards) == len(varied)
    card = {key: next(c for c in cards if e.number in c) for key, e in varied.items()}
    overdue = varied["overdue"]
    assert f'href="{overdue.get_absolute_url()}">{overdue.title}</a>' in card["overdue"]
    assert "ledger-colour-red" in card["overdue"]
    assert str(overdue.get_status_display()) in card["overdue"]
    assert "超期" in card["overdue"] and "text-bg-danger" in card["overdue"]
    assert "剩余" in card["orange"] and "超期" not in card["orange"]
    assert "剩余" not in card["basic"] and "ledger-colour" not in card["basic"]


def test_a_whole_number_finds_that_entry(world, client_for, varied):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    number = varied["orange"].number
    assert numbers(client.get(url(EntryScope.BRANCH), {"q": number.lower()})) == [number]
    assert numbers(client.get(url(EntryScope.BRANCH), {"q": number[:-1] + "9"})) == []


def test_a_long_list_counts_up_to_the_cap_and_says_there_are_more(
    world, client_for, varied, monkeypatch
):
    monkeypatch.setattr(CappedPaginator, "cap", 4)
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    response = client.get(url(EntryScope.BRANCH))
    paginator = response.context["table"].paginator
    assert (paginator.count, paginator.capped, paginator.num_pages) == (4, True, 1)
    assert len(numbers(response)) == 4
    body = response.content.decode()
    assert "4" in body.split('data-testid="result-count">')[1].split("</p>")[0]
    narrowed = client.get(url(EntryScope.BRANCH), {"kind": EntryKind.BASIC})
    assert not narrowed.context["table"].paginator.capped
    rows = workbook_rows(client.get(url(EntryScope.BRANCH, export=True)))
    assert len(rows) == 1 + len(varied)  # the export is not capped


# -- Query counts ---------------------------------------------------------------------------

# (list, role) pairs; every list sees the rows `grow` adds.
LIST_VIEWERS = [
    (EntryScope.BRANCH, Role.BRANCH_SECRETARY),
    (EntryScope.MINE, Role.BRANCH_SECRETARY),
    (EntryScope.DEPARTMENT, Role.DEPARTMENT_HANDLER),
    (EntryScope.ALL, Role.COMMITTEE_STAFF),
    (EntryScope.ALL, Role.PARTY_BUILDING),
    (EntryScope.ALL, Role.LEADERSHIP_CADRE),
]
QUERY_BUDGET = 12
# The department inbox is read in its two parts (entry_scope_parts): a count and a read of ids
# for each, then the page by id, where another list has one count and one page.
PARTS_QUERIES = 3


def grow(world, n: int, today: dt.date) -> None:
    """Add n entries of branch A owned by the secretary and referred to the department, in every
    state of waiting: due ahead, due soon, overdue, replied."""
    secretary = world.users[Role.BRANCH_SECRETARY]
    template = make_entry(secretary, informant=world.special_a, recorded_on=today)
    clone(template, n, department=world.department, status=EntryStatus.REFERRED)
    Entry.objects.filter(pk__in=Entry.objects.order_by("-pk").values("pk")[: n // 3]).update(
        due_on=today - dt.timedelta(days=10)
    )


def count_queries(client, target: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target, params or {})
    assert response.status_code == HTTPStatus.OK
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("scope", "role"), LIST_VIEWERS)
def test_a_list_runs_the_same_queries_for_10_rows_as_for_100(
    world, client_for, django_assert_max_num_queries, today, scope, role
):
    client = client_for(world.users[role])
    params = {"due_within": "10", "overdue": "false", "q": "变压器"}
    grow(world, 10, today)
    if scope == EntryScope.DEPARTMENT:  # an inbox in its two parts: one co-handled entry
        secretary = world.users[Role.BRANCH_SECRETARY]
        helped = make_entry(secretary, informant=world.special_a, recorded_on=today)
        CoHandler.objects.create(entry=helped, department=world.department, added_by=secretary)
    small = count_queries(client, url(scope))
    small_filtered = count_queries(client, url(scope), params)
    grow(world, 90, today)
    budget = QUERY_BUDGET + (PARTS_QUERIES if scope == EntryScope.DEPARTMENT else 0)
    with django_assert_max_num_queries(budget):
        large = count_queries(client, url(scope))
    assert small == large
    assert count_queries(client, url(scope), params) == small_filtered <= budget + 2
    assert count_queries(client, url(scope), {"page": "3", "sort": "-due_on"}) == small


def test_a_list_page_reads_its_rows_with_the_columns_it_shows(world, client_for, today):
    """The page's rows are read with EntryTable.ROW_FIELDS: not the entry's description nor
    its owner's password hash (an entry has about sixty columns); the cells and cards still
    show the title, the owner's name and the deadline from them."""
    grow(world, 10, today)
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url("branch"))
    rows = [q["sql"] for q in ctx.captured_queries if '"liaison_entry"."title"' in q["sql"]]
    assert len(rows) == 1
    assert '"liaison_entry"."description"' not in rows[0]
    assert '"liaison_user"."password"' not in rows[0]
    entry = Entry.objects.filter(org__path__startswith=world.branch_a.path).latest("pk")
    html = response.content.decode()
    assert entry.title in html
    assert (entry.owner.get_full_name() or entry.owner.username) in html
    # Each awaiting entry's deadline, in its table cell and on its card.
    assert html.count("个工作日") + html.count("working day") >= 2 * 10


# -- A list in parts: the department inbox ----------------------------------------------------


@pytest.fixture
def inbox(world, today):
    """The department's inbox, in its two parts and more than a page of each: 40 entries it
    leads; 30 another department leads that it co-handles (R18), recorded on the same days
    and due in between so that the parts interleave in every order; and one entry it leads and
    co-handles as well (a former co-handler that became the lead), which is listed once."""
    secretary = world.users[Role.BRANCH_SECRETARY]
    other = Unit.objects.create(
        name="营销部", kind=UnitKind.DEPARTMENT, branch=world.department.branch
    )
    template = make_entry(secretary, informant=world.special_a, recorded_on=today)
    led = clone(template, 40, department=world.department, status=EntryStatus.REFERRED)
    helped = clone(template, 30, department=other, status=EntryStatus.REFERRED, title="协办")
    for day, entry in enumerate(led + helped):
        entry.recorded_on = today - dt.timedelta(days=day % 17)
        entry.due_on = today + dt.timedelta(days=day % 23) if day % 5 else None
        entry.colour = (Colour.RED, Colour.ORANGE, Colour.YELLOW)[day % 3]
        entry.target_on = today + dt.timedelta(days=60)  # a yellow entry's (R2)
    Entry.objects.bulk_update(led + helped, ["recorded_on", "due_on", "colour", "target_on"])
    CoHandler.objects.bulk_create(
        CoHandler(entry=entry, department=world.department, added_by=secretary)
        for entry in [*helped, led[0]]
    )
    return world.users[Role.DEPARTMENT_HANDLER]


# (sort parameter, the list's order as the ORM writes it)
INBOX_ORDERS = [
    ("", ("-recorded_on", "-pk")),
    ("recorded_on", ("recorded_on", "pk")),
    ("-due_on", (F("due_on").desc(nulls_last=True), "-pk")),
    ("due_on", (F("due_on").asc(nulls_last=True), "pk")),
    ("colour", (COLOUR_RANK.asc(), "-recorded_on", "-pk")),
    ("-number", ("-number",)),
    # Status alone ties thousands of entries: a list in parts breaks the ties by id.
    ("status", ("status", "pk")),
    ("-status", ("-status", "pk")),
]


@pytest.mark.parametrize(("sort", "order"), INBOX_ORDERS)
@pytest.mark.parametrize("page", [1, 2, 3])
def test_the_inbox_read_in_parts_lists_what_its_whole_condition_lists(
    client_for, inbox, sort, order, page
):
    """Counted and paged through its parts, the inbox shows the rows its whole condition gives
    in the same order, page by page: the led and the co-handled interleaved, none twice."""
    expected = list(
        entry_scope_queryset(user=inbox, scope=EntryScope.DEPARTMENT)
        .order_by(*order)
        .values_list("number", flat=True)
    )
    assert len(expected) == 70
    params = {"page": str(page), **({"sort": sort} if sort else {})}
    response = client_for(inbox).get(url(EntryScope.DEPARTMENT), params)
    assert numbers(response) == expected[(page - 1) * 25 : page * 25]
    assert response.context["table"].paginator.count == 70


def test_the_inbox_read_in_parts_is_filtered_part_by_part(client_for, inbox):
    client = client_for(inbox)
    for params in ({"colour": "red"}, {"q": "协办"}, {"colour": "orange", "sort": "-due_on"}):
        expected = entry_list(user=inbox, filters=params, scope=EntryScope.DEPARTMENT).qs
        response = client.get(url(EntryScope.DEPARTMENT), params)
        assert response.context["table"].paginator.count == expected.count() > 0
        assert set(numbers(response)) <= set(expected.values_list("number", flat=True))
    # The text is only in the co-handled part's titles: that part alone is listed.
    searched = client.get(url(EntryScope.DEPARTMENT), {"q": "协办"})
    assert searched.context["table"].paginator.count == 30
    assert all("协办" in number for number in numbers(searched))


@pytest.mark.parametrize(
    ("cap", "count", "capped"),
    [(35, 35, True), (45, 45, True), (69, 69, True), (70, 70, False), (100, 70, False)],
)
def test_the_inbox_s_parts_add_up_to_its_count_past_the_cap(
    client_for, inbox, monkeypatch, cap, count, capped
):
    """Each part's count stops one past the cap; their sum tells a list past it — the led part
    alone (40), the two together (70), or only by one — and is exact under it."""
    monkeypatch.setattr(CappedPaginator, "cap", cap)
    paginator = client_for(inbox).get(url(EntryScope.DEPARTMENT)).context["table"].paginator
    assert (paginator.count, paginator.capped) == (count, capped)


@pytest.mark.parametrize(("limit", "inline"), [(69, False), (70, True)])
def test_the_inbox_s_export_counts_its_parts_to_choose_inline_or_background(
    client_for, inbox, settings, limit, inline
):
    """Over EXPORT_INLINE_MAX_ROWS rows the export offers to run in the background; the inbox's
    70 rows are counted from its parts."""
    settings.EXPORT_INLINE_MAX_ROWS = limit
    response = client_for(inbox).get(url(EntryScope.DEPARTMENT, export=True))
    if not inline:
        assert response.status_code == HTTPStatus.OK
        assert "liaison/export_start.html" in [t.name for t in response.templates]
        return
    expected = entry_scope_queryset(user=inbox, scope=EntryScope.DEPARTMENT)
    rows = workbook_rows(response)
    assert {row[0] for row in rows[1:]} == set(expected.values_list("number", flat=True))
    assert len(rows) == 1 + 70


def test_only_a_department_inbox_with_co_handled_entries_is_a_list_in_parts(world, inbox):
    for scope, role in LIST_VIEWERS:
        parts = entry_scope_parts(user=world.users[role], scope=scope)
        assert len(parts) == (2 if scope == EntryScope.DEPARTMENT else 0)
    # A role without the inbox has none; a department that co-handles nothing is one list.
    assert entry_scope_parts(user=world.users[Role.PARTY_BUILDING], scope="department") == []
    CoHandler.objects.all().delete()
    assert entry_scope_parts(user=inbox, scope=EntryScope.DEPARTMENT) == []


# -- Export ---------------------------------------------------------------------------------


def workbook_rows(response) -> list[tuple]:
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_export_of_2000_rows_runs_bounded_queries_and_holds_every_row(
    world, client_for, django_assert_max_num_queries, today
):
    grow(world, 2000, today)
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    with django_assert_max_num_queries(8):
        response = client.get(url(EntryScope.BRANCH, export=True))
    rows = workbook_rows(response)
    assert list(rows[0]) == entry_export_headers()
    assert len(rows) == 1 + Entry.objects.filter(org=world.branch_a).count() == 2002
    expected = set(Entry.objects.values_list("number", flat=True))
    assert {row[0] for row in rows[1:]} == expected


def test_export_is_exactly_the_filtered_list_in_its_order(world, client_for, varied):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    params = {"kind": EntryKind.PROBLEM, "sort": "number"}
    listed = numbers(client.get(url(EntryScope.BRANCH), params))
    rows = workbook_rows(client.get(url(EntryScope.BRANCH, export=True), params))
    assert [row[0] for row in rows[1:]] == listed
    assert len(listed) == 4
    by_number = {row[0]: row for row in rows[1:]}
    columns = [column for column, _header in ENTRY_EXPORT_COLUMNS]
    red = by_number[varied["red"].number]
    assert red[columns.index("title")] == "变压器增容"
    assert red[columns.index("colour")] == str(Colour.RED.label)
    assert red[columns.index("org__name")] == world.branch_a.name
    assert red[columns.index("recorded_on")].date() == varied["red"].recorded_on
    overdue = -1  # the last column: overdue today (R6, checked live)
    assert by_number[varied["overdue"].number][overdue]
    assert not by_number[varied["red"].number][overdue]
