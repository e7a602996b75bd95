"""The rater's signed link of the reverse evaluation (/e/<token>/): what the page lists, one
submission of every answer, and every way it is refused with nothing written. Campaigns,
raters and assignments are made with the ORM here (the proposal is another module's)."""

from __future__ import annotations

import datetime as dt
import re
import threading
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from feedback.constants import CampaignStatus, EvaluationRule, Satisfaction
from feedback.models import (
    EvaluationAnswer,
    EvaluationCampaign,
    EvaluationRater,
)
from feedback.selectors.answers import RaterState, rater_lookup
from feedback.services.answers import COMMENT_MAX_LENGTH, EvaluationRefused, evaluation_submit
from feedback.services.campaigns import campaign_close
from liaison.constants import Level, Role
from tests.fixtures.evaluations import assign, make_campaign, make_rater
from tests.fixtures.factories import PersonFactory, build_world
from tests.fixtures.threads import in_thread

# --- helpers ---------------------------------------------------------------------------------


def form_url(token: str) -> str:
    return reverse("evaluate:form", args=[token])


def state_of(response) -> str | None:
    found = re.search(r'data-testid="evaluation-refused" data-state="([a-z_]+)"', response.text)
    return found.group(1) if found else None


def everything(assignments, value=Satisfaction.SATISFIED, comment="") -> dict:
    data = {}
    for a in assignments:
        data[f"value_{a.pk}"] = value
        data[f"comment_{a.pk}"] = comment
    return data


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def campaign(world):
    return make_campaign(world)


@pytest.fixture
def rater(world, campaign):
    """陈立强 (an employee of branch A) rates the office cadre, branch A, a party member, and —
    slipped in by hand — himself."""
    rater, token = make_rater(campaign, person=world.special_a)
    rater.own = [
        assign(rater, world.cadre_person, Level.LEADERSHIP, EvaluationRule.VISITED_LEADER),
        assign(rater, world.branch_a, Level.GRASSROOTS_BRANCH, EvaluationRule.BRANCH_PEOPLE),
        assign(rater, world.member_a, Level.PARTY_MEMBER, EvaluationRule.SERVED_MEMBER),
    ]
    rater.itself = assign(rater, world.special_a, Level.PARTY_MEMBER)
    rater.token = token
    return rater


@pytest.fixture
def other(world, campaign):
    """Another rater, of branch B, with a ratee of their own."""
    other, token = make_rater(campaign, person=world.member_b)
    other.own = [assign(other, world.branch_b, Level.GRASSROOTS_BRANCH)]
    other.token = token
    return other


@pytest.fixture
def english():
    """The services' messages in English, whatever the translation says."""
    with translation.override("en"):
        yield


def nothing_written(rater) -> bool:
    fresh = EvaluationRater.objects.get(pk=rater.pk)
    return fresh.submitted_at is None and not EvaluationAnswer.objects.exists()


# --- the page --------------------------------------------------------------------------------


