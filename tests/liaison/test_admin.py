"""The Django admin: every model's list, search and add page for the administrator; nobody else."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from liaison.constants import BranchType, OrgKind, PairingKind, Role
from liaison.models import AuditEvent, OrgNode, Pairing, User

# The audit log is not in the admin: it is the audit administrator's page (/audit/).
MODELS = ["orgnode", "unit", "person", "pairing", "user", "importjob"]


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


def test_admin_edit_audits_each_changed_field_before_and_after(world, client_for):
    client = client_for(world.users[Role.ADMINISTRATOR])
    url = reverse("admin:liaison_unit_change", args=[world.team_a.pk])
    data = {
        "code": world.team_a.code,
        "name": "溪河变电站（新）",
        "kind": world.team_a.kind,
        "branch": world.branch_b.pk,
        "parent": "",
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == HTTPStatus.FOUND
    event = AuditEvent.objects.get(object_type="liaison.unit", object_id=str(world.team_a.pk))
    assert event.actor == world.users[Role.ADMINISTRATOR]
    assert event.action == AuditEvent.Action.UPDATED
    assert event.data == {
        "name": ["溪河变电站", "溪河变电站（新）"],
        "branch": ["变电运维党支部", "城区供电所党支部"],
    }


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
    assert OrgNode.objects.get_parent(group) == world.branch_a
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


# -- accounts -----------------------------------------------------------------------------------


def user_form(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "last_login_0": "",
        "last_login_1": "",
        "role": user.role,
        "person": user.person_id or "",
        "scope_org": user.scope_org_id or "",
        "department": user.department_id or "",
    }
    return {key: value for key, value in {**data, **changes}.items() if value != ""}


def user_events(user: User):
    return AuditEvent.objects.filter(object_type="liaison.user", object_id=str(user.pk))


def test_user_changes_are_audited_before_and_after(world, client_for):
    """The system administrator edits the account; the role and scope fields are read-only to
    them (三员分立): posted, they change nothing."""
    admin_user = world.users[Role.ADMINISTRATOR]
    client = client_for(admin_user)
    secretary = world.users[Role.BRANCH_SECRETARY]
    User.objects.filter(pk=secretary.pk).update(date_joined="2026-01-01T00:00:00Z")
    url = reverse("admin:liaison_user_change", args=[secretary.pk])
    data = user_form(
        secretary,
        role=Role.COMMITTEE_STAFF,
        scope_org=world.committee_b.pk,
        person=world.member_b.pk,
        is_staff="on",
        is_superuser="on",
        is_active="",
    )
    response = client.post(url, data)
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    event = user_events(secretary).get()
    assert event.actor == admin_user
    assert event.data == {"person": ["", "李党员"], "is_active": ["True", "False"]}
    secretary.refresh_from_db()
    assert secretary.role == Role.BRANCH_SECRETARY and secretary.scope_org == world.branch_a
    assert not secretary.is_staff and not secretary.is_superuser


def test_the_security_administrator_changes_role_and_scope_only(world, client_for):
    security = world.users[Role.SECURITY_ADMIN]
    client = client_for(security)
    secretary = world.users[Role.BRANCH_SECRETARY]
    url = reverse("admin:liaison_user_change", args=[secretary.pk])
    data = user_form(
        secretary,
        role=Role.COMMITTEE_STAFF,
        scope_org=world.committee_b.pk,
        person=world.member_b.pk,
        username="renamed",
        is_superuser="on",
        is_active="",
    )
    response = client.post(url, data)
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    secretary.refresh_from_db()
    assert (secretary.role, secretary.scope_org) == (Role.COMMITTEE_STAFF, world.committee_b)
    # The account's own fields are the system administrator's: unchanged.
    assert secretary.username == "sj" and secretary.person is None and secretary.is_active
    assert not secretary.is_superuser
    events = {event.action: event for event in user_events(secretary)}
    assert set(events) == {
        AuditEvent.Action.UPDATED,
        AuditEvent.Action.ROLE_CHANGED,
        AuditEvent.Action.SCOPE_CHANGED,
    }
    assert events[AuditEvent.Action.ROLE_CHANGED].actor == security
    assert events[AuditEvent.Action.ROLE_CHANGED].data == {
        "role": [Role.BRANCH_SECRETARY, Role.COMMITTEE_STAFF]
    }
    assert events[AuditEvent.Action.SCOPE_CHANGED].data == {
        "scope_org": ["变电运维党支部", "营销服务党委"]
    }


def test_the_security_administrator_adds_no_account_sets_no_password_nor_their_own(
    world, client_for
):
    security = world.users[Role.SECURITY_ADMIN]
    client = client_for(security)
    assert client.get(reverse("admin:liaison_user_add")).status_code == HTTPStatus.FORBIDDEN
    secretary = world.users[Role.BRANCH_SECRETARY]
    url = reverse("admin:auth_user_password_change", args=[secretary.pk])
    data = {"password1": "x-Long-pass-42", "password2": "x-Long-pass-42", "usable_password": "true"}
    assert client.post(url, data).status_code == HTTPStatus.FORBIDDEN
    own = reverse("admin:liaison_user_change", args=[security.pk])
    response = client.post(own, user_form(security, role=Role.ADMINISTRATOR, is_staff="on"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    security.refresh_from_db()
    assert security.role == Role.SECURITY_ADMIN
    # The master data is the system administrator's.
    assert client.get(reverse("admin:liaison_person_changelist")).status_code == 403


def test_a_group_gives_the_security_administrator_no_master_data(world, client_for):
    """Even put in the master-data group, the security administrator holds no Django
    permission: their rights are their role's."""
    from liaison.services.accounts import maintainer_group_ensure

    security = world.users[Role.SECURITY_ADMIN]
    security.groups.add(maintainer_group_ensure())
    client = client_for(security)
    assert client.get(reverse("admin:liaison_person_changelist")).status_code == 403
    assert client.get(reverse("admin:liaison_user_changelist")).status_code == HTTPStatus.OK


