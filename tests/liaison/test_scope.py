"""Scope of every page for every role: what is shown, what is linked, what answers 404."""

import datetime as dt
from http import HTTPStatus

import pytest
from django.urls import reverse

from liaison.constants import PairingKind, PersonKind, Role
from liaison.services.pairings import pairing_create
from tests.fixtures.factories import PersonFactory

START = dt.date(2026, 1, 5)

# Which people and org nodes of the test world each role may open (the rest answer 404).
PEOPLE = ["member_a", "member_b", "special_a", "customer_a", "cadre_person"]
ORGS = ["company", "committee_a", "committee_b", "branch_a", "group_a", "office_branch", "branch_b"]
SEES_PEOPLE = {
    Role.PARTY_BUILDING: set(PEOPLE),
    Role.ADMINISTRATOR: set(PEOPLE),
    Role.COMMITTEE_STAFF: {"member_a", "special_a", "customer_a", "cadre_person"},
    Role.BRANCH_SECRETARY: {"member_a", "special_a", "customer_a"},
    Role.LEADERSHIP_CADRE: {"member_a", "special_a", "customer_a", "cadre_person"},
    # The office cadre sees his branch and the frontline employee paired with him.
    Role.OFFICE_CADRE: {"cadre_person", "special_a"},
    Role.GRASSROOTS_CADRE: {"member_a", "special_a", "customer_a"},
    Role.PARTY_MEMBER: {"member_a"},
    Role.DEPARTMENT_HANDLER: {"cadre_person"},
    Role.SECURITY_ADMIN: set(),  # the security and audit administrators read no ledger
    Role.AUDIT_ADMIN: set(),
}
SEES_ORGS = {
    Role.PARTY_BUILDING: set(ORGS),
    Role.ADMINISTRATOR: set(ORGS),
    Role.COMMITTEE_STAFF: {"committee_a", "branch_a", "group_a", "office_branch"},
    Role.BRANCH_SECRETARY: {"branch_a", "group_a"},
    Role.LEADERSHIP_CADRE: {"committee_a", "branch_a", "group_a", "office_branch"},
    Role.OFFICE_CADRE: {"office_branch"},
    Role.GRASSROOTS_CADRE: {"branch_a", "group_a"},
    Role.PARTY_MEMBER: {"group_a"},
    Role.DEPARTMENT_HANDLER: set(),
    Role.SECURITY_ADMIN: set(),
    Role.AUDIT_ADMIN: set(),
}


@pytest.fixture
def paired_world(world):
    """The office cadre is paired with a frontline employee of branch A; a member of branch B
    serves a customer of branch B."""
    world.customer_b = PersonFactory(
        name="城区宾馆", kind=PersonKind.ENTERPRISE, org=world.branch_b
    )
    world.cadre_pairing = pairing_create(
        actor=None,
        kind=PairingKind.OFFICE_CADRE_FRONTLINE,
        subject=world.cadre_person,
        target=world.special_a,
        start_on=START,
    )
    world.b_pairing = pairing_create(
        actor=None,
        kind=PairingKind.MEMBER_SERVED,
        subject=world.member_b,
        target=world.customer_b,
        start_on=START,
    )
    return world


@pytest.mark.parametrize("role", list(Role))
def test_person_files_open_in_scope_and_404_outside(paired_world, client_for, role):
    client = client_for(paired_world.users[role])
    for attr in PEOPLE:
        url = reverse("liaison:person_detail", args=[getattr(paired_world, attr).pk])
        expected = HTTPStatus.OK if attr in SEES_PEOPLE[role] else HTTPStatus.NOT_FOUND
        assert client.get(url).status_code == expected, attr


@pytest.mark.parametrize("role", list(Role))
def test_org_pages_open_in_scope_and_404_outside(paired_world, client_for, role):
    client = client_for(paired_world.users[role])
    for attr in ORGS:
        url = reverse("liaison:org_detail", args=[getattr(paired_world, attr).pk])
        expected = HTTPStatus.OK if attr in SEES_ORGS[role] else HTTPStatus.NOT_FOUND
        assert client.get(url).status_code == expected, attr


@pytest.mark.parametrize("url_name", ["liaison:person_detail", "liaison:org_detail"])
def test_anonymous_detail_pages_go_to_login(world, client, url_name):
    response = client.get(reverse(url_name, args=[world.branch_a.pk]))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("htmx", [False, True])