def test_the_page_lists_the_raters_own_ratees_and_changes_nothing(
    client, world, rater, other, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the rater with campaign and party; the ratees
        response = client.get(form_url(rater.token))
    assert response.status_code == HTTPStatus.OK
    page = response.text
    assert page.count('data-testid="ratee"') == 3
    for assignment in rater.own:
        assert f'data-assignment="{assignment.pk}"' in page
        assert f'name="value_{assignment.pk}"' in page
    for name in (world.cadre_person.name, world.branch_a.name, world.member_a.name):
        assert name in page
    assert world.branch_b.name not in page  # the other rater's ratee
    assert f'data-assignment="{rater.itself.pk}"' not in page  # never himself
    assert page.count('name="value_') == 3 * len(Satisfaction.values)
    assert 'name="viewport"' in page and "navbar" not in page
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert client.head(form_url(rater.token)).status_code == HTTPStatus.OK
    assert nothing_written(rater)


def test_submitting_answers_every_ratee_once(client, rater, django_assert_num_queries):
    data = everything(rater.own)
    data[f"value_{rater.own[1].pk}"] = Satisfaction.UNSATISFIED
    data[f"comment_{rater.own[1].pk}"] = "  支部活动太少  "
    # The lookup (2); in the transaction (its savepoint in a test: 2) the campaign and the
    # rater locked, the ratees again, one insert of every answer, the rater's update (5).
    with django_assert_num_queries(9):
        response = client.post(form_url(rater.token), data)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("evaluate:thanks", args=[rater.token])
    answers = {a.assignment_id: (a.value, a.comment) for a in EvaluationAnswer.objects.all()}
    assert answers == {
        rater.own[0].pk: ("satisfied", ""),
        rater.own[1].pk: ("unsatisfied", "支部活动太少"),
        rater.own[2].pk: ("satisfied", ""),
    }
    assert EvaluationRater.objects.get(pk=rater.pk).submitted_at is not None
    thanks = client.get(response["Location"])
    assert thanks.status_code == HTTPStatus.OK and 'data-testid="thanks"' in thanks.text
    assert "支部活动太少" not in thanks.text and "unsatisfied" not in thanks.text


def test_a_second_visit_or_submit_is_gone_and_changes_nothing(client, rater):
    client.post(form_url(rater.token), everything(rater.own))
    first = list(EvaluationAnswer.objects.values_list("pk", "value"))
    response = client.get(form_url(rater.token))
    assert response.status_code == HTTPStatus.GONE and state_of(response) == "submitted"
    response = client.post(form_url(rater.token), everything(rater.own, Satisfaction.UNSATISFIED))
    assert response.status_code == HTTPStatus.GONE and state_of(response) == "submitted"
    assert list(EvaluationAnswer.objects.values_list("pk", "value")) == first


def test_the_thanks_page_before_answering_goes_back_to_the_form(client, rater):
    response = client.get(reverse("evaluate:thanks", args=[rater.token]))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == form_url(rater.token)


def test_a_double_submit_writes_one_set_of_answers(rater):
    """The second call (a second tab, a double tap) holds the rater loaded before the first
    committed: the lock and the fresh read refuse it."""
    stale = EvaluationRater.objects.get(pk=rater.pk)
    answers = {a.pk: (Satisfaction.SATISFIED, "") for a in rater.own}
    evaluation_submit(rater=rater, answers=answers)
    with pytest.raises(EvaluationRefused) as refused:
        evaluation_submit(rater=stale, answers=answers)
    assert refused.value.state == RaterState.SUBMITTED
    assert EvaluationAnswer.objects.count() == 3


@pytest.mark.parametrize(
    ("change", "status", "state"),
    [
        ({"status": CampaignStatus.DRAFT, "closes_on": None}, HTTPStatus.CONFLICT, "not_open"),
        ({"status": CampaignStatus.CLOSED}, HTTPStatus.GONE, "closed"),
        ({"closes_on": dt.date(2026, 1, 1)}, HTTPStatus.GONE, "closed"),  # open, but past
    ],
)
def test_a_campaign_not_open_is_refused(client, campaign, rater, change, status, state):
    EvaluationCampaign.objects.filter(pk=campaign.pk).update(**change)
    for response in (
        client.get(form_url(rater.token)),
        client.post(form_url(rater.token), everything(rater.own)),
    ):
        assert response.status_code == status and state_of(response) == state
        assert 'data-testid="evaluation-form"' not in response.text
    assert nothing_written(rater)


def test_the_closing_day_itself_is_still_open(client, campaign, rater):
    EvaluationCampaign.objects.filter(pk=campaign.pk).update(closes_on=timezone.localdate())
    assert client.get(form_url(rater.token)).status_code == HTTPStatus.OK


def test_a_campaign_closed_between_the_page_and_the_submit_is_refused(campaign, rater):
    lookup = rater_lookup(token=rater.token)
    assert lookup.state == RaterState.USABLE
    EvaluationCampaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
    with pytest.raises(EvaluationRefused) as refused:
        evaluation_submit(rater=lookup.rater, answers={a.pk: ("satisfied", "") for a in rater.own})
    assert refused.value.state == RaterState.CLOSED
    assert nothing_written(rater)


@pytest.mark.parametrize(
    "token",
    [
        "x" * 43,  # the right shape, no such rater
        "short",
        "a" * 42 + "!",
        "A" * 44,
    ],
)
def test_a_forged_link_is_404(client, rater, token, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get(form_url(token))
    assert response.status_code == HTTPStatus.NOT_FOUND and state_of(response) == "forged"
    assert client.post(form_url(token), everything(rater.own)).status_code == 404
    assert client.get(reverse("evaluate:thanks", args=[token])).status_code == 404
    assert nothing_written(rater)


def test_a_token_made_with_another_key_is_404(client, rater):
    forged = rater.token_with("another secret key, not this site's")
    assert client.get(form_url(forged)).status_code == HTTPStatus.NOT_FOUND


def test_a_rater_whose_only_ratee_is_themselves_has_nobody_to_rate(client, world, campaign):
    rater, token = make_rater(campaign, person=world.member_a)
    itself = assign(rater, world.member_a, Level.PARTY_MEMBER)
    response = client.get(form_url(token))
    assert response.status_code == HTTPStatus.CONFLICT and state_of(response) == "nothing"
    response = client.post(form_url(token), {f"value_{itself.pk}": "very_satisfied"})
    assert response.status_code == HTTPStatus.CONFLICT
    assert nothing_written(rater)


def test_a_branch_does_not_rate_itself(client, world, campaign):
    rater, token = make_rater(campaign, org=world.branch_a)
    office = assign(rater, world.office_branch, Level.OFFICE_BRANCH, EvaluationRule.JOINT_BRANCH)
    assign(rater, world.branch_a, Level.GRASSROOTS_BRANCH)
    page = client.get(form_url(token)).text
    assert page.count('data-testid="ratee"') == 1 and f'data-assignment="{office.pk}"' in page


def test_the_service_refuses_a_self_rating(rater, english):
    answers = {a.pk: ("satisfied", "") for a in [*rater.own, rater.itself]}
    with pytest.raises(ValidationError, match="Nobody rates themselves"):
        evaluation_submit(rater=rater, answers=answers)
    assert nothing_written(rater)


def test_a_posted_self_rating_is_ignored_by_the_page(client, rater):
    data = everything(rater.own)
    data[f"value_{rater.itself.pk}"] = "very_satisfied"
    assert client.post(form_url(rater.token), data).status_code == HTTPStatus.FOUND
    assert not EvaluationAnswer.objects.filter(assignment=rater.itself).exists()
    assert EvaluationAnswer.objects.count() == 3


def test_the_service_refuses_another_raters_assignment(rater, other):
    answers = {a.pk: ("satisfied", "") for a in [*rater.own, *other.own]}
    with pytest.raises(ValidationError):
        evaluation_submit(rater=rater, answers=answers)
    assert nothing_written(rater) and nothing_written(other)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ("missing", "Rate every one"),
        ("bad value", "Choose one of the answers"),
        ("long comment", "at most"),
    ],
)
def test_the_service_checks_every_answer(rater, answers, message, english):
    given = {a.pk: ("satisfied", "") for a in rater.own}
    if answers == "missing":
        given.pop(rater.own[0].pk)
    elif answers == "bad value":
        given[rater.own[0].pk] = ("excellent", "")
    else:
        given[rater.own[0].pk] = ("satisfied", "长" * (COMMENT_MAX_LENGTH + 1))
    with pytest.raises(ValidationError, match=message):
        evaluation_submit(rater=rater, answers=given)
    assert nothing_written(rater)


