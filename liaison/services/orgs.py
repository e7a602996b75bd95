from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from liaison.constants import OrgKind
from liaison.models import AuditEvent, OrgNode, User
from liaison.services.audit import audit_record


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
    if parent is None:
        if kind != OrgKind.COMPANY:
            raise ValidationError({"parent": _("Only the company sits at the top of the tree.")})
        if OrgNode.get_root_nodes().exists():
            raise ValidationError({"parent": _("The tree already has a company at the top.")})
    elif not parent.can_hold(kind):
        raise ValidationError(
            {
                "kind": _("A %(child)s cannot sit under a %(parent)s.")
                % {"child": OrgKind(kind).label, "parent": OrgKind(parent.kind).label}
            }
        )
    if kind == OrgKind.GROUP and parent is not None and not branch_type:
        branch_type = parent.branch_type
    node = OrgNode(code=code, name=name, kind=kind, branch_type=branch_type)
    node.full_clean(exclude=["path", "depth", "numchild"])
    node = (
        OrgNode.objects.add_root(instance=node)
        if parent is None
        else OrgNode.objects.add_child(parent, instance=node)
    )
    audit_record(actor=actor, action=AuditEvent.Action.CREATED, obj=node, summary=node.name)
    return node


@transaction.atomic
def org_node_update(
    *, actor: User | None, node: OrgNode, name: str, branch_type: str, is_active: bool
) -> OrgNode:
    before = {"name": node.name, "branch_type": node.branch_type, "is_active": node.is_active}
    node.name, node.branch_type, node.is_active = name, branch_type, is_active
    node.full_clean(exclude=["path", "depth", "numchild"])
    node.save(update_fields=["name", "branch_type", "is_active"])
    after = {"name": node.name, "branch_type": node.branch_type, "is_active": node.is_active}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATED, obj=node, summary=node.name, data=changes
    )
    return node
