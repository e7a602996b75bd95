"""Supervision (督办, R6): issuing and answering notices, the entry page's card, the board.

Refusals: only the party-building department (and administrators) issue a notice — anyone
else who sees the entry gets 403, anyone who does not gets 404; only the owner answers; one open
notice per entry; the answer date lies after today, on a working day, within
SUPERVISION_MAX_WORKING_DAYS. The board is for the party-building department, committee staff
and branch secretaries, each over their subtree; every other role gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from liaison.constants import (
    SUPERVISION_MAX_WORKING_DAYS,
    EntryStatus,
    EventKind,
    NotificationKind,
    OverdueAge,
    Role,
)
from liaison.models import Entry, EntryEvent, Notification, Supervision
from liaison.selectors.supervision import AgeBounds
from liaison.services.supervision import (
    supervision_answer,
    supervision_default_respond_by,
    supervision_issue,
)
from liaison.workdays import WorkCalendar
from tests.fixtures.factories import make_entry, make_user

BOARD = reverse("liaison:supervision_board")


@pytest.fixture
def calendar():
    today = timezone.localdate()
    return WorkCalendar.load(today.year - 1, today.year + 1)


def overdue_by(entry: Entry, calendar: WorkCalendar, days: int) -> Entry:
    """Move the entry's due date so that it is `days` working days overdue today."""
    today = timezone.localdate()
    due = calendar.working_days_back(today, days)
    while not calendar.is_working_day(due):  # due dates are working days
        due -= dt.timedelta(days=1)
    assert calendar.working_days_between(due, today) == days
    Entry.objects.filter(pk=entry.pk).update(due_on=due)
    entry.refresh_from_db()
    return entry


def issue(world, entry, *, instruction="请于三个工作日内说明进展"):
    return supervision_issue(
        entry=entry,
        actor=world.users[Role.PARTY_BUILDING],
        instruction=instruction,
        respond_by=supervision_default_respond_by(),
    )


# -- services -----------------------------------------------------------------------------------


def test_party_building_issues_a_notice_on_the_timeline_and_the_owner_is_told(
    world, django_capture_on_commit_callbacks
):
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(owner)
    version = entry.version
    with django_capture_on_commit_callbacks():
        notice = issue(world, entry)
    assert (notice.round, notice.is_open) == (1, True)
    event = EntryEvent.objects.get(entry=entry, kind=EventKind.SUPERVISED)
    assert event.actor == world.users[Role.PARTY_BUILDING]
    assert event.note == "请于三个工作日内说明进展"
    assert event.after == {
        "supervision_round": 1,
        "respond_by": notice.respond_by.isoformat(),
    }
    told = Notification.objects.get(kind=NotificationKind.SUPERVISED)
    assert (told.recipient, told.entry, told.occasion) == (owner, entry, 1)
    entry.refresh_from_db()
    assert entry.version == version  # a notice is not a change of the entry itself


@pytest.mark.parametrize(
    "role",
    [
        Role.COMMITTEE_STAFF,
        Role.BRANCH_SECRETARY,
        Role.LEADERSHIP_CADRE,
        Role.PARTY_MEMBER,
        Role.DEPARTMENT_HANDLER,
    ],
)
def test_only_the_party_building_department_issues_notices(world, role):
    entry = make_entry(world.users[Role.BRANCH_SECRETARY])
    with pytest.raises(PermissionDenied):
        supervision_issue(
            entry=entry,
            actor=world.users[role],
            instruction="催办",
            respond_by=supervision_default_respond_by(),
        )
    assert not Supervision.objects.exists()
    assert not EntryEvent.objects.filter(kind=EventKind.SUPERVISED).exists()


def test_administrator_may_issue(world):
    entry = make_entry(world.users[Role.BRANCH_SECRETARY])
    supervision_issue(
        entry=entry,
        actor=world.users[Role.ADMINISTRATOR],
        instruction="催办",
        respond_by=supervision_default_respond_by(),
    )
    assert Supervision.objects.count() == 1


def test_one_open_notice_per_entry_and_none_on_a_replied_entry(world):
    entry = make_entry(world.users[Role.BRANCH_SECRETARY])
    issue(world, entry)
    with pytest.raises(ValidationError, match="已有一份督办"):
        issue(world, entry)
    replied = make_entry(world.users[Role.BRANCH_SECRETARY], title="已答复")
    Entry.objects.filter(pk=replied.pk).update(status=EntryStatus.REPLIED)
    replied.refresh_from_db()
    with pytest.raises(ValidationError, match="尚待答复"):
        issue(world, replied)
    assert Supervision.objects.count() == 1


