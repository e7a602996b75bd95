"""List pages run a fixed number of queries, whatever the number of rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.constants import PairingKind, Role
from tests.factories import PairingFactory, PersonFactory


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_people(world, n):
    for _ in range(n):
        person = PersonFactory(org=world.group_a, unit=world.team_a, is_party_member=True)
        PairingFactory(
            kind=PairingKind.MEMBER_SERVED,
            person=world.member_a,
            target_person=person,
            start_on=dt.date(2026, 1, 1),
        )


@pytest.mark.parametrize(
    "url_name", ["liaison:person_list", "liaison:pairing_list", "liaison:org_tree", "home"]
)
def test_list_pages_query_count_does_not_grow_with_rows(world, client_for, url_name):
    client = client_for(world.users[Role.PARTY_BUILDING])
    url = reverse(url_name)
    _add_people(world, 10)
    small = _count(client, url)
    _add_people(world, 90)
    large = _count(client, url)
    assert small == large


@pytest.mark.parametrize(
    ("url_name", "budget"),
    [
        ("liaison:person_list", 6),
        ("liaison:pairing_list", 7),
        ("liaison:org_tree", 6),
        ("home", 9),
    ],
)
def test_list_pages_stay_within_their_query_budget(
    world, client_for, django_assert_max_num_queries, url_name, budget
):
    _add_people(world, 30)
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    with django_assert_max_num_queries(budget):
        assert client.get(reverse(url_name)).status_code == 200


def test_org_page_query_count_is_fixed(world, client_for, django_assert_max_num_queries):
    _add_people(world, 40)
    client = client_for(world.users[Role.COMMITTEE_STAFF])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("liaison:org_detail", args=[world.committee_a.pk]))
    assert response.status_code == 200
