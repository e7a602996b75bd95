"""The party-building department's reverse evaluation (R12): campaigns, pairs by hand,
opening and closing, progress, the printed sheets, reminders; every URL for every role; bad
input answered with 400 and a message; query counts that do not grow with the data."""

from __future__ import annotations

import datetime as dt
import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feedback.constants import EVALUATION_REMINDER_DAYS, CampaignStatus, EvaluationRule
from feedback.models import EvaluationAssignment, EvaluationCampaign, EvaluationRater
from feedback.selectors.campaigns import campaign_progress
from feedback.services import campaign_pairs, campaigns, reminders
from feedback.tasks import evaluation_close_due_task, evaluation_reminders_task
from liaison.constants import COMPANY_WIDE_ROLES, Level, Role
from liaison.models import AuditEvent
from tests.fixtures.evaluations import YEAR, build_year, grow_company
from tests.fixtures.factories import make_user

R = EvaluationRule
OTHER_ROLES = [role for role in Role if role not in COMPANY_WIDE_ROLES]
TODAY = timezone.localdate  # the pages use the real date


def url(name: str, *args) -> str:
    return reverse(f"feedback:evaluations:{name}", args=args)


@pytest.fixture
def year(world):
    return build_year(world)


@pytest.fixture
def dj(world):
    return world.users[Role.PARTY_BUILDING]


@pytest.fixture
def draft(year, dj):
    return campaigns.campaign_create(actor=dj, year=YEAR, today=dt.date(2026, 11, 1))


@pytest.fixture
def opened(draft, dj):
    return campaigns.campaign_open(
        actor=dj, campaign=draft, closes_on=TODAY() + dt.timedelta(days=30)
    )


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def pairs_of(campaign) -> int:
    return EvaluationAssignment.objects.filter(rater__campaign=campaign).count()


def rater_of(campaign, party) -> EvaluationRater:
    column = {"Person": "person", "Unit": "unit", "OrgNode": "org"}[type(party).__name__]
    return EvaluationRater.objects.get(campaign=campaign, **{column: party})


WEIGHTS = {
    "weight_satisfaction": 40,
    "weight_on_time": 20,
    "weight_reverse": 30,
    "weight_review": 10,
}


# --- who may: every URL, every role -------------------------------------------------------------


def _urls(campaign, world) -> list[tuple[str, str, dict]]:
    pair = EvaluationAssignment.objects.filter(rater__campaign=campaign).first()
    pk = campaign.pk
    return [
        ("get", url("campaign_list"), {}),
        ("post", url("campaign_create"), {"year": YEAR - 1, **WEIGHTS}),
        ("get", url("campaign_detail", pk), {}),
        ("post", url("campaign_weights", pk), WEIGHTS),
        ("post", url("campaign_propose", pk), {}),
        (
            "post",
            url("campaign_pair_add", pk),
            {"rater_kind": "unit", "rater": world.team_b.code, "ratee_kind": "org", "ratee": "BB"},
        ),
        ("post", url("campaign_pair_remove", pk, pair.pk), {}),
        ("post", url("campaign_open", pk), {"closes_on": "2099-12-31"}),
        ("post", url("campaign_close", pk), {}),
        ("get", url("campaign_progress", pk), {}),
        ("get", url("campaign_sheet", pk, world.branch_a.pk), {}),
    ]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_everyone_but_the_department_gets_404_on_every_url_and_changes_nothing(
    world, draft, client_for, role
):
    client = client_for(world.users[role])
    before = (EvaluationCampaign.objects.count(), pairs_of(draft), draft.status)
    for method, address, data in _urls(draft, world):
        response = getattr(client, method)(address, data)
        assert response.status_code == HTTPStatus.NOT_FOUND, (role, address)
    draft.refresh_from_db()
    assert (EvaluationCampaign.objects.count(), pairs_of(draft), draft.status) == before


