"""The home page's second part (/home/figures/): the scope in figures, the user's pairings and
department, the special-needs employees and the pairings running. The home page answers with
the work and fetches this once it has loaded (htmx); without script its link opens it as a page.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from liaison.constants import NO_LEDGER_ROLES, Role

LEDGER_ROLES = [role for role in Role if role not in NO_LEDGER_ROLES]
FIGURES = reverse("home_figures")


@pytest.mark.parametrize("role", LEDGER_ROLES)
def test_every_ledger_role_gets_its_figures_as_a_fragment_and_as_a_page(world, client_for, role):
    client = client_for(world.users[role])
    home = client.get(reverse("home")).content.decode()
    assert f'hx-get="{FIGURES}"' in home and 'hx-trigger="load"' in home
    assert f'href="{FIGURES}"' in home  # the link a browser without script follows
    fragment = client.get(FIGURES, headers={"HX-Request": "true"})
    assert fragment.status_code == HTTPStatus.OK
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="home-figures"') and "<html" not in body
    assert "HX-Request" in fragment["Vary"]
    page = client.get(FIGURES)
    assert page.status_code == HTTPStatus.OK
    assert (
        "<html" in page.content.decode() and 'data-testid="home-figures"' in page.content.decode()
    )


@pytest.mark.parametrize("role", sorted(NO_LEDGER_ROLES))
def test_the_administrators_without_a_ledger_get_404(world, client_for, role):
    assert client_for(world.users[role]).get(FIGURES).status_code == HTTPStatus.NOT_FOUND


def test_anonymous_goes_to_login_and_post_is_refused(world, client, client_for):
    response = client.get(FIGURES)
    assert response.status_code == HTTPStatus.FOUND and "/accounts/login/" in response["Location"]
    user_client = client_for(world.users[Role.BRANCH_SECRETARY])
    assert user_client.post(FIGURES).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_the_secretary_sees_the_branch_in_figures_and_its_special_needs_employees(
    world, client_for
):
    client = client_for(world.users[Role.BRANCH_SECRETARY])
    home = client.get(reverse("home"))
    assert world.branch_a.name in home.content.decode()  # the scope's name stays in the heading
    assert world.special_a.name not in home.content.decode()  # the figures come after
    body = client.get(FIGURES, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="special-needs"' in body
    assert world.special_a.name in body and "家属患病" in body
    assert world.member_b.name not in body  # another branch's


def test_the_department_handler_sees_the_department_s_staff(world, client_for):
    body = client_for(world.users[Role.DEPARTMENT_HANDLER]).get(FIGURES).content.decode()
    assert 'data-testid="department-staff"' in body
    assert world.cadre_person.name in body and world.department.name in body
