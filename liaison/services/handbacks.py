"""Whom an action on an entry tells (R6 and the hand-backs): the department on a referral, the
owner when the work comes back to them, both owners on a transfer.

Each is called inside the action's transaction and tells each person once: a notification is
unique per recipient, entry, kind and occasion (notifications_create), and the occasion names
the time of its kind — the entry's round (reopen_count) for what happens once per round, the
entry's version after the write for a transfer (each transfer is news of its own). The actor is
never told of their own action.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from liaison.constants import (
    COMPANY_WIDE_ROLES,
    REFERRAL_RETURN_LIMIT,
    SECRETARY_DECIDES_LEVELS,
    Decision,
    NotificationKind,
    RequestKind,
    ReturnReason,
    Role,
    SuspendReason,
)
from liaison.models import Entry, OrgNode, User
from liaison.services.notifications import NewNotification, notifications_create


def entry_label(entry: Entry) -> str:
    """How a message names an entry: its number and title."""
    return f"{entry.number} “{entry.title}”"


def _tell(
    entry: Entry, kind: str, occasion: int, message: str, recipients: list[int], actor: User | None
) -> int:
    told = {pk for pk in recipients if actor is None or pk != actor.pk}
    return notifications_create(
        [
            NewNotification(
                recipient_id=pk, entry_id=entry.pk, kind=kind, occasion=occasion, message=message
            )
            for pk in sorted(told)
        ]
    )


def referral_occasion(entry: Entry) -> int:
    """Which referral of the matter this is: one per round, and one more after each return."""
    return entry.reopen_count * (REFERRAL_RETURN_LIMIT + 1) + entry.referral_returns


def department_handlers(department_id: int | None) -> list[int]:
    """The active handlers of a department."""
    return list(
        User.objects.filter(
            role=Role.DEPARTMENT_HANDLER, department_id=department_id, is_active=True
        ).values_list("pk", flat=True)
    )


def party_building_staff() -> list[int]:
    """The active users of the party-building department (and administrators' roles)."""
    return list(
        User.objects.filter(role__in=sorted(COMPANY_WIDE_ROLES), is_active=True).values_list(
            "pk", flat=True
        )
    )


def notify_referred(*, entry: Entry) -> int:
    """Tell the active handlers of the entry's department that it was referred to them, to
    sign for it (R17); each referral of the matter once."""
    message = _("%(entry)s was referred to your department: please sign for it.") % {
        "entry": entry_label(entry)
    }
    handlers = department_handlers(entry.department_id)
    return _tell(
        entry, NotificationKind.REFERRED, referral_occasion(entry), message, handlers, None
    )


def notify_cohandling(*, entry: Entry, actor: User, department) -> int:
    """Tell the handlers of a department asked to co-handle (R18) what to do."""
    message = _(
        "%(entry)s: %(lead)s asks your department to co-handle it; add your part to its "
        "timeline as a progress note."
    ) % {
        "entry": entry_label(entry),
        "lead": entry.department.name if entry.department else _("The lead department"),
    }
    handlers = department_handlers(department.pk)
    return _tell(entry, NotificationKind.COHANDLING, department.pk, message, handlers, actor)


def request_approvers(entry: Entry) -> list[int]:
    """Who decides a request on `entry` (R19): the secretaries of its branch for party-member
    and branch-level entries (not the owner), else the party-building department."""
    if entry.level in SECRETARY_DECIDES_LEVELS:
        path = entry.org.path
        covering = [path[:end] for end in range(OrgNode.steplen, len(path) + 1, OrgNode.steplen)]
        secretaries = list(
            User.objects.filter(
                role=Role.BRANCH_SECRETARY, is_active=True, scope_org__path__in=covering
            )
            .exclude(pk=entry.owner_id)
            .values_list("pk", flat=True)
        )
        if secretaries:
            return secretaries
    return [pk for pk in party_building_staff() if pk != entry.owner_id]


def notify_request(*, entry: Entry, actor: User) -> int:
    """Tell the approvers that the owner asks for an extension (R19) or a suspension (R20)."""
    if entry.request_kind == RequestKind.SUSPENSION:
        text = _(
            "%(entry)s: %(owner)s asks to suspend it (%(code)s) until a review on %(date)s. "
            "Reason: %(reason)s"
        )
        kind = NotificationKind.SUSPENSION_REQUESTED
    else:
        text = _(
            "%(entry)s: %(owner)s asks to extend the due date from %(due)s to %(date)s. "
            "Reason: %(reason)s"
        )
        kind = NotificationKind.EXTENSION_REQUESTED
    message = text % {
        "code": SuspendReason(entry.request_code).label if entry.request_code else "",
        "entry": entry_label(entry),
        "owner": actor.get_full_name() or actor.username,
        "due": entry.due_on.isoformat() if entry.due_on else "—",
        "date": entry.request_date.isoformat() if entry.request_date else "—",
        "reason": entry.request_reason,
    }
    return _tell(entry, kind, entry.version, message, request_approvers(entry), actor)


def notify_decided(*, entry: Entry, actor: User, request: str, decision: str, note: str) -> int:
    """Tell the owner how the extension (R19) or suspension (R20) request was decided."""
    due = entry.due_on.isoformat() if entry.due_on else "—"
    label = entry_label(entry)
    if request == RequestKind.SUSPENSION:
        kind = NotificationKind.SUSPENSION_DECIDED
        if decision == Decision.APPROVE:
            review = entry.suspend_review_on.isoformat() if entry.suspend_review_on else "—"
            message = _(
                "%(entry)s: the suspension is approved; it is not overdue while suspended. "
                "Review on %(date)s."
            ) % {"entry": label, "date": review}
        else:
            message = _(
                "%(entry)s: the suspension is rejected (%(note)s); the due date stays %(due)s."
            ) % {"entry": label, "note": note, "due": due}
    else:
        kind = NotificationKind.EXTENSION_DECIDED
        if decision == Decision.APPROVE:
            message = _("%(entry)s: the extension is approved; the new due date is %(due)s.") % {
                "entry": label,
                "due": due,
            }
        else:
            message = _(
                "%(entry)s: the extension is rejected (%(note)s); the due date stays %(due)s."
            ) % {"entry": label, "note": note, "due": due}
    return _tell(entry, kind, entry.version, message, [entry.owner_id], actor)


def notify_returned(*, entry: Entry, actor: User, department_name: str, reason: str) -> int:
    """Tell the owner that the department returned the referral, with its reason; once it has
    been returned REFERRAL_RETURN_LIMIT times, tell the party-building department to decide."""
    if entry.referral_returns >= REFERRAL_RETURN_LIMIT:
        text = _(
            "%(department)s returned %(entry)s (%(reason)s): the party-building department now "
            "decides which department takes it; you may still handle it yourself."
        )
    else:
        text = _(
            "%(department)s returned %(entry)s (%(reason)s): refer it to another department or "
            "handle it yourself."
        )
    message = text % {
        "department": department_name,
        "entry": entry_label(entry),
        "reason": ReturnReason(reason).label,
    }
    occasion = referral_occasion(entry)
    told = _tell(
        entry, NotificationKind.REFERRAL_RETURNED, occasion, message, [entry.owner_id], actor
    )
    if entry.referral_returns >= REFERRAL_RETURN_LIMIT:
        decide = _("%(entry)s was returned %(n)d times: decide which department must take it.") % {
            "entry": entry_label(entry),
            "n": entry.referral_returns,
        }
        told += _tell(
            entry,
            NotificationKind.ARBITRATION_NEEDED,
            occasion,
            decide,
            party_building_staff(),
            actor,
        )
    return told


def notify_result_recorded(*, entry: Entry, actor: User) -> int:
    """Tell the owner that the department recorded its result: the reply is theirs to give."""
    message = _(
        "%(department)s recorded the result of %(entry)s: please reply to the informant by %(due)s."
    ) % {
        "department": entry.department.name if entry.department else _("The department"),
        "entry": entry_label(entry),
        "due": entry.due_on.isoformat() if entry.due_on else "—",
    }
    kind = NotificationKind.RESULT_RECORDED
    return _tell(entry, kind, entry.reopen_count, message, [entry.owner_id], actor)


def notify_reopened(*, entry: Entry, actor: User | None) -> int:
    """Tell the owner that an unsatisfied rating reopened the entry with a fresh deadline."""
    message = _(
        "%(entry)s was rated unsatisfied and is reopened: handle it again and reply by %(due)s."
    ) % {"entry": entry_label(entry), "due": entry.due_on.isoformat() if entry.due_on else "—"}
    kind = NotificationKind.REOPENED
    return _tell(entry, kind, entry.reopen_count, message, [entry.owner_id], actor)


def notify_transferred(*, entry: Entry, actor: User, previous_owner_id: int) -> int:
    """Tell the new owner that the entry is now theirs, and the previous one that it is not."""
    new_owner = entry.owner
    to_new = _("%(entry)s was transferred to you: you are now responsible for it.") % {
        "entry": entry_label(entry)
    }
    to_previous = _("%(entry)s was transferred to %(owner)s.") % {
        "entry": entry_label(entry),
        "owner": new_owner.get_full_name() or new_owner.username,
    }
    kind, occasion = NotificationKind.TRANSFERRED, entry.version
    return _tell(entry, kind, occasion, to_new, [new_owner.pk], actor) + _tell(
        entry, kind, occasion, to_previous, [previous_owner_id], actor
    )