def test_pairing_list_shows_pairings_touching_the_scope_only(paired_world, client_for, htmx):
    client = client_for(paired_world.users[Role.BRANCH_SECRETARY])
    headers = {"HX-Request": "true"} if htmx else {}
    body = client.get(reverse("liaison:pairing_list"), headers=headers).content.decode()
    # The cadre's pairing targets an employee of the secretary's branch: shown.
    assert paired_world.special_a.name in body
    assert paired_world.cadre_person.name in body
    # Branch B's pairing touches nothing of branch A: hidden.
    assert paired_world.member_b.name not in body
    assert paired_world.customer_b.name not in body


def test_pairing_list_links_only_what_the_user_may_open(paired_world, client_for):
    client = client_for(paired_world.users[Role.BRANCH_SECRETARY])
    body = client.get(reverse("liaison:pairing_list")).content.decode()
    special_url = reverse("liaison:person_detail", args=[paired_world.special_a.pk])
    cadre_url = reverse("liaison:person_detail", args=[paired_world.cadre_person.pk])
    assert f'href="{special_url}"' in body
    assert f'href="{cadre_url}"' not in body  # outside the branch: a name, not a dead link


def test_person_file_shows_only_pairings_in_scope(paired_world, client_for):
    other = pairing_create(
        actor=None,
        kind=PairingKind.MEMBER_SERVED,
        subject=paired_world.member_b,
        target=paired_world.special_a,
        start_on=START,
    )
    assert other.pk
    # The office cadre opens the file of the employee paired with him: his own pairing shows;
    # branch B's member serving the same employee lies outside his scope.
    client = client_for(paired_world.users[Role.OFFICE_CADRE])
    body = client.get(
        reverse("liaison:person_detail", args=[paired_world.special_a.pk])
    ).content.decode()
    assert paired_world.cadre_person.name in body
    assert paired_world.member_b.name not in body


def test_handler_sees_staff_files_but_not_pairings_outside(paired_world, client_for):
    client = client_for(paired_world.users[Role.DEPARTMENT_HANDLER])
    body = client.get(
        reverse("liaison:person_detail", args=[paired_world.cadre_person.pk])
    ).content.decode()
    assert paired_world.cadre_person.name in body
    assert paired_world.special_a.name not in body  # the cadre's pairing is outside his scope
    branch_url = reverse("liaison:org_detail", args=[paired_world.office_branch.pk])
    assert f'href="{branch_url}"' not in body


def test_an_ended_pairing_no_longer_opens_the_file(paired_world, client_for):
    paired_world.cadre_pairing.end_on = dt.date(2026, 1, 31)
    paired_world.cadre_pairing.save(update_fields=["end_on"])
    client = client_for(paired_world.users[Role.OFFICE_CADRE])
    url = reverse("liaison:person_detail", args=[paired_world.special_a.pk])
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    "url_name", ["home", "liaison:org_tree", "liaison:person_list", "liaison:pairing_list"]
)
def test_pages_refuse_post(world, client_for, url_name):
    client = client_for(world.users[Role.PARTY_BUILDING])
    assert client.post(reverse(url_name)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.parametrize("page", ["²", "0", "-1", "1.5", "99999999999"])
def test_odd_page_numbers_are_400(world, client_for, page):
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = client.get(reverse("liaison:person_list"), {"page": page})
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_htmx_history_restore_gets_the_whole_page(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = client.get(
        reverse("liaison:person_list"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_htmx_bad_filter_gets_the_message_fragment(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = client.get(
        reverse("liaison:person_list"), {"sort": "phone"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'data-testid="bad-request"' in body
    assert "<html" not in body


def test_a_forged_language_cookie_falls_back_to_chinese(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    client.cookies["django_language"] = "fr"
    body = client.get(reverse("home")).content.decode()
    assert 'lang="zh-hans"' in body


def test_a_party_group_page_lists_its_members(world, client_for):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    response = client.get(reverse("liaison:org_detail", args=[world.group_a.pk]))
    assert response.status_code == HTTPStatus.OK
    assert world.member_a.name in response.content.decode()
    assert world.special_a.name not in response.content.decode()  # in the branch, not the group
