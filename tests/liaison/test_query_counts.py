"""List pages run a fixed number of queries, whatever the number of rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.constants import BranchType, OrgKind, PairingKind, Role, UnitKind
from liaison.services.pairings import pairing_create
from tests.fixtures.factories import PersonFactory, UnitFactory, make_org

START = dt.date(2026, 1, 1)
PAGES = ["liaison:person_list", "liaison:pairing_list", "liaison:org_tree", "home", "home_figures"]
VIEWERS = [Role.PARTY_BUILDING, Role.BRANCH_SECRETARY, Role.OFFICE_CADRE, Role.PARTY_MEMBER]


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def grow(world, n):
    """Add n of everything the pages list: branches with groups, frontline teams, members,
    special-needs employees, customers, and pairings of every kind on both sides."""
    for _ in range(n):
        branch = make_org(world.committee_a, OrgKind.BRANCH, branch_type=BranchType.GRASSROOTS)
        make_org(branch, OrgKind.GROUP)
        team = UnitFactory(kind=UnitKind.TEAM, branch=world.branch_a)
        employee = PersonFactory(org=world.group_a, unit=team, is_frontline=True)
        PersonFactory(org=world.branch_a, unit=team, is_special_needs=True, is_frontline=True)
        member = PersonFactory(org=world.branch_a, unit=team, is_party_member=True)
        customer = PersonFactory(kind="enterprise", org=world.branch_a)
        for kind, subject, target in [
            (PairingKind.LEADER_CONTACT, member, team),
            (PairingKind.CADRE_TEAM, world.member_a, team),
            (PairingKind.OFFICE_CADRE_FRONTLINE, world.cadre_person, employee),
            (PairingKind.MEMBER_SERVED, world.member_a, customer),
            (PairingKind.BRANCH_JOINT, world.office_branch, branch),
        ]:
            pairing_create(actor=None, kind=kind, subject=subject, target=target, start_on=START)


@pytest.mark.parametrize("role", VIEWERS)
@pytest.mark.parametrize("url_name", PAGES)
def test_list_pages_query_count_does_not_grow_with_rows(world, client_for, url_name, role):
    client = client_for(world.users[role])
    url = reverse(url_name)
    grow(world, 3)
    small = _count(client, url)
    grow(world, 30)
    large = _count(client, url)
    assert small == large


@pytest.mark.parametrize(
    ("url_name", "budget"),
    # Each budget includes the navbar bell's one COUNT of unread notifications.
    [
        ("liaison:person_list", 8),
        ("liaison:pairing_list", 9),
        ("liaison:org_tree", 7),
        # The work queues (the ids of every queue's entries, the entries shown, the calendar)
        # and, for supervisors, the board's counts (the ledgers' paths, the overdue part, the
        # part under notice), notices, reviews and the day's entries, and for the
        # party-building department the referrals and requests it decides (R17, R19);
        # test_home_work pins the queues. Dashboard readers' satisfaction card adds two
        # (tests/feedback/test_home_panels.py), the return-visit card one (R21).
        ("home", 25),
        # The scope's node, its org, people and unit counts, the special-needs employees, the
        # user's pairings, the pairings running (two) and the department's staff.
        ("home_figures", 12),
    ],
)
@pytest.mark.parametrize("role", VIEWERS)
def test_list_pages_stay_within_their_query_budget(
    world, client_for, django_assert_max_num_queries, url_name, budget, role
):
    grow(world, 10)
    client = client_for(world.users[role])
    with django_assert_max_num_queries(budget):
        assert client.get(reverse(url_name)).status_code == 200


def test_org_page_query_count_is_fixed(world, client_for):
    client = client_for(world.users[Role.COMMITTEE_STAFF])
    url = reverse("liaison:org_detail", args=[world.committee_a.pk])
    grow(world, 3)
    small = _count(client, url)
    grow(world, 20)
    assert _count(client, url) == small <= 12


def test_person_file_query_count_is_fixed(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    url = reverse("liaison:person_detail", args=[world.member_a.pk])
    grow(world, 3)
    small = _count(client, url)
    grow(world, 20)
    assert _count(client, url) == small <= 10