def test_the_audit_administrator_is_never_staff(world):
    from django.core.exceptions import ValidationError

    auditor = world.users[Role.AUDIT_ADMIN]
    auditor.is_staff = True
    with pytest.raises(ValidationError) as error:
        auditor.full_clean()
    assert set(error.value.message_dict) == {"is_staff"}


@pytest.mark.parametrize("model", ["orgnode", "person", "user", "importjob"])
def test_the_audit_administrator_never_enters_the_admin(world, client_for, model):
    client = client_for(world.users[Role.AUDIT_ADMIN])
    response = client.get(reverse(f"admin:liaison_{model}_changelist"))
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("admin:login") in response.url
    response = client.post(reverse(f"admin:liaison_{model}_add"), {})
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("admin:login") in response.url


def test_a_password_change_is_audited_as_a_flag(world, client_for):
    client = client_for(world.users[Role.ADMINISTRATOR])
    secretary = world.users[Role.BRANCH_SECRETARY]
    url = reverse("admin:auth_user_password_change", args=[secretary.pk])
    new = "a-new-password-42"
    data = {"password1": new, "password2": new, "usable_password": "true"}
    assert client.post(url, data).status_code == HTTPStatus.FOUND
    secretary.refresh_from_db()
    assert secretary.check_password(new)
    assert user_events(secretary).get().data == {
        "password_changed": True,
        "must_change_password": True,
    }
    assert secretary.must_change_password  # chosen by an administrator: changed at next login
    # A refused change (the two passwords differ) changes nothing and records nothing.
    client.post(url, {**data, "password2": "something-else-42"})
    assert user_events(secretary).count() == 1


def test_a_new_user_is_audited_without_the_password(world, client_for):
    """The system administrator creates the account without a role (a posted role is
    ignored): the security administrator gives it one."""
    client = client_for(world.users[Role.ADMINISTRATOR])
    data = {
        "username": "xinren",
        "usable_password": "true",
        "password1": "a-new-password-42",
        "password2": "a-new-password-42",
        "first_name": "新人",
        "role": Role.PARTY_MEMBER,
        "scope_org": world.branch_b.pk,
    }
    response = client.post(reverse("admin:liaison_user_add"), data)
    assert response.status_code == HTTPStatus.FOUND
    user = User.objects.get(username="xinren")
    event = user_events(user).get()
    assert event.action == AuditEvent.Action.CREATED
    assert event.data["username"] == ["", "xinren"]
    assert event.data["first_name"] == ["", "新人"]
    assert user.role == "" and user.scope_org is None
    assert user.password not in str(event.data) and "password" not in str(event.data)
    # An administrator chose the password: the account changes it at its first login.
    assert user.must_change_password


@pytest.mark.parametrize(
    "role", [r for r in Role if r not in (Role.ADMINISTRATOR, Role.SECURITY_ADMIN)]
)
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
    assert "该结对已存在" in response.content.decode()  # the Chinese of the duplicate message
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