def test_anonymous_visitors_are_sent_to_log_in(world, draft, client):
    for method, address, data in _urls(draft, world):
        response = getattr(client, method)(address, data)
        assert response.status_code == HTTPStatus.FOUND
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", sorted(COMPANY_WIDE_ROLES))
def test_the_department_and_administrators_read_every_page(world, opened, client_for, role):
    client = client_for(world.users[role])
    for method, address, _data in _urls(opened, world):
        if method == "get":
            assert client.get(address).status_code == HTTPStatus.OK, address


def test_a_missing_campaign_or_pair_is_404(world, draft, dj, client_for):
    client = client_for(dj)
    assert client.get(url("campaign_detail", draft.pk + 99)).status_code == HTTPStatus.NOT_FOUND
    other = campaigns.campaign_create(actor=dj, year=YEAR - 1, propose=False)
    pair = EvaluationAssignment.objects.filter(rater__campaign=draft).first()
    response = client.post(url("campaign_pair_remove", other.pk, pair.pk))
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert EvaluationAssignment.objects.filter(pk=pair.pk).exists()


def test_the_menu_shows_the_reverse_evaluation_to_the_department_only(world, client_for):
    link = f'href="{url("campaign_list")}"'
    assert link in client_for(world.users[Role.PARTY_BUILDING]).get("/").content.decode()
    assert link not in client_for(world.users[Role.BRANCH_SECRETARY]).get("/").content.decode()


# --- creating a campaign ------------------------------------------------------------------------


def test_the_department_creates_a_years_campaign_with_its_proposal(year, dj, client_for):
    response = client_for(dj).post(url("campaign_create"), {"year": YEAR, **WEIGHTS})
    campaign = EvaluationCampaign.objects.get(year=YEAR)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == url("campaign_detail", campaign.pk)
    assert campaign.status == CampaignStatus.DRAFT and campaign.created_by == dj
    assert pairs_of(campaign) == 9
    page = client_for(dj).get(response.url).content.decode()
    assert 'data-testid="pairs-total">9<' in page
    events = AuditEvent.objects.filter(object_type="feedback.evaluationcampaign")
    assert [e.data["event"] for e in events.order_by("pk")] == ["created", "proposed"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": "abc"}, "Enter a whole number."),
        ({"year": 1999}, "greater than or equal to 2000"),
        ({"year": 9998}, "Choose a year from 2000 to"),
        ({"year": YEAR, "weight_review": 11}, "must add up to 100 (they add up to 101)"),
        ({"year": YEAR, "weight_review": -10}, "greater than or equal to 0"),
        ({"year": YEAR, "weight_review": ""}, "This field is required."),
        ({"year": YEAR, "weight_review": "x" * 5000}, "Enter a whole number."),
    ],
)
def test_bad_input_to_create_is_400_with_a_message(year, dj, client_for, data, message):
    client = client_for(dj)
    client.cookies["django_language"] = "en"
    response = client.post(url("campaign_create"), {**WEIGHTS, **data})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    assert not EvaluationCampaign.objects.exists()


def test_one_campaign_a_year(draft, dj, client_for):
    client = client_for(dj)
    client.cookies["django_language"] = "en"
    response = client.post(url("campaign_create"), {"year": YEAR, **WEIGHTS})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "A reverse evaluation for 2026 exists already." in response.content.decode()
    assert EvaluationCampaign.objects.count() == 1


def test_weights_change_while_draft_only(draft, dj, client_for):
    client = client_for(dj)
    client.cookies["django_language"] = "en"
    new = {**WEIGHTS, "weight_satisfaction": 30, "weight_review": 20}
    assert client.post(url("campaign_weights", draft.pk), new).status_code == HTTPStatus.FOUND
    draft.refresh_from_db()
    assert (draft.weight_satisfaction, draft.weight_review) == (30, 20)
    bad = client.post(url("campaign_weights", draft.pk), {**new, "weight_on_time": 0})
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    assert "must add up to 100" in bad.content.decode()
    campaigns.campaign_open(actor=dj, campaign=draft, closes_on=TODAY() + dt.timedelta(days=9))
    late = client.post(url("campaign_weights", draft.pk), WEIGHTS)
    assert late.status_code == HTTPStatus.BAD_REQUEST
    assert "only be done while the reverse evaluation is being prepared" in late.content.decode()
    draft.refresh_from_db()
    assert draft.weight_satisfaction == 30


