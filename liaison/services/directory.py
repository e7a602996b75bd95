"""Directory accounts: what the directory's groups and org units make of a local account.

The one home of "which role and scope does a directory user get": `directory_grant_resolve`.
Signing on (`directory_user_relations`, django-python3-ldap's LDAP_AUTH_SYNC_USER_RELATIONS
hook) and the periodic `directory_sync` both go through it and through
`directory_account_sync`, which writes the role and scope and audits the change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import ldap3
from django.db import transaction
from django.utils.translation import gettext as _

from liaison import directory
from liaison.constants import COMPANY_WIDE_ROLES, SCOPED_ROLES, Role, UnitKind
from liaison.models import AuditEvent, OrgNode, Unit, User
from liaison.services.audit import audit_changes, audit_record

logger = logging.getLogger(__name__)


class DirectoryRefusal(Exception):
    """The directory knows the person, but the ledger gives them no access; says why."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message = message  # for the person signing on
        self.reason = reason  # for the audit trail


@dataclass(frozen=True)
class DirectoryGrant:
    """The role and scope the directory gives a person."""

    role: str
    scope_org: OrgNode | None
    department: Unit | None


def _refusal_no_group() -> DirectoryRefusal:
    return DirectoryRefusal(
        _(
            "Your directory account is in no group that gives access to the ledger. "
            "Ask the party-building department to add you to one."
        ),
        _("in no group mapped to a role"),
    )


def directory_grant_resolve(
    *, groups: list[str] | tuple[str, ...], codes: list[str]
) -> DirectoryGrant:
    """Return the role (from the groups) and scope (from the org codes) of a directory user.

    Refuse a person in no mapped group, and a scoped role whose org units name no node here.
    """
    role = directory.role_for_groups(groups)
    if not role:
        raise _refusal_no_group()
    if role not in Role.values:
        logger.error("LDAP_GROUP_ROLES maps a group to %r, which is no role", role)
        raise _refusal_no_group()
    if role == Role.DEPARTMENT_HANDLER:
        departments = {
            unit.code: unit
            for unit in Unit.objects.filter(
                code__in=codes, kind=UnitKind.DEPARTMENT, is_active=True
            )
        }
        department = next((departments[code] for code in codes if code in departments), None)
        if department is None:
            raise DirectoryRefusal(
                _("Your directory entry names no professional department known to the ledger."),
                _("no known department"),
            )
        return DirectoryGrant(role=role, scope_org=None, department=department)
    nodes = {node.code: node for node in OrgNode.objects.filter(code__in=codes, is_active=True)}
    scope = next((nodes[code] for code in codes if code in nodes), None)
    if scope is None and role in SCOPED_ROLES:
        raise DirectoryRefusal(
            _("Your directory entry names no organisation known to the ledger."),
            _("no known organisation"),
        )
    if scope is None and role in COMPANY_WIDE_ROLES:
        scope = OrgNode.get_first_root_node()
    return DirectoryGrant(role=role, scope_org=scope, department=None)


def _grant_fields(user: User) -> dict:
    return {
        "role": user.role,
        "scope": user.scope_org.code if user.scope_org else "",
        "department": user.department.code if user.department else "",
    }


@transaction.atomic
def directory_account_sync(*, user: User, grant: DirectoryGrant, dn: str) -> User:
    """Give a directory account its role and scope; audit its creation or the change."""
    created = user.source != User.Source.DIRECTORY
    if created and user.has_usable_password():
        # A local account of the same name: the directory does not take it over.
        raise DirectoryRefusal(
            _("This user name belongs to a local account; sign on with its own password."),
            _("a local account has this user name"),
        )
    before = _grant_fields(user)
    user.source = User.Source.DIRECTORY
    user.role = grant.role
    user.scope_org = grant.scope_org
    user.department = grant.department
    user.full_clean(exclude=["password"])
    user.save()
    after = _grant_fields(user)
    if created:
        audit_record(
            actor=None,
            action=AuditEvent.Action.CREATED,
            obj=user,
            summary=_("Account %(username)s created from the directory")
            % {"username": user.username},
            data={"source": "directory", "dn": dn, **after},
        )
    elif changes := audit_changes(before, after):
        audit_record(
            actor=None,
            action=AuditEvent.Action.UPDATED,
            obj=user,
            summary=_("Role or scope of %(username)s changed by the directory")
            % {"username": user.username},
            data={"source": "directory", "dn": dn, "changes": changes},
        )
    return user


def directory_user_relations(
    user: User, ldap_attributes: dict, *, connection: ldap3.Connection, dn: str
) -> None:
    """At sign-on: set the role and scope the directory gives (LDAP_AUTH_SYNC_USER_RELATIONS)."""
    grant = directory_grant_resolve(
        groups=directory.user_groups(connection, dn=dn, attributes=ldap_attributes),
        codes=directory.scope_codes(dn=dn, attributes=ldap_attributes),
    )
    directory_account_sync(user=user, grant=grant, dn=dn)


@transaction.atomic
def directory_account_deactivate(*, user: User, reason: str) -> User:
    """Switch off a directory account the directory no longer gives access; audit why."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(
        actor=None,
        action=AuditEvent.Action.DEACTIVATED,
        obj=user,
        summary=_("Account %(username)s deactivated: %(reason)s")
        % {"username": user.username, "reason": reason},
        data={"source": "directory", "reason": reason},
    )
    return user


def directory_sync() -> dict[str, int]:
    """Bring the active directory accounts in line with the directory; return the counts.

    An account whose person is gone from the directory, or in no mapped group any more, or
    whose org unit is unknown here, is deactivated; the others get their role and scope again.
    Nobody is created (that happens at first sign-on), and nobody is switched back on (a
    security administrator does that). Safe to run twice: the second run finds nothing to do.
    If the directory cannot be read, or lists nobody (a wrong LDAP_USER_BASE, an empty
    answer), nothing changes: DirectoryUnavailable is raised instead.
    """
    with directory.service_connection() as connection:
        people = directory.people_list(connection)
        memberships = directory.group_members(connection)
    if not people:
        raise directory.DirectoryUnavailable("the directory lists nobody under LDAP_USER_BASE")
    counts = {"checked": 0, "deactivated": 0, "updated": 0}
    accounts = User.objects.filter(source=User.Source.DIRECTORY, is_active=True).select_related(
        "scope_org", "department"
    )
    for account in accounts.order_by("pk"):
        counts["checked"] += 1
        person = people.get(account.username.lower())
        if person is None:
            directory_account_deactivate(user=account, reason=_("gone from the directory"))
            counts["deactivated"] += 1
            continue
        groups = [*person.member_of, *memberships.get(directory.normalise_dn(person.dn), [])]
        try:
            grant = directory_grant_resolve(groups=groups, codes=list(person.scope_values))
        except DirectoryRefusal as refusal:
            directory_account_deactivate(user=account, reason=refusal.reason)
            counts["deactivated"] += 1
            continue
        before = _grant_fields(account)
        directory_account_sync(user=account, grant=grant, dn=person.dn)
        counts["updated"] += before != _grant_fields(account)
    return counts
