"""The home page as a work queue: each role's first screen says what to do now, each item
linking to its entry, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from liaison.constants import Colour, EntryScope, EntryStatus, PairingKind, Role
from liaison.models import Entry, MonthlyReview
from liaison.selectors.reviews import previous_month
from liaison.selectors.work import nav_counts, work_page
from liaison.services.pairings import pairing_create
from liaison.services.reviews import monthly_review_prepare
from liaison.services.supervision import supervision_default_respond_by, supervision_issue
from liaison.services.workflow import Action, entry_act
from liaison.workdays import WorkCalendar
from tests.fixtures.factories import PersonFactory, make_entry, make_user
from tests.fixtures.walks import act, entry_in

HOME = reverse("home")


def today() -> dt.date:
    return timezone.localdate()


def working_days_from_today(n: int) -> dt.date:
    calendar = WorkCalendar.load(today().year - 1, today().year + 1)
    if n >= 0:
        return calendar.add_working_days(today(), n).due_on
    return calendar.working_days_back(today(), -n)


def set_due(entry: Entry, due_on: dt.date) -> Entry:
    Entry.objects.filter(pk=entry.pk).update(due_on=due_on)
    return Entry.objects.get(pk=entry.pk)


def fill_queues(world, n: int = 1) -> dict[str, list[Entry]]:
    """n entries of the secretary in each of the owner's queues, and n in each of the
    department's; returns them by queue."""
    secretary = world.users[Role.BRANCH_SECRETARY]
    maintainer = world.users[Role.PARTY_BUILDING]
    made: dict[str, list[Entry]] = {}
    for i in range(n):
        overdue = set_due(make_entry(secretary, title=f"逾期{i}"), working_days_from_today(-3))
        due_soon = set_due(make_entry(secretary, title=f"将到期{i}"), today())
        replied = entry_in(world, EntryStatus.REPLIED, title=f"重办{i}")
        reopened = act(world, replied, Action.REOPEN, None)
        resolved = entry_in(world, EntryStatus.RESOLVED, title=f"待答复{i}")
        supervised = set_due(make_entry(secretary, title=f"督办{i}"), working_days_from_today(-1))
        supervision_issue(
            entry=supervised,
            actor=maintainer,
            instruction="请尽快办理",
            respond_by=supervision_default_respond_by(),
        )
        yellow = make_entry(
            secretary,
            colour=Colour.YELLOW,
            target_on=working_days_from_today(40),
            recorded_on=today() - dt.timedelta(days=45),
            title=f"黄色{i}",
        )
        referred = entry_in(world, EntryStatus.REFERRED, title=f"交办{i}")
        signed = entry_in(world, EntryStatus.REFERRED, title=f"签收{i}")
        signed = act(world, signed, Action.SIGN_FOR, world.users[Role.DEPARTMENT_HANDLER])
        planned = entry_in(world, EntryStatus.PLANNED, title=f"方案{i}")
        for key, entry in [
            ("overdue", overdue),
            ("due_soon", due_soon),
            ("reopened", reopened),
            ("to_reply", resolved),
            ("supervised", supervised),
            ("progress_note", yellow),
            ("to_sign", referred),
            ("to_plan", signed),
            ("to_resolve", planned),
        ]:
            made.setdefault(key, []).append(entry)
    return made


def queues_of(user) -> dict[str, list[int]]:
    return {queue.key: [e.pk for e in queue.entries] for queue in work_page(user=user).queues}


def test_the_owner_sees_what_is_overdue_due_soon_reopened_and_waiting_for_the_reply(world):
    made = fill_queues(world)
    queues = queues_of(world.users[Role.BRANCH_SECRETARY])
    for key in ("overdue", "due_soon", "reopened", "to_reply", "supervised", "progress_note"):
        assert made[key][0].pk in queues[key], key
    # Overdue is not also "due soon"; a department's steps are not the owner's to do.
    assert made["overdue"][0].pk not in queues["due_soon"]
    assert "to_plan" not in queues


def test_a_member_sees_only_the_entries_he_owns(world):
    fill_queues(world)
    member = world.users[Role.PARTY_MEMBER]
    own = make_entry(member, org=world.group_a, title="党员自己的")
    own = set_due(own, working_days_from_today(-2))
    assert queues_of(member) == {"overdue": [own.pk]}


def test_the_handler_sees_referrals_to_sign_for_then_a_plan_then_a_result(world):
    made = fill_queues(world)
    page = work_page(user=world.users[Role.DEPARTMENT_HANDLER])
    assert [queue.key for queue in page.queues] == ["to_sign", "to_plan", "to_resolve"]
    queues = queues_of(world.users[Role.DEPARTMENT_HANDLER])
    assert made["to_sign"][0].pk in queues["to_sign"]
    assert made["to_sign"][0].pk not in queues["to_plan"]
    assert made["to_plan"][0].pk in queues["to_plan"]
    assert made["to_resolve"][0].pk in queues["to_resolve"]
    assert "overdue" not in queues


