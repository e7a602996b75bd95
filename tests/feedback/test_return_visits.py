"""Return visits by a third party (回访, R21): the queue of replied entries awaiting a rating, for
the branch secretary and the party-building department; each call logged with its method and
outcome; a rating heard there names who recorded it, and the owner's own is marked so."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback.constants import RatingChannel, ReturnVisitOutcome, Satisfaction
from feedback.models import Rating, ReturnVisit
from liaison.constants import EntryStatus, EventKind, Role
from liaison.services.workflow import Action
from tests.fixtures.factories import make_entry, make_user
from tests.fixtures.walks import act, today

QUEUE = reverse("return_visits")


def _replied(world, recorder_role=Role.GRASSROOTS_CADRE, title="路灯不亮"):
    owner = world.users[recorder_role]
    entry = make_entry(owner, informant=world.special_a, recorded_on=today(), title=title)
    entry = act(world, entry, Action.RESOLVE_ON_SPOT, owner)
    entry = act(world, entry, Action.REPLY, owner)
    assert entry.status == EntryStatus.REPLIED
    return entry


def _post(client, entry, **data):
    body = {"version": entry.version, "method": "phone", "outcome": "rated", **data}
    return client.post(reverse("return_visit_create", args=[entry.pk]), body)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.BRANCH_SECRETARY, 200),
        (Role.PARTY_BUILDING, 200),
        (Role.ADMINISTRATOR, 200),
        (Role.COMMITTEE_STAFF, 404),
        (Role.LEADERSHIP_CADRE, 404),
        (Role.GRASSROOTS_CADRE, 404),
        (Role.PARTY_MEMBER, 404),
        (Role.DEPARTMENT_HANDLER, 404),
    ],
)
def test_who_has_the_queue(world, client_for, role, status):
    entry = _replied(world)
    response = client_for(world.users[role]).get(QUEUE)
    assert response.status_code == status
    if status == 200:
        assert entry.number in response.content.decode()


def test_the_secretary_records_a_third_party_rating(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    entry = _replied(world)
    other_branch = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    assert entry.number not in client_for(other_branch).get(QUEUE).content.decode()
    client = client_for(secretary)
    assert _post(client, entry, value=Satisfaction.SATISFIED).status_code == HTTPStatus.FOUND
    entry.refresh_from_db()
    assert entry.status == EntryStatus.CLOSED
    rating = Rating.objects.get(entry=entry)
    assert (rating.channel, rating.recorded_by) == (RatingChannel.RETURN_VISIT, secretary)
    visit = ReturnVisit.objects.get(entry=entry)
    assert (visit.outcome, visit.method, visit.visited_by) == ("rated", "phone", secretary)
    assert f'data-testid="return-visit-{entry.pk}"' not in client.get(QUEUE).content.decode()


def test_an_unreachable_informant_is_logged_and_the_entry_waits(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    entry = _replied(world)
    client = client_for(secretary)
    response = _post(client, entry, outcome=ReturnVisitOutcome.UNREACHABLE, note="电话无人接听")
    assert response.status_code == HTTPStatus.FOUND
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REPLIED and not Rating.objects.exists()
    event = entry.events.get(kind=EventKind.RETURN_VISITED)
    assert event.after == {"method": "phone", "outcome": "unreachable"}
    assert event.actor == secretary and event.note == "电话无人接听"
    page = client.get(QUEUE).content.decode()
    assert entry.number in page and "已尝试 1 次" in page


def test_the_owners_own_rating_is_marked(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    entry = _replied(world, Role.BRANCH_SECRETARY)
    assert _post(client_for(secretary), entry, value="very_satisfied").status_code == 302
    assert Rating.objects.get(entry=entry).channel == RatingChannel.OWNER


def test_bad_input_stale_pages_and_other_scopes(world, client_for):
    secretary = world.users[Role.BRANCH_SECRETARY]
    entry = _replied(world)
    client = client_for(secretary)
    missing = _post(client, entry)  # rated, but no rating given
    assert missing.status_code == HTTPStatus.BAD_REQUEST
    assert "请记录反映人给出的评价。" in missing.content.decode()
    stale = _post(client, entry, value="satisfied", version=entry.version - 1)
    assert stale.status_code == HTTPStatus.CONFLICT
    stranger = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b)
    outside = _post(client_for(stranger), entry, value="satisfied")
    assert outside.status_code == HTTPStatus.NOT_FOUND
    member = client_for(world.users[Role.PARTY_MEMBER])
    assert _post(member, entry, value="satisfied").status_code == HTTPStatus.NOT_FOUND
    assert not ReturnVisit.objects.exists() and not Rating.objects.exists()


def test_the_queue_reads_in_a_fixed_number_of_queries(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    _replied(world)
    client.get(QUEUE)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(QUEUE).status_code == 200
        return len(queries.captured_queries)

    small = count()
    for n in range(4):
        _replied(world, title=f"第{n}条")
    assert count() == small