def test_the_answer_date_is_checked(world, calendar):
    entry = make_entry(world.users[Role.BRANCH_SECRETARY])
    today = timezone.localdate()
    day_off = next(
        today + dt.timedelta(days=n)
        for n in range(1, 15)
        if not calendar.is_working_day(today + dt.timedelta(days=n))
    )
    too_late = calendar.add_working_days(today, SUPERVISION_MAX_WORKING_DAYS + 1).due_on
    for respond_by in (today, today - dt.timedelta(days=3), day_off, too_late):
        with pytest.raises(ValidationError) as refused:
            supervision_issue(
                entry=entry,
                actor=world.users[Role.PARTY_BUILDING],
                instruction="催办",
                respond_by=respond_by,
            )
        assert "respond_by" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        supervision_issue(
            entry=entry,
            actor=world.users[Role.PARTY_BUILDING],
            instruction="   ",
            respond_by=supervision_default_respond_by(),
        )
    assert "instruction" in refused.value.message_dict
    assert not Supervision.objects.exists()


def test_the_owner_answers_once_and_the_issuer_is_told(world):
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(owner)
    notice = issue(world, entry)
    with pytest.raises(PermissionDenied):
        supervision_answer(
            supervision=notice, actor=world.users[Role.PARTY_BUILDING], response="代答"
        )
    supervision_answer(supervision=notice, actor=owner, response="已协调物资，周五前完成")
    notice.refresh_from_db()
    assert not notice.is_open
    assert (notice.responded_by, notice.response) == (owner, "已协调物资，周五前完成")
    event = EntryEvent.objects.get(entry=entry, kind=EventKind.SUPERVISION_ANSWERED)
    assert event.after == {"supervision_round": 1, "supervision_on_time": True}
    told = Notification.objects.get(kind=NotificationKind.SUPERVISION_ANSWERED)
    assert told.recipient == world.users[Role.PARTY_BUILDING]
    with pytest.raises(ValidationError, match="已经答复过了"):
        supervision_answer(supervision=notice, actor=owner, response="再答")
    assert EntryEvent.objects.filter(kind=EventKind.SUPERVISION_ANSWERED).count() == 1


def test_a_second_round_tells_the_owner_again(world):
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(owner)
    supervision_answer(supervision=issue(world, entry), actor=owner, response="在办")
    second = issue(world, entry, instruction="二次督办")
    assert second.round == 2
    rows = Notification.objects.filter(recipient=owner, kind=NotificationKind.SUPERVISED)
    assert sorted(rows.values_list("occasion", flat=True)) == [1, 2]


# -- the entry page -----------------------------------------------------------------------------


def test_entry_page_offers_the_notice_to_party_building_and_the_answer_to_the_owner(
    world, client_for
):
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(owner)
    url = entry.get_absolute_url()
    page = client_for(world.users[Role.PARTY_BUILDING]).get(url).content.decode()
    assert reverse("liaison:supervision_issue", args=[entry.pk]) in page
    page = client_for(owner).get(url).content.decode()
    assert 'data-testid="supervision"' not in page  # nothing to show yet
    notice = issue(world, entry)
    page = client_for(owner).get(url).content.decode()
    assert reverse("liaison:supervision_answer", args=[entry.pk, notice.pk]) in page
    assert "请于三个工作日内说明进展" in page
    page = client_for(world.users[Role.COMMITTEE_STAFF]).get(url).content.decode()
    assert "请于三个工作日内说明进展" in page
    assert reverse("liaison:supervision_answer", args=[entry.pk, notice.pk]) not in page
    assert reverse("liaison:supervision_issue", args=[entry.pk]) not in page


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.PARTY_BUILDING, 302),
        (Role.ADMINISTRATOR, 302),
        (Role.COMMITTEE_STAFF, 403),  # sees the entry, may not supervise
        (Role.BRANCH_SECRETARY, 403),  # the owner
        (Role.OFFICE_CADRE, 404),  # another branch
        (Role.DEPARTMENT_HANDLER, 404),
    ],
)
def test_issue_url_by_role(world, client_for, role, status):
    entry = make_entry(world.users[Role.BRANCH_SECRETARY])
    response = client_for(world.users[role]).post(
        reverse("liaison:supervision_issue", args=[entry.pk]),
        {"instruction": "请加快办理", "respond_by": supervision_default_respond_by().isoformat()},
    )
    assert response.status_code == status
    assert Supervision.objects.count() == (1 if status == 302 else 0)


