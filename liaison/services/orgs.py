from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from liaison.constants import BranchType, OrgKind
from liaison.models import AuditEvent, OrgNode, User
from liaison.services.audit import audit_changes, audit_record


def org_node_check(
    *, parent: OrgNode | None, code: str, name: str, kind: str, branch_type: str = ""
) -> OrgNode:
    """Return the unsaved node that org_node_create would add, or raise ValidationError.

    A group gets its branch's type when `branch_type` is empty.
    """
    if parent is None:
        if kind != OrgKind.COMPANY:
            raise ValidationError({"parent": _("Only the company sits at the top of the tree.")})
        if OrgNode.objects.get_root_nodes().exists():
            raise ValidationError({"parent": _("The tree already has a company at the top.")})
    elif not parent.can_hold(kind):
        raise ValidationError(
            {
                "kind": _("A %(child)s cannot sit under a %(parent)s.")
                % {"child": OrgKind(kind).label, "parent": OrgKind(parent.kind).label}
            }
        )
    if kind == OrgKind.GROUP and parent is not None:
        # A group is part of its branch: it has the branch's type, which levels (R7) read.
        if branch_type and branch_type != parent.branch_type:
            raise ValidationError(
                {
                    "branch_type": _("A party group has the type of its branch: %(type)s.")
                    % {"type": BranchType(parent.branch_type).label}
                }
            )
        branch_type = parent.branch_type
    node = OrgNode(code=code, name=name, kind=kind, branch_type=branch_type)
    node.full_clean(exclude=["path", "depth", "numchild"])
    return node


@transaction.atomic
def org_node_create(
    *,
    actor: User | None,
    parent: OrgNode | None,
    code: str,
    name: str,
    kind: str,
    branch_type: str = "",
) -> OrgNode:
    """Add a node under `parent` (or the company root when `parent` is None)."""
    node = org_node_check(parent=parent, code=code, name=name, kind=kind, branch_type=branch_type)
    node = (
        OrgNode.objects.add_root(instance=node)
        if parent is None
        else OrgNode.objects.add_child(parent, instance=node)
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATED, obj=node, summary=node.name)
    return node


@transaction.atomic
def org_node_update(
    *, actor: User | None, node: OrgNode, name: str, is_active: bool, code: str | None = None
) -> OrgNode:
    """Rename, recode or (de)activate a node.

    Its kind, branch type and place in the tree never change: the tree's rules and the levels
    of what its people record (R7) rest on them.
    """
    values = {"name": name, "is_active": is_active}
    if code is not None:
        values["code"] = code
    before = {key: getattr(node, key) for key in values}
    for key, value in values.items():
        setattr(node, key, value)
    node.full_clean(exclude=["path", "depth", "numchild"])
    node.save(update_fields=list(values))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATED,
        obj=node,
        summary=node.name,
        data=audit_changes(before, values),
    )
    return node
