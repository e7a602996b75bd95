"""The matters of the month (每月一题): promoting a cluster, the matter page's figures worked out
by hand, who may read and write, bad input, and what each page costs."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
from django.utils import timezone

from feedback.constants import RatingChannel, Satisfaction
from feedback.models import MatterEntry, MonthlyMatter, Rating
from feedback.services.matters import matter_create
from liaison.constants import EntryStatus, Role
from liaison.models import AuditEvent, Entry
from tests.fixtures.matters import hand_dataset

NEW = "/matters/new/"


def _today():
    return timezone.localdate()


@pytest.fixture
def hand(world):
    return hand_dataset(world)


def _post(hand, **changes):
    data = {
        "month": "2026-03",
        "entries": ",".join(map(str, hand.ids(1, 2, 3, 8, 14))),
        "title": "充电桩报装慢",
        "owner": "",
        "due_on": (_today() + dt.timedelta(days=30)).isoformat(),
        "plan": "梳理报装流程，压缩环节",
    }
    return {**data, **changes}


def _matter(world, hand, keys=(1, 2, 3, 8, 14), title="充电桩报装慢"):
    department = world.users[Role.PARTY_BUILDING]
    return matter_create(
        actor=department,
        month=dt.date(2026, 3, 1),
        title=title,
        owner=department,
        due_on=_today() + dt.timedelta(days=30),
        entry_ids=hand.ids(*keys),
    )


def test_the_department_promotes_a_cluster_to_a_matter_with_its_entries(hand, world, client_for):
    department = world.users[Role.PARTY_BUILDING]
    client = client_for(department)
    form = client.get(NEW, {"month": "2026-03", "entries": _post(hand)["entries"]})
    assert form.status_code == HTTPStatus.OK
    assert len(form.context["preview"]) == 5
    response = client.post(NEW, _post(hand, owner=department.pk))
    matter = MonthlyMatter.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/matters/{matter.pk}/"
    assert (matter.month, matter.title, matter.owner, matter.status) == (
        dt.date(2026, 3, 1),
        "充电桩报装慢",
        department,
        MonthlyMatter.Status.OPEN,
    )
    assert sorted(matter.entries.values_list("pk", flat=True)) == hand.ids(1, 2, 3, 8, 14)
    assert set(MatterEntry.objects.values_list("added_by", flat=True)) == {department.pk}
    event = AuditEvent.objects.get(object_type="feedback.monthlymatter", object_id=str(matter.pk))
    assert (event.action, event.actor, event.data["entries"]) == (
        AuditEvent.Action.CREATED,
        department,
        hand.ids(1, 2, 3, 8, 14),
    )


def test_a_service_item_s_entries_of_the_month_can_be_promoted(hand, world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    query = {"month": "2026-03", "item": hand.item_y.pk, "org": world.committee_b.pk}
    form = client.get(NEW, query)
    # Item Y in committee B in March: #4 #6 #7.
    assert [e.pk for e in form.context["preview"]] == hand.ids(4, 6, 7)
    assert form.context["form"].initial["entries"] == ",".join(map(str, hand.ids(4, 6, 7)))


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"title": "  "}, "title", "标题"),
        ({"due_on": "2020-01-01"}, "due_on", "不能早于今天"),
        ({"entries": "999999"}, "entries", "999999"),
        ({"entries": "1;2"}, "entries", "编号"),
        ({"owner": "SECRETARY"}, "owner", "责任人"),
    ],
)
def test_bad_input_is_400_with_a_chinese_message_and_nothing_written(
    hand, world, client_for, changes, field, message
):
    department = world.users[Role.PARTY_BUILDING]
    if changes.get("owner") == "SECRETARY":  # a secretary may not own a matter
        changes = {"owner": world.users[Role.BRANCH_SECRETARY].pk}
    client = client_for(department)
    before = AuditEvent.objects.count()
    data = {**_post(hand, owner=department.pk), **changes}
    response = client.post(NEW, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode(), field
    assert not MonthlyMatter.objects.exists()
    assert not MatterEntry.objects.exists()
    assert AuditEvent.objects.count() == before


def test_the_matter_page_shows_its_entries_figures_worked_out_by_hand(world, client_for):
    department = world.users[Role.PARTY_BUILDING]
    from tests.fixtures.factories import make_entry

    today = _today()
    e1, e2, e3, e4 = (
        make_entry(department, org=world.branch_a, title=f"充电桩{n}") for n in range(4)
    )
    # e1 replied on time, rated 满意; e2 closed, replied late, rated 不满意 then (round 1, after
    # reopening) 基本满意; e3 awaiting its reply, due yesterday: overdue; e4 awaiting, due in a
    # week: open in time.
    Entry.objects.filter(pk=e1.pk).update(status=EntryStatus.REPLIED, replied_on_time=True)
    Entry.objects.filter(pk=e2.pk).update(status=EntryStatus.CLOSED, replied_on_time=False)
    Entry.objects.filter(pk=e3.pk).update(
        status=EntryStatus.IN_PROGRESS, due_on=today - dt.timedelta(days=1)
    )
    Entry.objects.filter(pk=e4.pk).update(
        status=EntryStatus.RECORDED, due_on=today + dt.timedelta(days=7)
    )
    for entry, value, round_ in (
        (e1, Satisfaction.SATISFIED, 0),
        (e2, Satisfaction.UNSATISFIED, 0),
        (e2, Satisfaction.BASICALLY_SATISFIED, 1),
    ):
        Rating.objects.create(entry=entry, value=value, round=round_, channel=RatingChannel.LINK)
    matter = matter_create(
        actor=department,
        month=dt.date(2026, 11, 1),
        title="充电桩报装",
        owner=department,
        due_on=today + dt.timedelta(days=10),
        entry_ids=[e1.pk, e2.pk, e3.pk, e4.pk],
    )
    response = client_for(department).get(f"/matters/{matter.pk}/")
    figures = response.context["figures"]
    # open 1 (e4), overdue 1 (e3), replied 1 (e1), closed 1 (e2); on time: e1 of the deadlines
    # come (e1, e2, e3) = 1/3; satisfaction: 满意 and 基本满意 of three ratings = 2/3.
    assert (figures.total, figures.open, figures.overdue, figures.replied, figures.closed) == (
        4,
        1,
        1,
        1,
        1,
    )
    assert figures.on_time_rate == pytest.approx(1 / 3)
    assert (figures.rated, figures.satisfied) == (3, 2)
    assert figures.satisfaction_rate == pytest.approx(2 / 3)
    assert response.context["days_left"] == 10
    page = response.content.decode()
    assert "33.3%" in page and "66.7%" in page
    for entry in (e1, e2, e3, e4):
        assert f'href="/entries/{entry.pk}/"' in page


def test_a_committee_reads_a_matter_touching_its_subtree_counting_only_its_entries(
    hand, world, client_for
):
    matter = _matter(world, hand)  # #1 #2 #14 in committee A, #3 #8 in committee B
    only_b = _matter(world, hand, keys=(4, 6), title="小区电压低")
    committee = client_for(world.users[Role.COMMITTEE_STAFF])
    response = committee.get(f"/matters/{matter.pk}/")
    assert response.status_code == HTTPStatus.OK
    assert response.context["figures"].total == 3
    assert [e.pk for e in response.context["entries"]] == hand.ids(1, 2, 14)
    assert response.context["editable"] is False
    assert committee.get(f"/matters/{only_b.pk}/").status_code == HTTPStatus.NOT_FOUND
    listed = committee.get("/matters/").context["rows"]
    assert [(row.matter, row.total) for row in listed] == [(matter, 3)]


@pytest.mark.parametrize(
    "role",
    [Role.BRANCH_SECRETARY, Role.PARTY_MEMBER, Role.LEADERSHIP_CADRE, Role.DEPARTMENT_HANDLER],
)
def test_other_roles_get_404_on_every_matter_page(hand, world, client_for, role):
    matter = _matter(world, hand)
    client = client_for(world.users[role])
    for url in ("/matters/", f"/matters/{matter.pk}/", NEW):
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND, url
    assert client.post(f"/matters/{matter.pk}/close/", {"closing_note": "x"}).status_code == 404


def test_a_committee_may_not_write_403_and_nothing_changes(hand, world, client_for):
    matter = _matter(world, hand)
    committee = client_for(world.users[Role.COMMITTEE_STAFF])
    assert committee.get(NEW).status_code == HTTPStatus.FORBIDDEN
    assert committee.post(NEW, _post(hand)).status_code == HTTPStatus.FORBIDDEN
    response = committee.post(f"/matters/{matter.pk}/close/", {"closing_note": "办完了"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    remove = committee.post(f"/matters/{matter.pk}/entries/{hand.entries[1].pk}/remove/")
    assert remove.status_code == HTTPStatus.FORBIDDEN
    matter.refresh_from_db()
    assert matter.is_open and matter.entries.count() == 5


def test_the_department_edits_links_unlinks_and_closes_with_audit_events(hand, world, client_for):
    department = world.users[Role.PARTY_BUILDING]
    owner = world.users[Role.COMMITTEE_STAFF]
    matter = _matter(world, hand)
    client = client_for(department)
    url = f"/matters/{matter.pk}/"
    due = (_today() + dt.timedelta(days=40)).isoformat()
    edit = {"title": "充电桩报装提速", "owner": owner.pk, "due_on": due, "plan": "一月内出方案"}
    assert client.post(url + "edit/", edit).status_code == HTTPStatus.FOUND
    add = client.post(url + "entries/", {"numbers": hand.entries[4].number})
    assert add.status_code == HTTPStatus.FOUND
    again = client.post(url + "entries/", {"numbers": hand.entries[4].number})
    assert again.status_code == HTTPStatus.BAD_REQUEST
    unknown = client.post(url + "entries/", {"numbers": "NO-SUCH"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert unknown.status_code == HTTPStatus.BAD_REQUEST
    remove = client.post(url + f"entries/{hand.entries[8].pk}/remove/")
    assert remove.status_code == HTTPStatus.FOUND
    assert client.post(url + "close/", {"closing_note": ""}).status_code == HTTPStatus.BAD_REQUEST
    assert client.post(url + "close/", {"closing_note": "流程压缩到5天"}).status_code == 302
    matter.refresh_from_db()
    assert (matter.title, matter.owner, matter.plan, matter.status) == (
        "充电桩报装提速",
        owner,
        "一月内出方案",
        MonthlyMatter.Status.CLOSED,
    )
    assert sorted(matter.entries.values_list("pk", flat=True)) == hand.ids(1, 2, 3, 4, 14)
    events = AuditEvent.objects.filter(object_type="feedback.monthlymatter").order_by("pk")
    assert [e.data["event"] for e in events] == [
        "created",
        "updated",
        "entries_added",
        "entry_removed",
        "closed",
    ]
    # A closed matter changes no more.
    late = client.post(url + "edit/", edit)
    assert late.status_code == HTTPStatus.BAD_REQUEST
    assert client.get(url).context["editable"] is False


def test_a_past_due_date_may_stay_but_not_be_set(hand, world, client_for):
    matter = _matter(world, hand)
    MonthlyMatter.objects.filter(pk=matter.pk).update(due_on=_today() - dt.timedelta(days=3))
    client = client_for(world.users[Role.PARTY_BUILDING])
    department = world.users[Role.PARTY_BUILDING]
    keep = {
        "title": "改个标题",
        "owner": department.pk,
        "due_on": (_today() - dt.timedelta(days=3)).isoformat(),
    }
    assert client.post(f"/matters/{matter.pk}/edit/", keep).status_code == HTTPStatus.FOUND
    page = client.get(f"/matters/{matter.pk}/")
    assert page.context["days_late"] == 3
    move = {**keep, "due_on": (_today() - dt.timedelta(days=1)).isoformat()}
    assert client.post(f"/matters/{matter.pk}/edit/", move).status_code == HTTPStatus.BAD_REQUEST


def test_the_last_entry_stays(hand, world, client_for):
    matter = _matter(world, hand, keys=(4,))
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = client.post(f"/matters/{matter.pk}/entries/{hand.entries[4].pk}/remove/")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert matter.entries.count() == 1


@pytest.mark.parametrize("keys", [(4,), (1, 2, 3, 4, 5, 6, 7, 8, 14)])
def test_the_matter_page_costs_the_same_for_few_and_many_entries(
    hand, world, client_for, django_assert_num_queries, keys
):
    matter = _matter(world, hand, keys=keys)
    client = client_for(world.users[Role.PARTY_BUILDING])
    client.get(f"/matters/{matter.pk}/")
    # session, user, unread notifications; the matter; figures by status; ratings; entries;
    # history; the owner choices of the edit form
    with django_assert_num_queries(9):
        client.get(f"/matters/{matter.pk}/")


@pytest.mark.parametrize("count", [1, 4])
def test_the_list_costs_the_same_for_few_and_many_matters(
    hand, world, client_for, django_assert_num_queries, count
):
    for n in range(count):
        _matter(world, hand, title=f"第{n}题")
    client = client_for(world.users[Role.PARTY_BUILDING])
    client.get("/matters/")
    # session, user, unread notifications; the matters with their progress
    with django_assert_num_queries(4):
        response = client.get("/matters/")
    assert len(response.context["rows"]) == count


def test_the_dashboard_shows_the_open_matters_with_progress_and_satisfaction(
    hand, world, client_for
):
    matter = _matter(world, hand)
    Entry.objects.filter(pk__in=hand.ids(1, 3)).update(status=EntryStatus.REPLIED)
    Rating.objects.create(
        entry=hand.entries[1], value=Satisfaction.VERY_SATISFIED, channel=RatingChannel.LINK
    )
    Rating.objects.create(
        entry=hand.entries[3], value=Satisfaction.UNSATISFIED, channel=RatingChannel.LINK
    )
    department = client_for(world.users[Role.PARTY_BUILDING]).get("/feedback/dashboard/")
    # The company: #1 and #3 of five answered; one of two ratings satisfied.
    rows = department.context["matters"]
    assert [(r.matter, r.answered, r.total, r.rated, r.satisfied) for r in rows] == [
        (matter, 2, 5, 2, 1)
    ]
    assert 'data-testid="dashboard-matter"' in department.content.decode()
    # Committee A's dashboard: its #1 #2 #14, #1 answered and rated 非常满意.
    committee = client_for(world.users[Role.COMMITTEE_STAFF]).get("/feedback/dashboard/")
    rows = committee.context["matters"]
    assert [(r.answered, r.total, r.rated, r.satisfied) for r in rows] == [(1, 3, 1, 1)]
    # A secretary's dashboard has no matters card.
    secretary = client_for(world.users[Role.BRANCH_SECRETARY]).get("/feedback/dashboard/")
    assert secretary.context["matters"] == []