def test_issue_with_bad_input_is_400_with_the_form_again(world, client_for):
    entry = make_entry(world.users[Role.BRANCH_SECRETARY])
    client = client_for(world.users[Role.PARTY_BUILDING])
    url = reverse("liaison:supervision_issue", args=[entry.pk])
    response = client.post(url, {"instruction": "", "respond_by": "not a date"})
    assert response.status_code == 400
    response = client.post(url, {"instruction": "催办", "respond_by": "2020-01-02"})
    assert response.status_code == 400
    assert "不晚于" in response.content.decode()
    assert not Supervision.objects.exists()
    assert client.get(url).status_code == 405


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.BRANCH_SECRETARY, 302),  # the owner
        (Role.PARTY_BUILDING, 403),
        (Role.COMMITTEE_STAFF, 403),
        (Role.OFFICE_CADRE, 404),
        (Role.PARTY_MEMBER, 404),
    ],
)
def test_answer_url_by_role(world, client_for, role, status):
    entry = make_entry(world.users[Role.BRANCH_SECRETARY])
    notice = issue(world, entry)
    response = client_for(world.users[role]).post(
        reverse("liaison:supervision_answer", args=[entry.pk, notice.pk]),
        {"response": "已处理"},
    )
    assert response.status_code == status
    notice.refresh_from_db()
    assert notice.is_open == (status != 302)


def test_answer_twice_or_empty_is_400_and_a_notice_of_another_entry_is_404(world, client_for):
    owner = world.users[Role.BRANCH_SECRETARY]
    entry, other = make_entry(owner), make_entry(owner, title="另一条")
    notice = issue(world, entry)
    client = client_for(owner)
    url = reverse("liaison:supervision_answer", args=[entry.pk, notice.pk])
    assert client.post(url, {"response": ""}).status_code == 400
    assert client.post(url, {"response": "已处理"}).status_code == 302
    assert client.post(url, {"response": "再次"}).status_code == 400
    wrong = reverse("liaison:supervision_answer", args=[other.pk, notice.pk])
    assert client.post(wrong, {"response": "x"}).status_code == 404


def test_the_timeline_names_the_notice_and_the_answer(world, client_for):
    owner = world.users[Role.BRANCH_SECRETARY]
    entry = make_entry(owner)
    supervision_answer(supervision=issue(world, entry), actor=owner, response="已协调")
    page = client_for(owner).get(entry.get_absolute_url()).content.decode()
    timeline = page[page.index('data-testid="timeline"') :]
    assert "请于三个工作日内说明进展" in timeline and "已协调" in timeline
    assert "发出督办" in timeline and "督办已答复" in timeline


# -- the board ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.PARTY_BUILDING, 200),
        (Role.ADMINISTRATOR, 200),
        (Role.COMMITTEE_STAFF, 200),
        (Role.BRANCH_SECRETARY, 200),
        (Role.LEADERSHIP_CADRE, 200),  # his committee's, read-only
        (Role.OFFICE_CADRE, 404),
        (Role.GRASSROOTS_CADRE, 404),
        (Role.PARTY_MEMBER, 404),
        (Role.DEPARTMENT_HANDLER, 404),
    ],
)
def test_board_by_role(world, client_for, role, status):
    assert client_for(world.users[role]).get(BOARD).status_code == status


def test_board_needs_a_login(client):
    response = client.get(BOARD)
    assert response.status_code == 302 and "login" in response["Location"]


def test_age_buckets_hold_the_working_days_overdue(world, calendar):
    """Each overdue due date of the last 60 days falls in exactly the bucket of its working
    days overdue, as the database evaluates the bucket's condition."""
    today = timezone.localdate()
    bounds = AgeBounds.of(today, calendar)
    entry = make_entry(world.users[Role.BRANCH_SECRETARY])
    expected = {OverdueAge.UP_TO_5: range(0, 6), OverdueAge.UP_TO_20: range(6, 21)}
    seen = set()
    for back in range(1, 61):
        due = today - dt.timedelta(days=back)
        Entry.objects.filter(pk=entry.pk).update(due_on=due)
        age = calendar.working_days_between(due, today)
        bucket = next((k for k, r in expected.items() if age in r), OverdueAge.OVER_20)
        matching = [
            key for key in OverdueAge if Entry.objects.filter(bounds.condition(key)).exists()
        ]
        assert matching == [bucket], (due, age)
        seen.add(bucket)
    assert seen == set(OverdueAge)


