"""Supervision notices (督办, R6): the party-building department presses the owner of a late
entry for an answer by a date; the owner answers on the entry page. Both land on the entry's
timeline and in the other side's inbox."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import permissions
from liaison.constants import (
    AWAITING_REPLY_STATUSES,
    SUPERVISION_MAX_WORKING_DAYS,
    SUPERVISION_RESPONSE_WORKING_DAYS,
    SUPERVISION_TEXT_MAX_LENGTH,
    EventKind,
    NotificationKind,
)
from liaison.models import Entry, Supervision, User
from liaison.services.entries import entry_event, entry_lock
from liaison.services.notifications import NewNotification, notifications_create
from liaison.workdays import WorkCalendar


def _calendar(today: dt.date) -> WorkCalendar:
    return WorkCalendar.load(today.year, today.year + 1)


def supervision_default_respond_by(*, today: dt.date | None = None) -> dt.date:
    """The answer date a new notice proposes: SUPERVISION_RESPONSE_WORKING_DAYS working days."""
    today = today or timezone.localdate()
    return _calendar(today).add_working_days(today, SUPERVISION_RESPONSE_WORKING_DAYS).due_on


def supervision_latest_respond_by(*, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return _calendar(today).add_working_days(today, SUPERVISION_MAX_WORKING_DAYS).due_on


def _text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > SUPERVISION_TEXT_MAX_LENGTH:
        raise ValidationError(
            {field: _("At most %(n)s characters.") % {"n": SUPERVISION_TEXT_MAX_LENGTH}}
        )
    return value


def _label(entry: Entry) -> str:
    return f"{entry.number} “{entry.title}”"


@transaction.atomic
def supervision_issue(
    *,
    entry: Entry,
    actor: User,
    instruction: str,
    respond_by: dt.date,
    today: dt.date | None = None,
) -> Supervision:
    """Issue a supervision notice on an entry still awaiting its reply: the owner must answer
    by `respond_by` (a working day within SUPERVISION_MAX_WORKING_DAYS). One open notice per
    entry; the entry row is locked so that two issuers at once get one notice and a message."""
    if not permissions.can_supervise(actor):
        raise PermissionDenied(_("Only the party-building department issues supervision notices."))
    today = today or timezone.localdate()
    entry = entry_lock(entry=entry)
    if entry.status not in AWAITING_REPLY_STATUSES:
        raise ValidationError(
            _("Only an entry still awaiting its reply can be supervised; this one is “%(s)s”.")
            % {"s": entry.get_status_display()}
        )
    if entry.supervisions.filter(responded_at__isnull=True).exists():
        raise ValidationError(
            _("This entry already has a supervision notice waiting for the owner's answer.")
        )
    instruction = _text(instruction, "instruction")
    latest = supervision_latest_respond_by(today=today)
    if not today < respond_by <= latest:
        raise ValidationError(
            {
                "respond_by": _("Choose a date after today and no later than %(latest)s.")
                % {"latest": latest.isoformat()}
            }
        )
    if not _calendar(today).is_working_day(respond_by):
        raise ValidationError({"respond_by": _("Choose a working day.")})
    last_round = entry.supervisions.aggregate(last=Max("round"))["last"] or 0
    supervision = Supervision(
        entry=entry,
        round=last_round + 1,
        issued_by=actor,
        instruction=instruction,
        respond_by=respond_by,
    )
    supervision.full_clean()
    supervision.save()
    entry_event(
        entry=entry,
        kind=EventKind.SUPERVISED,
        actor=actor,
        note=instruction,
        after={"supervision_round": supervision.round, "respond_by": respond_by.isoformat()},
    )
    notifications_create(
        [
            NewNotification(
                recipient_id=entry.owner_id,
                entry_id=entry.pk,
                kind=NotificationKind.SUPERVISED,
                occasion=supervision.round,
                message=_("The party-building department supervises %(entry)s: answer by %(date)s.")
                % {"entry": _label(entry), "date": respond_by.isoformat()},
            )
        ]
    )
    return supervision


@transaction.atomic
def supervision_answer(*, supervision: Supervision, actor: User, response: str) -> Supervision:
    """Record the owner's answer to an open supervision notice (once; the row is locked)."""
    supervision = (
        Supervision.objects.select_for_update(of=("self",))
        .select_related("entry")
        .get(pk=supervision.pk)
    )
    entry = supervision.entry
    if actor.pk != entry.owner_id or not actor.is_active:
        raise PermissionDenied(_("Only the entry's owner answers a supervision notice."))
    if not supervision.is_open:
        raise ValidationError(_("This supervision notice has already been answered."))
    supervision.response = _text(response, "response")
    supervision.responded_by = actor
    supervision.responded_at = timezone.now()
    supervision.full_clean()
    supervision.save(update_fields=["response", "responded_by", "responded_at"])
    on_time = timezone.localdate(supervision.responded_at) <= supervision.respond_by
    entry_event(
        entry=entry,
        kind=EventKind.SUPERVISION_ANSWERED,
        actor=actor,
        note=supervision.response,
        after={"supervision_round": supervision.round, "supervision_on_time": on_time},
    )
    notifications_create(
        [
            NewNotification(
                recipient_id=supervision.issued_by_id,
                entry_id=entry.pk,
                kind=NotificationKind.SUPERVISION_ANSWERED,
                occasion=supervision.round,
                message=_("The owner of %(entry)s answered the supervision notice.")
                % {"entry": _label(entry)},
            )
        ]
    )
    return supervision
