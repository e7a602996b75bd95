"""Every page of the org, people and pairing screens, for anonymous users and every role."""

import datetime as dt
from http import HTTPStatus

import pytest
from django.urls import reverse

from liaison.constants import PairingKind, Role
from liaison.services.pairings import pairing_create

ALL_ROLES = list(Role)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name", ["home", "liaison:org_tree", "liaison:person_list", "liaison:pairing_list"]
)
def test_anonymous_is_sent_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(
    "url_name", ["home", "liaison:org_tree", "liaison:person_list", "liaison:pairing_list"]
)
def test_every_role_reaches_the_list_pages(world, client_for, role, url_name):
    response = client_for(world.users[role]).get(reverse(url_name))
    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (Role.PARTY_BUILDING, ["member_a", "member_b", "customer_a"], []),
        (Role.COMMITTEE_STAFF, ["member_a", "special_a", "cadre_person"], ["member_b"]),
        (
            Role.BRANCH_SECRETARY,
            ["member_a", "special_a", "customer_a"],
            ["member_b", "cadre_person"],
        ),
        (Role.PARTY_MEMBER, ["member_a"], ["special_a", "member_b"]),
        (Role.DEPARTMENT_HANDLER, ["cadre_person"], ["member_a", "member_b"]),
    ],
)
def test_person_file_is_404_outside_scope(world, client_for, role, visible, hidden):
    client = client_for(world.users[role])
    for attr in visible:
        url = reverse("liaison:person_detail", args=[getattr(world, attr).pk])
        assert client.get(url).status_code == HTTPStatus.OK, attr
    for attr in hidden:
        url = reverse("liaison:person_detail", args=[getattr(world, attr).pk])
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND, attr


def test_missing_person_is_404_like_a_forbidden_one(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    assert client.get(reverse("liaison:person_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (Role.PARTY_BUILDING, ["company", "branch_b"], []),
        (
            Role.COMMITTEE_STAFF,
            ["committee_a", "branch_a", "office_branch"],
            ["branch_b", "company"],
        ),
        (Role.BRANCH_SECRETARY, ["branch_a", "group_a"], ["office_branch", "committee_a"]),
        (Role.DEPARTMENT_HANDLER, [], ["branch_a", "company"]),
    ],
)
def test_org_page_is_404_outside_scope(world, client_for, role, visible, hidden):
    client = client_for(world.users[role])
    for attr in visible:
        url = reverse("liaison:org_detail", args=[getattr(world, attr).pk])
        assert client.get(url).status_code == HTTPStatus.OK, attr
    for attr in hidden:
        url = reverse("liaison:org_detail", args=[getattr(world, attr).pk])
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND, attr


def test_org_tree_shows_only_the_subtree(world, client_for):
    page = client_for(world.users[Role.BRANCH_SECRETARY]).get(reverse("liaison:org_tree"))
    body = page.content.decode()
    assert world.branch_a.name in body
    assert world.group_a.name in body
    assert world.branch_b.name not in body
    assert world.office_branch.name not in body


def test_person_list_filters_and_scope(world, client_for):
    client = client_for(world.users[Role.COMMITTEE_STAFF])
    body = client.get(reverse("liaison:person_list")).content.decode()
    assert world.member_a.name in body
    assert world.member_b.name not in body
    body = client.get(reverse("liaison:person_list"), {"is_special_needs": "true"}).content
    assert world.special_a.name in body.decode()
    assert world.member_a.name not in body.decode()
    body = client.get(reverse("liaison:person_list"), {"q": "新欣"}).content.decode()
    assert world.customer_a.name in body
    assert world.special_a.name not in body


def test_person_list_org_filter_refuses_an_org_outside_scope(world, client_for):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    response = client.get(reverse("liaison:person_list"), {"org": world.branch_b.pk})
    assert response.status_code == HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize(
    "params",
    [
        {"colour": "red"},
        {"sort": "phone"},
        {"sort": "password"},
        {"kind": "alien"},
        {"page": "abc"},
        {"is_party_member": "maybe"},
    ],
)
def test_person_list_bad_parameters_are_400_with_a_message(world, client_for, params):
    response = client_for(world.users[Role.PARTY_BUILDING]).get(
        reverse("liaison:person_list"), params
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'data-testid="bad-request"' in response.content.decode()


def test_person_list_sorts_by_a_listed_column(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = client.get(reverse("liaison:person_list"), {"sort": "-name"})
    assert response.status_code == HTTPStatus.OK


def test_person_list_htmx_gets_the_results_fragment(world, client_for):
    client = client_for(world.users[Role.PARTY_BUILDING])
    response = client.get(reverse("liaison:person_list"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "<html" not in body
    assert world.member_a.name in body


def test_person_file_lists_pairings_on_both_sides(world, client_for):
    pairing_create(
        actor=None,
        kind=PairingKind.OFFICE_CADRE_FRONTLINE,
        subject=world.cadre_person,
        target=world.member_a,
        start_on=dt.date(2026, 1, 5),
    )
    client = client_for(world.users[Role.PARTY_BUILDING])
    body = client.get(reverse("liaison:person_detail", args=[world.member_a.pk])).content
    assert world.cadre_person.name in body.decode()
    body = client.get(reverse("liaison:person_detail", args=[world.cadre_person.pk])).content
    assert world.member_a.name in body.decode()


def test_cadre_sees_the_file_of_the_employee_paired_with_them(world, client_for):
    pairing_create(
        actor=None,
        kind=PairingKind.OFFICE_CADRE_FRONTLINE,
        subject=world.cadre_person,
        target=world.special_a,
        start_on=dt.date(2026, 1, 5),
    )
    client = client_for(world.users[Role.OFFICE_CADRE])
    url = reverse("liaison:person_detail", args=[world.special_a.pk])
    assert client.get(url).status_code == HTTPStatus.OK
    url = reverse("liaison:person_detail", args=[world.member_b.pk])
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_language_switch_serves_english(world, client):
    client.force_login(world.users[Role.PARTY_BUILDING])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in body
    assert "Log out" in body


def test_pages_speak_simplified_chinese_by_default(world, client_for):
    body = client_for(world.users[Role.BRANCH_SECRETARY]).get(reverse("home")).content.decode()
    assert 'lang="zh-hans"' in body
    assert "退出" in body
    assert "组织架构" in body


def test_an_english_browser_still_gets_chinese_until_the_user_switches(world, client_for):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    body = client.get(reverse("home"), headers={"accept-language": "en-US,en;q=0.9"}).content
    assert "退出" in body.decode()


def test_pairing_build_refuses_wrong_sides_and_dates(world):
    from django.core.exceptions import ValidationError

    from liaison.services.pairings import pairing_build

    with pytest.raises(ValidationError):
        pairing_build(
            kind=PairingKind.CADRE_TEAM,
            subject=world.cadre_person,
            target=world.member_a,
            start_on=dt.date(2026, 1, 1),
        )
    with pytest.raises(ValidationError):
        pairing_build(
            kind=PairingKind.BRANCH_JOINT,
            subject=world.office_branch,
            target=world.branch_a,
            start_on=dt.date(2026, 3, 1),
            end_on=dt.date(2026, 2, 1),
        )
    pairing = pairing_build(
        kind=PairingKind.BRANCH_JOINT,
        subject=world.office_branch,
        target=world.branch_a,
        start_on=dt.date(2026, 3, 1),
    )
    assert pairing.org == world.office_branch
    assert pairing.target_org == world.branch_a