@pytest.fixture
def board_world(world, calendar):
    """Branch A: overdue 2, 10 and 30 working days (the 10 under a notice answer-late);
    branch B: overdue 3; office branch: one on time under a notice; one replied (not counted)."""
    secretary = world.users[Role.BRANCH_SECRETARY]
    a2 = overdue_by(make_entry(secretary, title="超期两天"), calendar, 2)
    a10 = overdue_by(make_entry(secretary, title="超期十天"), calendar, 10)
    a30 = overdue_by(make_entry(secretary, title="超期三十天"), calendar, 30)
    b_secretary = world.users[Role.PARTY_MEMBER]  # any recorder works; put it in branch B
    b3 = overdue_by(
        make_entry(b_secretary, org=world.branch_b, informant=world.member_b, title="乙超期"),
        calendar,
        3,
    )
    office = make_entry(world.users[Role.OFFICE_CADRE], title="机关督办")
    in_time = calendar.add_working_days(timezone.localdate(), 5).due_on
    Entry.objects.filter(pk=office.pk).update(due_on=in_time)
    replied = overdue_by(make_entry(secretary, title="已答复"), calendar, 4)
    Entry.objects.filter(pk=replied.pk).update(status=EntryStatus.REPLIED)
    issue(world, office)
    notice = issue(world, a10)
    Supervision.objects.filter(pk=notice.pk).update(
        respond_by=timezone.localdate() - dt.timedelta(days=1)
    )
    return {"a2": a2, "a10": a10, "a30": a30, "b3": b3, "office": office}


def _rows(page: str) -> dict[str, list[str]]:
    """The summary table as {unit: [overdue, ≤5, 6–20, >20, supervised, answer late]}."""
    import re

    table = page[page.index('data-testid="board-summary"') : page.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr data-testid=\"board-(?:row|total)\">(.*?)</tr>", table, re.S):
        label = re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", row, re.S).group(1))
        cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows[label.strip()] = cells
    return rows


def test_board_counts_by_unit_and_age_for_the_company(world, client_for, board_world):
    page = client_for(world.users[Role.PARTY_BUILDING]).get(BOARD).content.decode()
    rows = _rows(page)
    assert rows["运维检修党委"] == ["3", "1", "1", "1", "2", "1"]
    assert rows["营销服务党委"] == ["1", "1", "0", "0", "0", "0"]
    total = [v for k, v in rows.items() if k not in ("运维检修党委", "营销服务党委")]
    assert total == [["4", "2", "1", "1", "2", "1"]]
    for title in ("超期两天", "超期十天", "超期三十天", "乙超期", "机关督办"):
        assert title in page
    assert "已答复" not in page


def test_board_drills_down_and_keeps_to_the_users_subtree(world, client_for, board_world):
    client = client_for(world.users[Role.PARTY_BUILDING])
    page = client.get(BOARD, {"org": world.committee_a.pk}).content.decode()
    rows = _rows(page)
    assert rows["变电运维党支部"] == ["3", "1", "1", "1", "1", "1"]
    assert rows["机关第一党支部"] == ["0", "0", "0", "0", "1", "0"]
    assert "乙超期" not in page
    page = client_for(world.users[Role.COMMITTEE_STAFF]).get(BOARD).content.decode()
    assert _rows(page)["变电运维党支部"][0] == "3"
    assert "乙超期" not in page
    outside = client_for(world.users[Role.COMMITTEE_STAFF]).get(BOARD, {"org": world.branch_b.pk})
    assert outside.status_code == 400  # not a choice for them
    page = client_for(world.users[Role.BRANCH_SECRETARY]).get(BOARD).content.decode()
    assert "超期十天" in page and "机关督办" not in page and "乙超期" not in page


@pytest.mark.parametrize(
    ("params", "titles"),
    [
        ({"age": OverdueAge.UP_TO_5}, {"超期两天", "乙超期"}),
        ({"age": OverdueAge.UP_TO_20}, {"超期十天"}),
        ({"age": OverdueAge.OVER_20}, {"超期三十天"}),
        ({"state": "open"}, {"超期十天", "机关督办"}),
        ({"state": "late"}, {"超期十天"}),
        ({"state": "none"}, {"超期两天", "超期三十天", "乙超期"}),
        ({"state": "overdue"}, {"超期两天", "超期十天", "超期三十天", "乙超期"}),
        ({"colour": "orange"}, set()),
    ],
)
def test_board_filters(world, client_for, board_world, params, titles):
    page = client_for(world.users[Role.PARTY_BUILDING]).get(BOARD, params).content.decode()
    listed = page[page.index('id="entries"') :]
    every = {"超期两天", "超期十天", "超期三十天", "乙超期", "机关督办"}
    assert {t for t in every if t in listed} == titles