@pytest.mark.parametrize("case", ["one missing", "none", "unknown value", "comment too long"])
def test_bad_input_is_400_with_nothing_written(client, rater, case):
    data = everything(rater.own)
    first = rater.own[0].pk
    if case == "one missing":
        del data[f"value_{first}"]
    elif case == "none":
        data = {}
    elif case == "unknown value":
        data[f"value_{first}"] = "excellent"
    else:
        data[f"comment_{first}"] = "长" * (COMMENT_MAX_LENGTH + 1)
    response = client.post(form_url(rater.token), data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'data-testid="form-errors"' in response.text
    assert 'data-testid="evaluation-form"' in response.text  # asked again, answers kept
    if case == "comment too long":
        assert 'data-testid="comment-error"' in response.text
        kept = f'name="value_{first}" value="satisfied" class="btn-check" id="id_value_{first}_1"'
        assert f"{kept} required checked>" in response.text  # the choice is kept
    else:
        assert 'data-testid="value-error"' in response.text
    assert nothing_written(rater)


def test_get_never_writes(client, rater):
    for _ in range(2):
        client.get(form_url(rater.token))
        client.get(reverse("evaluate:thanks", args=[rater.token]))
    assert nothing_written(rater)


def test_the_page_escapes_names(client, world, campaign):
    evil = PersonFactory(name="<script>alert(1)</script>", org=world.branch_a)
    rater, token = make_rater(campaign, person=world.special_a)
    assign(rater, evil, Level.PARTY_MEMBER)
    page = client.get(form_url(token)).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


# --- two at once, on PostgreSQL only (SQLite does not lock rows) --------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
)


