"""The Django admin: every model's list, search and add page for the administrator; nobody else."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from liaison.constants import PairingKind, Role
from liaison.models import Pairing

MODELS = ["orgnode", "unit", "person", "pairing", "user", "auditevent", "importjob"]


@pytest.mark.parametrize("model", MODELS)
def test_administrator_lists_and_searches_every_model(world, client_for, model):
    client = client_for(world.users[Role.ADMINISTRATOR])
    url = reverse(f"admin:liaison_{model}_changelist")
    assert client.get(url).status_code == HTTPStatus.OK
    assert client.get(url, {"q": "党"}).status_code == HTTPStatus.OK


@pytest.mark.parametrize("model", ["orgnode", "unit", "person", "pairing", "user"])
def test_administrator_opens_the_add_form(world, client_for, model):
    client = client_for(world.users[Role.ADMINISTRATOR])
    assert client.get(reverse(f"admin:liaison_{model}_add")).status_code == HTTPStatus.OK


def test_admin_never_offers_delete(world, client_for):
    client = client_for(world.users[Role.ADMINISTRATOR])
    url = reverse("admin:liaison_person_delete", args=[world.member_a.pk])
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN


def test_admin_edit_writes_an_audit_event(world, client_for):
    from liaison.models import AuditEvent

    client = client_for(world.users[Role.ADMINISTRATOR])
    url = reverse("admin:liaison_unit_change", args=[world.team_a.pk])
    data = {
        "code": world.team_a.code,
        "name": "溪河变电站（新）",
        "kind": world.team_a.kind,
        "branch": world.team_a.branch_id,
        "parent": "",
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == HTTPStatus.FOUND
    event = AuditEvent.objects.get(object_type="liaison.unit", object_id=str(world.team_a.pk))
    assert event.actor == world.users[Role.ADMINISTRATOR]
    assert event.data["fields"] == ["name"]


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMINISTRATOR])
def test_other_roles_are_sent_to_the_admin_login(world, client_for, role):
    response = client_for(world.users[role]).get(reverse("admin:liaison_person_changelist"))
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("admin:login") in response.url


def pairing_form(kind, **sides) -> dict:
    data = {"kind": kind, "start_on": "2026-01-01", "end_on": "", "note": ""}
    for column in ("person", "org", "target_person", "target_unit", "target_org"):
        data[column] = sides[column].pk if column in sides else ""
    return data


def test_admin_refuses_a_duplicate_pairing_with_a_message(world, client_for):
    client = client_for(world.users[Role.ADMINISTRATOR])
    url = reverse("admin:liaison_pairing_add")
    data = pairing_form(
        PairingKind.MEMBER_SERVED, person=world.member_a, target_person=world.customer_a
    )
    assert client.post(url, data).status_code == HTTPStatus.FOUND
    response = client.post(url, {**data, "note": "again"})
    assert response.status_code == HTTPStatus.OK
    assert "This pairing already exists" in response.content.decode()
    assert Pairing.objects.count() == 1


def test_admin_applies_the_rules_of_the_pairing_kind(world, client_for):
    client = client_for(world.users[Role.ADMINISTRATOR])
    data = pairing_form(
        PairingKind.CADRE_TEAM, person=world.cadre_person, target_unit=world.department
    )
    response = client.post(reverse("admin:liaison_pairing_add"), data)
    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.errors.keys() == {"target_unit"}
    assert not Pairing.objects.exists()