@pytest.mark.parametrize("params", [{"age": "7"}, {"state": "x"}, {"sort": "title"}, {"foo": "1"}])
def test_board_rejects_unknown_filters_with_400(world, client_for, params):
    response = client_for(world.users[Role.PARTY_BUILDING]).get(BOARD, params)
    assert response.status_code == 400


def test_board_oldest_overdue_first(world, client_for, board_world):
    page = client_for(world.users[Role.PARTY_BUILDING]).get(BOARD).content.decode()
    listed = page[page.index('id="entries"') :]
    assert listed.index("超期三十天") < listed.index("超期十天") < listed.index("超期两天")


def _queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(BOARD, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_board_query_count_does_not_grow_with_entries(
    world, client_for, calendar, django_assert_max_num_queries
):
    client = client_for(world.users[Role.PARTY_BUILDING])
    secretary = world.users[Role.BRANCH_SECRETARY]

    def grow(n):
        for i in range(n):
            entry = overdue_by(make_entry(secretary, title=f"超期{i}"), calendar, 1 + i % 30)
            if i % 3 == 0:
                issue(world, entry)

    grow(3)
    small = _queries(client), _queries(client, {"org": world.committee_a.pk})
    grow(30)
    large = _queries(client), _queries(client, {"org": world.committee_a.pk})
    assert small == large
    # The counts: the ledgers' paths, the overdue part, the part under notice; the list's
    # page as its ids, then its rows (SupervisionTable.READ_IDS_FIRST).
    with django_assert_max_num_queries(15):
        client.get(BOARD, {"org": world.committee_a.pk, "age": OverdueAge.UP_TO_20})


@pytest.mark.parametrize("sort", ["due_on", "-due_on"])
def test_the_board_reads_its_page_as_ids_then_rows_in_order(world, client_for, calendar, sort):
    """SupervisionTable.READ_IDS_FIRST: the page's ids in the board's order, then the rows by
    id, shown in that order (the oldest or the latest due first) with their notice state."""
    secretary = world.users[Role.BRANCH_SECRETARY]
    made = [overdue_by(make_entry(secretary, title=f"超期{i}"), calendar, 1 + i) for i in range(6)]
    issue(world, made[2])
    client = client_for(world.users[Role.PARTY_BUILDING])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(BOARD, {"sort": sort})
    rows = [row.record for row in response.context["table"].page_rows]
    dues = [entry.due_on for entry in rows]
    assert len(rows) == 6 and dues == sorted(dues, reverse=sort.startswith("-"))
    assert any(row.open_respond_by for row in rows)  # the notice's annotation survives
    ids_only = [q["sql"] for q in ctx.captured_queries
                if q["sql"].startswith('SELECT "liaison_entry"."id" AS "pk" FROM')]  # fmt: skip
    assert len(ids_only) == 1


def test_a_leadership_cadre_reads_his_committees_board_but_issues_nothing(world, client_for):
    """党委书记 follows the overdue entries of the committee he leads; notices stay the
    party-building department's."""
    leader = world.users[Role.LEADERSHIP_CADRE]
    in_scope = make_entry(world.users[Role.BRANCH_SECRETARY], recorded_on=dt.date(2026, 9, 1))
    elsewhere = make_entry(
        make_user(Role.BRANCH_SECRETARY, scope=world.branch_b, username="sj-b"),
        recorded_on=dt.date(2026, 9, 1),
    )
    body = client_for(leader).get(BOARD).content.decode()
    assert in_scope.number in body and elsewhere.number not in body
    issue = reverse("liaison:supervision_issue", args=[in_scope.pk])
    data = {"instruction": "催办", "respond_by": supervision_default_respond_by().isoformat()}
    assert client_for(leader).post(issue, data).status_code == 403
    assert not in_scope.supervisions.exists()


def test_a_count_links_to_the_entries_behind_it_and_a_zero_is_muted(world, client_for, board_world):
    """Each count of the board links to the list below filtered to its unit, age and state,
    keeping the page's other filters; a zero is muted and links nowhere."""
    client = client_for(world.users[Role.PARTY_BUILDING])
    page = client.get(BOARD, {"colour": "red"}).content.decode()
    org = world.committee_a.pk
    assert (
        '<td class="ledger-board-overdue" data-column="overdue"><a class="text-primary-emphasis" '
        f'href="?colour=red&amp;org={org}&amp;state=overdue#entries">'
    ) in page
    rows = [row.split("</tr>", 1)[0] for row in page.split('data-testid="board-row"')[1:]]
    (row,) = [row for row in rows if "营销服务党委" in row]  # 1 overdue, nothing supervised
    assert '<td class="text-muted" data-column="supervised">0</td>' in row
