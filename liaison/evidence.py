"""Who may attach photos and files, where, at which step, and who may withdraw them (R23): the
one home of these rules. Who may *see* an attachment is liaison.permissions' (whoever may see
its entry or its visit, and a visit's files also whoever may see an entry heard there).

An entry takes files from whoever acts on it at its step (the capacities of
liaison.transitions):

| the entry is | the owner, the party-building department | the handling department, a co-handler |
|---|---|---|
| recorded, in progress | recording | — |
| referred | other (material for the department) | plan |
| plan recorded | other | result |
| resolved | reply | result |
| replied | reply | — |
| closed basic information (R2) | recording | — |
| closed, void | — | — |

A visit takes files from whoever logged it, the branch secretary whose ledger holds it and the
party-building department.

An attachment is withdrawn (never deleted) by whoever attached it, or, for an entry's, by its
owner; for a visit's, by whoever logged the visit; and for either by the branch secretary
whose ledger holds it and by the party-building department.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from liaison.constants import AttachmentStep, EntryKind, EntryStatus, Role
from liaison.models import Attachment, Entry, User, Visit
from liaison.permissions import can_maintain_master_data
from liaison.transitions import Actor, actor_capacities, covers_as_secretary

_S = EntryStatus
_St = AttachmentStep
_OWNER = frozenset({Actor.OWNER, Actor.MAINTAINER})
_DEPARTMENT = frozenset({Actor.HANDLER, Actor.COHANDLER})

# The entry's status → [(capacities, the step a file is attached at)], first match wins.
ATTACH_STEPS: dict[str, list[tuple[frozenset[Actor], str]]] = {
    _S.RECORDED: [(_OWNER, _St.RECORDING)],
    _S.IN_PROGRESS: [(_OWNER, _St.RECORDING)],
    _S.REFERRED: [(_DEPARTMENT, _St.PLAN), (_OWNER, _St.OTHER)],
    _S.PLANNED: [(_DEPARTMENT, _St.RESULT), (_OWNER, _St.OTHER)],
    _S.RESOLVED: [(_DEPARTMENT, _St.RESULT), (_OWNER, _St.REPLY)],
    _S.REPLIED: [(_OWNER, _St.REPLY)],
}
# Basic information closes on recording (R2): its recorder may still add the photo.
BASIC_CLOSED_STEPS: list[tuple[frozenset[Actor], str]] = [(_OWNER, _St.RECORDING)]


class AttachRefused(Exception):
    """The user may not attach or withdraw here; `forbidden`: because of who they are (403),
    else because of the state of the entry (400)."""

    def __init__(self, message: str, *, forbidden: bool):
        super().__init__(message)
        self.forbidden = forbidden


def _steps(entry: Entry) -> list[tuple[frozenset[Actor], str]]:
    if entry.kind == EntryKind.BASIC and entry.status == _S.CLOSED:
        return BASIC_CLOSED_STEPS
    return ATTACH_STEPS.get(entry.status, [])


def entry_attach_step(*, entry: Entry, user: User) -> str:
    """Return the step at which `user` attaches files to `entry` now, or raise AttachRefused."""
    capacities = actor_capacities(entry=entry, actor=user)
    if not capacities & (_OWNER | _DEPARTMENT):
        raise AttachRefused(
            _(
                "Only the entry's owner, its handling department or the party-building "
                "department may attach files to it."
            ),
            forbidden=True,
        )
    steps = _steps(entry)
    if not steps:
        raise AttachRefused(
            _("The entry is “%(status)s”: it takes no more files.")
            % {"status": entry.get_status_display()},
            forbidden=False,
        )
    for actors, step in steps:
        if capacities & actors:
            return step
    raise AttachRefused(
        _("While the entry is “%(status)s” its owner attaches the files.")
        % {"status": entry.get_status_display()},
        forbidden=True,
    )


def may_attach_to_entry(*, entry: Entry, user: User) -> bool:
    try:
        entry_attach_step(entry=entry, user=user)
    except AttachRefused:
        return False
    return True


def _covers_visit(visit: Visit, user: User) -> bool:
    scope = user.scope_org if user.role == Role.BRANCH_SECRETARY else None
    return scope is not None and visit.org.path.startswith(scope.path)


def may_attach_to_visit(*, visit: Visit, user: User) -> bool:
    """Return whether `user` may attach files to `visit` (no query: the visit is loaded with
    its org)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.pk == visit.recorded_by_id or can_maintain_master_data(user):
        return True
    return _covers_visit(visit, user)


def visit_attach_check(*, visit: Visit, user: User) -> None:
    if not may_attach_to_visit(visit=visit, user=user):
        raise AttachRefused(
            _(
                "Only whoever logged the visit, the branch secretary or the party-building "
                "department may attach files to it."
            ),
            forbidden=True,
        )


def may_withdraw(*, attachment: Attachment, user: User) -> bool:
    """Return whether `user` may withdraw `attachment` (loaded with its entry or visit and
    their org)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.pk == attachment.uploaded_by_id or can_maintain_master_data(user):
        return True
    entry, visit = attachment.entry, attachment.visit
    if entry is not None:
        return user.pk == entry.owner_id or covers_as_secretary(entry=entry, user=user)
    if visit is not None:
        return user.pk == visit.recorded_by_id or _covers_visit(visit, user)
    return False


def withdraw_check(*, attachment: Attachment, user: User) -> None:
    if attachment.is_withdrawn:
        raise AttachRefused(_("This file was withdrawn already."), forbidden=False)
    if not may_withdraw(attachment=attachment, user=user):
        raise AttachRefused(
            _(
                "Only whoever attached the file, the owner of the entry (or whoever logged the "
                "visit), the branch secretary or the party-building department may withdraw it."
            ),
            forbidden=True,
        )
