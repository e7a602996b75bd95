"""The org tree service: nodes go where the tree's rules allow, with their branch's type."""

import pytest
from django.core.exceptions import ValidationError

from liaison.constants import BranchType, OrgKind, Role
from liaison.models import AuditEvent
from liaison.services.orgs import org_node_create, org_node_update


@pytest.mark.parametrize(
    ("branch_type", "refused"),
    [("", False), (BranchType.GRASSROOTS, False), (BranchType.OFFICE, True)],
)
def test_a_group_has_the_type_of_its_branch(world, branch_type, refused):
    def create():
        return org_node_create(
            actor=None,
            parent=world.branch_a,  # grassroots
            code="G9",
            name="第九党小组",
            kind=OrgKind.GROUP,
            branch_type=branch_type,
        )

    if refused:
        with pytest.raises(ValidationError) as error:
            create()
        assert set(error.value.message_dict) == {"branch_type"}
    else:
        assert create().branch_type == BranchType.GRASSROOTS


def test_a_committee_cannot_sit_under_a_group(world):
    with pytest.raises(ValidationError) as error:
        org_node_create(
            actor=None, parent=world.group_a, code="K9", name="党委", kind=OrgKind.COMMITTEE
        )
    assert set(error.value.message_dict) == {"kind"}


def test_update_changes_name_code_and_activity_only_and_audits_them(world):
    user = world.users[Role.ADMINISTRATOR]
    node = org_node_update(
        actor=user, node=world.branch_a, name="变电运维第一党支部", is_active=False, code="BA1"
    )
    node.refresh_from_db()
    assert (node.name, node.code, node.is_active) == ("变电运维第一党支部", "BA1", False)
    assert node.branch_type == BranchType.GRASSROOTS
    event = AuditEvent.objects.get(
        object_type="liaison.orgnode", object_id=str(node.pk), action=AuditEvent.Action.UPDATED
    )
    assert event.actor == user
    assert event.data == {
        "name": ["变电运维党支部", "变电运维第一党支部"],
        "code": ["BA", "BA1"],
        "is_active": ["True", "False"],
    }