def test_the_secretary_is_asked_to_sign_last_months_review(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    page = work_page(user=secretary)
    assert page.review_missing and page.review_to_sign is None
    monthly_review_prepare(month=previous_month(), orgs=[world.branch_a])
    page = work_page(user=secretary)
    review = MonthlyReview.objects.get(org=world.branch_a, month=previous_month())
    assert page.review_to_sign == review and not page.review_missing
    body = client_for(secretary).get(HOME).content.decode()
    assert reverse("liaison:review_detail", args=[review.pk]) in body


@pytest.mark.parametrize("role", [Role.PARTY_BUILDING, Role.COMMITTEE_STAFF])
def test_supervisors_see_overdue_by_unit_notices_reviews_and_todays_entries(world, role):
    made = fill_queues(world)
    page = work_page(user=world.users[role])
    assert page.board is not None
    assert page.board.total.counts["overdue"] >= 2  # the overdue and the supervised entries
    assert page.open_notices == 1
    assert page.new_today_count >= 4  # the entries recorded today, newest first
    assert made["to_resolve"][0].pk in [entry.pk for entry in page.new_today]


def test_each_item_links_to_its_entry_on_the_page(world, client_for):
    made = fill_queues(world)
    body = client_for(world.users[Role.BRANCH_SECRETARY]).get(HOME).content.decode()
    for key in ("overdue", "reopened", "to_reply"):
        entry = made[key][0]
        assert f'href="{entry.get_absolute_url()}"' in body and entry.title in body
    assert 'data-testid="work-overdue"' in body


@pytest.mark.parametrize(
    "role",
    [Role.BRANCH_SECRETARY, Role.DEPARTMENT_HANDLER, Role.PARTY_BUILDING, Role.COMMITTEE_STAFF],
)
def test_the_home_page_runs_the_same_queries_for_1_or_6_entries_per_queue(world, client_for, role):
    client = client_for(world.users[role])
    fill_queues(world, 1)
    with CaptureQueriesContext(connection) as few:
        client.get(HOME)
    fill_queues(world, 5)
    with CaptureQueriesContext(connection) as many:
        client.get(HOME)
    assert len(few) == len(many) <= 30


def test_a_leadership_cadre_sees_the_open_and_overdue_entries_of_his_contact_points(world):
    leader = world.users[Role.LEADERSHIP_CADRE]
    leader.person = PersonFactory(name="党委书记", org=world.committee_a, is_party_member=True)
    leader.save()
    pairing_create(
        actor=None,
        kind=PairingKind.LEADER_CONTACT,
        subject=leader.person,
        target=world.team_a,
        start_on=today() - dt.timedelta(days=30),
    )
    secretary = world.users[Role.BRANCH_SECRETARY]
    at_contact_point = set_due(
        make_entry(secretary, informant=world.special_a, title="联系点的诉求"),
        working_days_from_today(-2),
    )
    elsewhere_secretary = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b, username="sj-b")
    elsewhere = set_due(
        make_entry(elsewhere_secretary, informant=world.member_b, title="别处的诉求"),
        working_days_from_today(-2),
    )
    queues = queues_of(leader)
    assert queues["contact_overdue"] == [at_contact_point.pk]
    assert at_contact_point.pk in queues["contact_open"]
    assert elsewhere.pk not in queues["contact_open"]


# -- The menu's badges ---------------------------------------------------------------------------


def _badges(client) -> str:
    response = client.get(reverse("liaison:nav_badges"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return response.content.decode()


def test_the_menu_counts_the_secretarys_work_once_per_entry(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    today = timezone.localdate()
    calendar = WorkCalendar.load(today.year - 1, today.year + 1)
    overdue = make_entry(secretary, recorded_on=today, title="逾期")
    Entry.objects.filter(pk=overdue.pk).update(due_on=calendar.working_days_back(today, 2))
    make_entry(secretary, recorded_on=today, title="今天到期")
    Entry.objects.filter(title="今天到期").update(due_on=today)
    counts = nav_counts(user=secretary, today=today)
    assert counts["home"] == 2  # overdue and due soon, each once
    assert counts[f"ledger_{EntryScope.BRANCH}"] == 1
    body = _badges(client_for(secretary))
    assert 'id="nav-badge-home"' in body and 'hx-swap-oob="true"' in body


def test_the_handlers_inbox_counts_referrals_awaiting_the_department(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    handler = world.users[Role.DEPARTMENT_HANDLER]
    entry = make_entry(secretary, recorded_on=timezone.localdate())
    entry_act(action="refer", entry=entry, actor=secretary, expected_version=entry.version,
              department=world.department, note="请处理")  # fmt: skip
    counts = nav_counts(user=handler)
    assert counts == {"home": 1, f"ledger_{EntryScope.DEPARTMENT}": 1}


def test_nothing_waiting_shows_no_badge(world, client_for):
    member = world.users[Role.PARTY_MEMBER]
    assert nav_counts(user=member) == {}
    assert "nav-badge" not in _badges(client_for(member))


def test_the_badges_read_in_a_fixed_number_of_queries(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    client = client_for(secretary)
    _badges(client)
    with CaptureQueriesContext(connection) as few:
        _badges(client)
    for n in range(10):
        make_entry(secretary, recorded_on=timezone.localdate(), title=f"第{n}条")
    with CaptureQueriesContext(connection) as many:
        _badges(client)
    assert len(many.captured_queries) == len(few.captured_queries) <= 8


def test_anonymous_gets_no_badges(client):
    response = client.get(reverse("liaison:nav_badges"))
    assert response.status_code == 302