# --- pairs by hand ------------------------------------------------------------------------------


def _pair(rater_kind, rater, ratee_kind, ratee) -> dict:
    return {"rater_kind": rater_kind, "rater": rater, "ratee_kind": ratee_kind, "ratee": ratee}


@pytest.mark.parametrize(
    ("rater_kind", "rater", "ratee_kind", "ratee", "message"),
    [
        ("person", "member_a", "person", "member_a", "Nobody rates themselves."),
        ("org", "branch_b", "org", "branch_b", "Nobody rates themselves."),
        ("person", "customer_a", "person", "leader", "already rates"),  # made by a rule
        ("org", "group_a", "org", "office_branch", "must be a party branch"),
        ("person", "member_b", "person", "special_a", "neither a leadership cadre nor a party"),
        ("person", "member_b", "person", "customer_a", "Only an active employee can be rated"),
        ("unit", "team_b", "org", "committee_a", "must be a party branch"),
        ("unit", "member_a", "person", "member_b", "No business unit has the code"),
        ("person", "nobody", "person", "member_b", "No person or party has the code"),
        ("person", "", "person", "member_b", "This field is required."),
        ("robot", "member_a", "person", "member_b", "Select a valid choice."),
    ],
)
def test_refused_pairs_are_400_with_a_message_and_write_nothing(
    year, draft, dj, client_for, rater_kind, rater, ratee_kind, ratee, message
):
    w = year.world
    sides = {"leader": year.leader}

    def code(name: str) -> str:
        party = sides.get(name) or getattr(w, name, None)
        return party.code if party is not None else name

    client = client_for(dj)
    client.cookies["django_language"] = "en"
    before = (pairs_of(draft), AuditEvent.objects.count())
    response = client.post(
        url("campaign_pair_add", draft.pk), _pair(rater_kind, code(rater), ratee_kind, code(ratee))
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    assert (pairs_of(draft), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("rater_kind", "rater", "ratee", "level"),
    [
        ("unit", "team_b", "leader", Level.LEADERSHIP),  # a contact-point leader
        ("person", "special_a", "cadre", Level.LEADERSHIP),  # a leader by account
        ("person", "member_b", "member_a", Level.PARTY_MEMBER),
        ("org", "branch_b", "branch_a", Level.GRASSROOTS_BRANCH),
        ("person", "customer_a", "office_branch", Level.OFFICE_BRANCH),
    ],
)
def test_the_department_adds_a_pair_with_the_ratees_level(
    year, draft, dj, client_for, rater_kind, rater, ratee, level
):
    w = year.world
    parties = {"leader": year.leader, "cadre": year.cadre}
    ratee_party = parties.get(ratee) or getattr(w, ratee)
    ratee_kind = "org" if ratee in ("branch_a", "office_branch") else "person"
    response = client_for(dj).post(
        url("campaign_pair_add", draft.pk),
        _pair(
            rater_kind,
            f"{getattr(w, rater).code} {getattr(w, rater).name}",
            ratee_kind,
            ratee_party.code,
        ),
    )
    assert response.status_code == HTTPStatus.FOUND
    pair = EvaluationAssignment.objects.get(rater__campaign=draft, rule=R.MANUAL)
    assert (pair.rater.party, pair.ratee, pair.level, pair.added_by) == (
        getattr(w, rater),
        ratee_party,
        level,
        dj,
    )
    assert pair.rater.token() is not None  # a new rater gets its signed link at once
    event = AuditEvent.objects.filter(object_id=str(draft.pk)).first()
    assert event.data["event"] == "pair_added" and event.actor == dj


def test_pairs_are_added_while_open_but_not_to_a_rater_who_answered_nor_when_closed(
    year, opened, dj, client_for
):
    w = year.world
    client = client_for(dj)
    client.cookies["django_language"] = "en"
    add = url("campaign_pair_add", opened.pk)
    assert (
        client.post(add, _pair("person", w.member_b.code, "person", w.member_a.code)).status_code
        == HTTPStatus.FOUND
    )
    EvaluationRater.objects.filter(campaign=opened, person=w.special_a).update(
        submitted_at=timezone.now()
    )
    answered = client.post(add, _pair("person", w.special_a.code, "person", year.cadre.code))
    assert answered.status_code == HTTPStatus.BAD_REQUEST
    assert "has already answered" in answered.content.decode()
    campaigns.campaign_close(actor=dj, campaign=opened)
    closed = client.post(add, _pair("person", w.member_b.code, "org", w.branch_a.code))
    assert closed.status_code == HTTPStatus.BAD_REQUEST
    assert "closed" in closed.content.decode()
    assert EvaluationAssignment.objects.filter(rule=R.MANUAL).count() == 1


def test_removing_a_pair_while_draft_removes_a_rater_left_without_one(year, draft, dj, client_for):
    w = year.world
    rater = rater_of(draft, w.team_a)  # rates the leader only
    pair = rater.assignments.get()
    response = client_for(dj).post(url("campaign_pair_remove", draft.pk, pair.pk))
    assert response.status_code == HTTPStatus.FOUND
    assert not EvaluationRater.objects.filter(pk=rater.pk).exists()
    assert pairs_of(draft) == 8
    event = AuditEvent.objects.filter(object_id=str(draft.pk)).first()
    assert event.data["event"] == "pair_removed"
    assert w.team_a.name in event.summary and year.leader.name in event.summary
    # A pair of a rater with others: the rater stays.
    customer = rater_of(draft, w.customer_a)
    client_for(dj).post(url("campaign_pair_remove", draft.pk, customer.assignments.first().pk))
    assert customer.assignments.count() == 1


def test_pairs_are_not_removed_once_open(opened, dj, client_for):
    pair = EvaluationAssignment.objects.filter(rater__campaign=opened).first()
    response = client_for(dj).post(url("campaign_pair_remove", opened.pk, pair.pk))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert EvaluationAssignment.objects.filter(pk=pair.pk).exists()


# --- opening and closing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("closes_on", "message"),
    [
        (lambda: TODAY().isoformat(), "The closing date must lie after today."),
        (lambda: (TODAY() - dt.timedelta(days=1)).isoformat(), "must lie after today"),
        (lambda: "31/12/2026", "Enter a valid date."),
        (lambda: "", "This field is required."),
    ],
)
def test_opening_needs_a_closing_date_after_today(draft, dj, client_for, closes_on, message):
    client = client_for(dj)
    client.cookies["django_language"] = "en"
    response = client.post(url("campaign_open", draft.pk), {"closes_on": closes_on()})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.DRAFT


