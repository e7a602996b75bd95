"""The Django admin: every model's list, search and add page for the administrator; nobody else."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from liaison.constants import BranchType, OrgKind, PairingKind, Role
from liaison.models import AuditEvent, OrgNode, Pairing

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


# -- the org tree -------------------------------------------------------------------------------


def org_events(**filters):
    return AuditEvent.objects.filter(object_type="liaison.orgnode", **filters)


def test_org_tree_lists_in_tree_order_indented(world, client_for):
    client = client_for(world.users[Role.ADMINISTRATOR])
    response = client.get(reverse("admin:liaison_orgnode_changelist"))
    body = response.content.decode()
    body = body[body.index('id="result_list"') :]
    names = ["示范供电公司党委", "运维检修党委", "变电运维党支部", "第一党小组", "营销服务党委"]
    assert [body.index(name) for name in names] == sorted(body.index(name) for name in names)
    assert 'padding-left: 4.5em">第一党小组' in body  # depth 4
    filtered = client.get(reverse("admin:liaison_orgnode_changelist"), {"kind__exact": "group"})
    assert "第一党小组" in filtered.content.decode()
    assert "运维检修党委" not in filtered.content.decode()


def org_add(client, **data):
    fields = {"parent": "", "kind": "", "code": "", "name": "", "branch_type": ""}
    return client.post(reverse("admin:liaison_orgnode_add"), {**fields, **data})


def test_admin_adds_a_group_through_the_tree_service(world, client_for):
    client = client_for(world.users[Role.ADMINISTRATOR])
    response = org_add(
        client, parent=world.branch_a.pk, kind="group", code="GA2", name="第二党小组"
    )
    assert response.status_code == HTTPStatus.FOUND
    group = OrgNode.objects.get(code="GA2")
    assert group.get_parent() == world.branch_a
    assert group.branch_type == BranchType.GRASSROOTS  # its branch's
    event = org_events(object_id=str(group.pk)).get()
    assert (event.action, event.actor) == (
        AuditEvent.Action.CREATED,
        world.users[Role.ADMINISTRATOR],
    )


@pytest.mark.parametrize(
    ("parent", "data", "field"),
    [
        ("group_a", {"kind": "committee", "code": "K9", "name": "新党委"}, "kind"),
        (
            "branch_a",
            {"kind": "group", "code": "G9", "name": "组", "branch_type": "office"},
            "branch_type",
        ),
        ("committee_a", {"kind": "branch", "code": "B9", "name": "新支部"}, "branch_type"),
        (
            "committee_a",
            {"kind": "branch", "code": "BA", "name": "重码", "branch_type": "office"},
            "code",
        ),
        (None, {"kind": "committee", "code": "K9", "name": "无上级"}, "parent"),
    ],
)
def test_admin_add_keeps_the_rules_of_the_tree(world, client_for, parent, data, field):
    client = client_for(world.users[Role.ADMINISTRATOR])
    before = OrgNode.objects.count()
    response = org_add(client, parent=getattr(world, parent).pk if parent else "", **data)
    assert response.status_code == HTTPStatus.OK
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field]
    assert len(errors[field]) == 1
    assert OrgNode.objects.count() == before


def test_admin_change_edits_name_code_and_activity_only(world, client_for):
    client = client_for(world.users[Role.ADMINISTRATOR])
    url = reverse("admin:liaison_orgnode_change", args=[world.branch_a.pk])
    page = client.get(url).content.decode()
    assert 'name="branch_type"' not in page and 'name="kind"' not in page
    data = {
        "name": "变电运维第一党支部",
        "code": "BA",
        "kind": "committee",
        "branch_type": "office",
    }
    response = client.post(url, data)  # no is_active: deactivated
    assert response.status_code == HTTPStatus.FOUND
    branch = OrgNode.objects.get(pk=world.branch_a.pk)
    assert (branch.name, branch.is_active) == ("变电运维第一党支部", False)
    assert (branch.kind, branch.branch_type, branch.path) == (
        OrgKind.BRANCH,
        BranchType.GRASSROOTS,
        world.branch_a.path,
    )
    event = org_events(object_id=str(branch.pk), action=AuditEvent.Action.UPDATED).get()
    assert event.data == {
        "name": ["变电运维党支部", "变电运维第一党支部"],
        "is_active": ["True", "False"],
    }


def test_admin_cannot_move_or_delete_a_node(world, client_for):
    client = client_for(world.users[Role.ADMINISTRATOR])
    paths = dict(OrgNode.objects.values_list("pk", "path"))
    # What treebeard's drag and drop used to post: the committee into a group.
    client.post(
        "/admin/liaison/orgnode/move/",
        {"node_id": world.committee_b.pk, "sibling_id": world.group_a.pk, "as_child": 1},
    )
    assert dict(OrgNode.objects.values_list("pk", "path")) == paths
    url = reverse("admin:liaison_orgnode_delete", args=[world.group_a.pk])
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert client.post(url, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN


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