def _submit_and_hold(rater, answers, holding, release):
    def run():
        with transaction.atomic():
            created = evaluation_submit(rater=rater, answers=answers)
            holding.set()
            release.wait(30)
        return created

    return run


@postgres_only
def test_two_submits_at_once_write_one_set_of_answers(transactional_db):
    world = build_world()
    campaign = make_campaign(world)
    rater, _token = make_rater(campaign, person=world.special_a)
    own = [assign(rater, world.branch_a, Level.GRASSROOTS_BRANCH)]
    answers = {own[0].pk: (Satisfaction.SATISFIED, "")}
    holding, release = threading.Event(), threading.Event()
    first, first_outcome = in_thread(_submit_and_hold(rater, answers, holding, release))
    assert holding.wait(30)
    stale = EvaluationRater.objects.get(pk=rater.pk)  # not submitted yet, as far as it knows
    second, second_outcome = in_thread(lambda: evaluation_submit(rater=stale, answers=answers))
    second.join(1)
    try:
        assert second.is_alive()  # waiting for the lock
    finally:
        release.set()
        first.join(30)
        second.join(30)
    assert len(first_outcome[0]) == 1
    assert isinstance(second_outcome[0], EvaluationRefused)
    assert second_outcome[0].state == RaterState.SUBMITTED
    assert EvaluationAnswer.objects.count() == 1


@postgres_only
def test_the_close_waits_for_a_submission_under_way(transactional_db):
    """The campaign's close (feedback.services.campaigns) locks the campaign row as
    a submission does: an answer being written is in before the close, never after it."""
    world = build_world()
    campaign = make_campaign(world)
    rater, _token = make_rater(campaign, person=world.special_a)
    own = assign(rater, world.branch_a, Level.GRASSROOTS_BRANCH)
    holding, release = threading.Event(), threading.Event()
    answers = {own.pk: (Satisfaction.SATISFIED, "")}
    first, _first_outcome = in_thread(_submit_and_hold(rater, answers, holding, release))
    assert holding.wait(30)
    actor = world.users[Role.PARTY_BUILDING]
    closing, closed = in_thread(lambda: campaign_close(actor=actor, campaign=campaign))
    closing.join(1)
    try:
        assert closing.is_alive()  # waiting for the submission
    finally:
        release.set()
        first.join(30)
        closing.join(30)
    assert closed[0].status == CampaignStatus.CLOSED
    assert EvaluationAnswer.objects.count() == 1