def test_an_empty_campaign_does_not_open(world, dj, client_for):
    empty = campaigns.campaign_create(actor=dj, year=YEAR, propose=False)
    response = client_for(dj).post(url("campaign_open", empty.pk), {"closes_on": "2099-01-01"})
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_opening_freezes_the_proposal(draft, dj, client_for):
    client = client_for(dj)
    closes_on = TODAY() + dt.timedelta(days=20)
    response = client.post(url("campaign_open", draft.pk), {"closes_on": closes_on.isoformat()})
    assert response.status_code == HTTPStatus.FOUND
    draft.refresh_from_db()
    assert (draft.status, draft.closes_on) == (CampaignStatus.OPEN, closes_on)
    assert draft.opened_at is not None
    assert client.post(url("campaign_propose", draft.pk)).status_code == HTTPStatus.BAD_REQUEST
    assert client.post(url("campaign_open", draft.pk), {"closes_on": "2099-01-01"}).status_code == (
        HTTPStatus.BAD_REQUEST
    )
    assert pairs_of(draft) == 9


def test_closing_by_hand_and_by_the_daily_job(opened, dj, client_for):
    assert campaigns.campaign_close_due(today=opened.closes_on) == []  # the last day still counts
    assert evaluation_close_due_task.delay().get() == []
    assert campaigns.campaign_close_due(today=opened.closes_on + dt.timedelta(days=1)) == [YEAR]
    opened.refresh_from_db()
    assert opened.status == CampaignStatus.CLOSED and opened.closed_at is not None
    assert campaigns.campaign_close_due(today=opened.closes_on + dt.timedelta(days=2)) == []
    event = AuditEvent.objects.filter(object_id=str(opened.pk)).first()
    assert event.data["event"] == "closed" and event.actor is None
    response = client_for(dj).post(url("campaign_close", opened.pk))
    assert response.status_code == HTTPStatus.BAD_REQUEST  # closed already


def test_the_department_closes_by_hand(opened, dj, client_for):
    assert client_for(dj).post(url("campaign_close", opened.pk)).status_code == HTTPStatus.FOUND
    opened.refresh_from_db()
    assert opened.status == CampaignStatus.CLOSED
    assert AuditEvent.objects.filter(object_id=str(opened.pk)).first().actor == dj


# --- the campaign page's list -------------------------------------------------------------------


def _rows(response) -> int:
    return int(re.search(r'data-testid="result-count">(\d+)', response.content.decode()).group(1))


def test_the_pairs_filter_by_rule_org_and_text(year, draft, dj, client_for):
    w = year.world
    client = client_for(dj)
    page = url("campaign_detail", draft.pk)
    assert _rows(client.get(page)) == 9
    assert _rows(client.get(page, {"rule": R.JOINT_BRANCH})) == 1
    assert _rows(client.get(page, {"org": w.branch_b.pk})) == 2  # member_b rates twice
    assert _rows(client.get(page, {"q": w.customer_a.code})) == 2
    assert _rows(client.get(page, {"q": "领导"})) == 3  # the leader and the cadre, by name
    fragment = client.get(page, {"rule": R.SERVED_MEMBER}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and _rows(fragment) == 2


@pytest.mark.parametrize(
    "params",
    [{"rule": "nonsense"}, {"org": "abc"}, {"colour": "red"}, {"sort": "nonce"}, {"page": "0"}],
)
def test_bad_list_parameters_are_400(draft, dj, client_for, params):
    response = client_for(dj).get(url("campaign_detail", draft.pk), params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'data-testid="bad-request"' in response.content.decode()


def _queries(client, address, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address, params or {}).status_code == HTTPStatus.OK
    return len(queries)


def test_the_campaign_page_runs_the_same_queries_for_more_data(
    year, draft, dj, client_for, django_assert_max_num_queries
):
    client = client_for(dj)
    page = url("campaign_detail", draft.pk)
    small = _queries(client, page)
    grow_company(year.world, 12)
    campaigns.campaign_propose(campaign=draft, actor=dj)
    assert pairs_of(draft) > 9 + 12 * 7
    assert _queries(client, page) == small
    assert _queries(client, page, {"page": 2, "rule": R.BRANCH_PEOPLE}) == small
    with django_assert_max_num_queries(10):  # session, user, campaign, 2 counts, history,
        client.get(page)  # the bell, the org choices, the pairs' count and page


# --- progress, reminders and the printed sheet --------------------------------------------------


def test_progress_counts_raters_and_answers_by_unit_with_drill_down(year, opened, dj, client_for):
    w = year.world
    EvaluationRater.objects.filter(pk=rater_of(opened, w.special_a).pk).update(
        submitted_at=timezone.now()
    )
    top = campaign_progress(campaign=opened, node=None)
    assert [(r.node.code, r.total, r.answered) for r in top.rows] == [("KA", 5, 1), ("KB", 1, 0)]
    assert (top.total.total, top.total.answered) == (6, 1)
    down = campaign_progress(campaign=opened, node=w.committee_a)
    # customer_a, team_a (its branch), branch_a, special_a in the branch; member_a in its group.
    assert [(r.node.code, r.total, r.answered) for r in down.rows] == [("BA", 5, 1), ("BO", 0, 0)]
    branch = campaign_progress(campaign=opened, node=w.branch_a)
    # The branch's own raters on a row of their own, then its group.
    assert [(r.node.code, r.drillable, r.total) for r in branch.rows] == [
        ("BA", False, 4),
        ("GA", False, 1),
    ]
    page = client_for(dj).get(url("campaign_progress", opened.pk), {"org": w.committee_a.pk})
    body = page.content.decode()
    assert 'data-org="BA"' in body and 'data-testid="sheet-link"' in body
    assert w.special_a.name not in body  # answered: not in the list of those still to answer
    assert w.customer_a.name in body


def test_the_progress_page_runs_the_same_queries_for_more_data(year, draft, dj, client_for):
    client = client_for(dj)
    campaigns.campaign_open(actor=dj, campaign=draft, closes_on=TODAY() + dt.timedelta(days=5))
    page = url("campaign_progress", draft.pk)
    small = (_queries(client, page), _queries(client, page, {"org": year.world.committee_b.pk}))
    grow_company(year.world, 12)
    campaign_pairs.campaign_pair_add(
        actor=dj, campaign=draft, rater=year.world.team_b, ratee=year.cadre
    )
    EvaluationRater.objects.filter(campaign=draft).update(reminded_at=timezone.now())
    large = (_queries(client, page), _queries(client, page, {"org": year.world.committee_b.pk}))
    assert large == small
    assert small == (10, 11)  # with an org: the filter's lookup of it


def test_bad_progress_parameters_are_400(opened, dj, client_for):
    client = client_for(dj)
    for params in ({"org": "x"}, {"unanswered": "1"}, {"sort": "nonce"}):
        assert client.get(url("campaign_progress", opened.pk), params).status_code == 400


def _card_urls(response) -> list[str]:
    return re.findall(r'data-testid="sheet-card-url">([^<]+)<', response.content.decode())


def test_the_sheet_prints_one_card_with_a_working_link_per_rater_of_the_subtree(
    year, opened, dj, client_for
):
    w = year.world
    client = client_for(dj)
    response = client.get(url("campaign_sheet", opened.pk, w.branch_a.pk))
    assert response.status_code == HTTPStatus.OK
    urls = _card_urls(response)
    assert len(urls) == 5 and response.content.decode().count("<svg") == 5
    tokens = [re.fullmatch(r"http://testserver/e/([A-Za-z0-9_-]{43})/", u).group(1) for u in urls]
    found = EvaluationRater.objects.filter(
        campaign=opened, token_hash__in=[EvaluationRater.hash_of(t) for t in tokens]
    )
    assert {r.party for r in found} == {
        w.customer_a,
        w.team_a,
        w.branch_a,
        w.special_a,
        w.member_a,
    }
    EvaluationRater.objects.filter(person=w.member_a).update(submitted_at=timezone.now())
    still = client.get(url("campaign_sheet", opened.pk, w.branch_a.pk), {"unanswered": "1"})
    assert len(_card_urls(still)) == 4
    group = client.get(url("campaign_sheet", opened.pk, w.group_a.pk))
    assert len(_card_urls(group)) == 1


def test_the_sheet_uses_the_public_address_when_one_is_set(year, opened, dj, client_for, settings):
    settings.RATING_LINK_BASE_URL = "https://ledger.example.cn"
    response = client_for(dj).get(url("campaign_sheet", opened.pk, year.world.branch_b.pk))
    assert all(u.startswith("https://ledger.example.cn/e/") for u in _card_urls(response))


def test_the_sheet_is_printed_only_while_open_and_takes_only_its_parameters(
    year, draft, dj, client_for
):
    client = client_for(dj)
    sheet = url("campaign_sheet", draft.pk, year.world.branch_a.pk)
    response = client.get(sheet)
    assert response.status_code == HTTPStatus.CONFLICT
    assert 'data-testid="sheet-not-open"' in response.content.decode()
    campaigns.campaign_open(actor=dj, campaign=draft, closes_on=TODAY() + dt.timedelta(days=5))
    for params in ({"page": "0"}, {"page": "9"}, {"page": "x"}, {"org": "1"}):
        assert client.get(sheet, params).status_code == HTTPStatus.BAD_REQUEST, params
    missing = url("campaign_sheet", draft.pk, 999999)
    assert client.get(missing).status_code == HTTPStatus.NOT_FOUND


@pytest.fixture
def with_email(year):
    """member_b has an account with an address; member_a's (dy) has none."""
    return make_user(
        Role.PARTY_MEMBER, scope=year.world.branch_b, person=year.world.member_b, email="li@x.cn"
    )


def test_reminders_go_to_the_unanswered_raters_with_an_address_and_only_they_are_marked(
    year, opened, with_email, mailoutbox, django_capture_on_commit_callbacks
):
    w = year.world
    EvaluationRater.objects.filter(person=w.special_a).update(submitted_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders.evaluation_reminders_send()
    assert result == {"reminded": 1, "emailed": 1}
    assert [m.to for m in mailoutbox] == [["li@x.cn"]]
    token = re.search(r"/e/([A-Za-z0-9_-]{43})/", mailoutbox[0].body).group(1)
    assert EvaluationRater.objects.get(token_hash=EvaluationRater.hash_of(token)).person == (
        w.member_b
    )
    assert str(YEAR) in mailoutbox[0].subject
    # The others were not written to, so the progress page shows them as never reminded.
    reminded = EvaluationRater.objects.filter(campaign=opened, reminded_at__isnull=False)
    assert list(reminded.values_list("person", flat=True)) == [w.member_b.pk]


def test_reminders_are_idempotent_and_come_back_after_the_interval(
    year, opened, with_email, mailoutbox, django_capture_on_commit_callbacks
):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.evaluation_reminders_send(now=now)["reminded"] == 1
        assert reminders.evaluation_reminders_send(now=now)["reminded"] == 0
        assert evaluation_reminders_task.delay().get() == {"reminded": 0, "emailed": 0}
        soon = now + dt.timedelta(days=EVALUATION_REMINDER_DAYS - 1)
        assert reminders.evaluation_reminders_send(now=soon)["reminded"] == 0
    assert len(mailoutbox) == 1
    later = now + dt.timedelta(days=EVALUATION_REMINDER_DAYS, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.evaluation_reminders_send(now=later) == {"reminded": 1, "emailed": 1}
    assert len(mailoutbox) == 2


def test_no_reminders_for_a_draft_a_closed_or_a_campaign_past_its_date(
    year, draft, dj, with_email, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.evaluation_reminders_send()["reminded"] == 0
        campaigns.campaign_open(actor=dj, campaign=draft, closes_on=TODAY() + dt.timedelta(days=3))
        past = timezone.now() + dt.timedelta(days=4)
        assert reminders.evaluation_reminders_send(now=past)["reminded"] == 0
        campaigns.campaign_close(actor=dj, campaign=draft)
        assert reminders.evaluation_reminders_send()["reminded"] == 0
    assert mailoutbox == []


def test_no_email_to_who_turned_email_off(
    year, opened, with_email, mailoutbox, django_capture_on_commit_callbacks
):
    with_email.email_notifications = False
    with_email.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.evaluation_reminders_send() == {"reminded": 0, "emailed": 0}
    assert mailoutbox == []


def test_reminders_are_set_based(year, opened, with_email, django_assert_max_num_queries):
    EvaluationRater.objects.update(reminded_at=None)
    with django_assert_max_num_queries(6):
        reminders.evaluation_reminders_send()
