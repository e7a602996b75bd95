"""The periodic jobs (R4, R6): overdue sweep, due-soon warnings, closing unrated entries.

Each job is set-based (a fixed number of queries however many entries it touches) and
idempotent: a Notification exists at most once per recipient, entry and kind (a unique
constraint; bulk_create ignores conflicts), so running a job twice, or two at once, changes
nothing more and tells nobody twice. Each returns what it changed, for the command and the logs.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import DateField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.constants import (
    AWAITING_REPLY_STATUSES,
    NOT_RATED_CLOSE_WORKING_DAYS,
    OVERDUE_ESCALATE_WORKING_DAYS,
    WARNING_WORKING_DAYS,
    ClosedReason,
    EntryStatus,
    EventKind,
    NotificationKind,
    OrgKind,
    Role,
)
from liaison.models import Entry, EntryEvent, Notification, User
from liaison.workdays import WorkCalendar

logger = logging.getLogger(__name__)

AWAITING = sorted(AWAITING_REPLY_STATUSES)
EMAIL_BATCH = 500


def escalate_working_days() -> int:
    return getattr(settings, "OVERDUE_ESCALATE_WORKING_DAYS", OVERDUE_ESCALATE_WORKING_DAYS)


def _calendar(today: dt.date) -> WorkCalendar:
    return WorkCalendar.load(today.year - 1, today.year + 1)


def working_days_back(calendar: WorkCalendar, today: dt.date, n: int) -> dt.date:
    """The latest day d with exactly n working days in (d, today]: a day on or before d lies
    at least n working days before today."""
    day, counted = today, 0
    while counted < n:
        if calendar.is_working_day(day):
            counted += 1
        day -= dt.timedelta(days=1)
    return day


def _notify(rows: list[Notification]) -> int:
    """Create the notifications not yet there (one query to look, one to insert); return how
    many were new. A concurrent run inserting the same ones meanwhile is absorbed by the
    unique constraint."""
    if not rows:
        return 0
    existing = set(
        Notification.objects.filter(
            entry_id__in={row.entry_id for row in rows}, kind__in={row.kind for row in rows}
        ).values_list("recipient_id", "entry_id", "kind")
    )
    new, seen = [], set()
    for row in rows:
        key = (row.recipient_id, row.entry_id, row.kind)
        if key not in existing and key not in seen:
            seen.add(key)
            new.append(row)
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        transaction.on_commit(_enqueue_emails)
    return len(new)


def _enqueue_emails() -> None:
    from liaison.tasks import notifications_email  # the task module imports this one

    try:
        notifications_email.delay()
    except Exception:
        logger.warning("Broker unavailable; notification emails wait for the next run")


def _label(number: str, title: str) -> str:
    return f"{number} “{title}”"


def notify_referred(*, entry: Entry) -> int:
    """Tell the active handlers of the entry's department that it was referred to them (call
    inside the referral's transaction); once per handler and entry."""
    handlers = User.objects.filter(
        role=Role.DEPARTMENT_HANDLER, department_id=entry.department_id, is_active=True
    ).values_list("pk", flat=True)
    message = _("%(entry)s was referred to your department.") % {
        "entry": _label(entry.number, entry.title)
    }
    return _notify(
        [
            Notification(
                recipient_id=pk, entry_id=entry.pk, kind=NotificationKind.REFERRED, message=message
            )
            for pk in handlers
        ]
    )


@transaction.atomic
def overdue_sweep(*, today: dt.date | None = None) -> dict:
    """Flag the entries awaiting a reply past their due date (R6), clear the flag where it no
    longer holds, tell each owner once and, after OVERDUE_ESCALATE_WORKING_DAYS working days,
    the branch secretaries above the entry and the party-building department once each."""
    today = today or timezone.localdate()
    now = timezone.now()
    stale = Q(due_on__isnull=True) | Q(due_on__gte=today) | ~Q(status__in=AWAITING)
    cleared = Entry.objects.filter(stale, is_overdue=True).update(
        is_overdue=False, overdue_since=None, version=F("version") + 1, updated_at=now
    )

    candidates = list(
        Entry.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status__in=AWAITING, due_on__lt=today, is_overdue=False)
        .values_list("pk", "due_on", "owner_id", "number", "title")
    )
    ids = [row[0] for row in candidates]
    flagged = 0
    if ids:
        flagged = Entry.objects.filter(pk__in=ids, is_overdue=False).update(
            is_overdue=True,
            overdue_since=ExpressionWrapper(
                F("due_on") + dt.timedelta(days=1), output_field=DateField()
            ),
            version=F("version") + 1,
            updated_at=now,
        )
        EntryEvent.objects.bulk_create(
            EntryEvent(
                entry_id=pk,
                kind=EventKind.OVERDUE,
                actor=None,
                before={"is_overdue": False, "overdue_since": None},
                after={
                    "is_overdue": True,
                    "overdue_since": (due_on + dt.timedelta(days=1)).isoformat(),
                },
            )
            for pk, due_on, _owner, _number, _title in candidates
        )
    notifications = _notify(
        [
            Notification(
                recipient_id=owner_id,
                entry_id=pk,
                kind=NotificationKind.OVERDUE,
                message=_("%(entry)s is overdue: it was due on %(due)s.")
                % {"entry": _label(number, title), "due": due_on.isoformat()},
            )
            for pk, due_on, owner_id, number, title in candidates
        ]
    )
    escalated = _escalate(today)
    return {
        "flagged": flagged,
        "cleared": cleared,
        "notifications": notifications + escalated,
    }


def _escalate(today: dt.date) -> int:
    cutoff = working_days_back(_calendar(today), today, escalate_working_days())
    already = Notification.objects.filter(
        entry_id=OuterRef("pk"), kind=NotificationKind.OVERDUE_ESCALATED
    )
    entries = list(
        Entry.objects.filter(status__in=AWAITING, is_overdue=True, due_on__lte=cutoff)
        .filter(~Exists(already))
        .values_list("pk", "due_on", "number", "title", "org_id", "org__path")
    )
    if not entries:
        return 0
    active = User.objects.filter(is_active=True)
    secretaries = list(
        active.filter(role=Role.BRANCH_SECRETARY, scope_org__isnull=False).values_list(
            "pk", "scope_org_id", "scope_org__path", "scope_org__kind"
        )
    )
    party_building = list(active.filter(role=Role.PARTY_BUILDING).values_list("pk", flat=True))
    rows = []
    for pk, due_on, number, title, org_id, org_path in entries:
        message = _(
            "%(entry)s is still unanswered %(days)s working days after its due date %(due)s."
        ) % {
            "entry": _label(number, title),
            "days": escalate_working_days(),
            "due": due_on.isoformat(),
        }
        recipients = {
            user_pk
            for user_pk, scope_id, scope_path, scope_kind in secretaries
            if scope_id == org_id
            or (scope_kind == OrgKind.BRANCH and org_path.startswith(scope_path))
        } | set(party_building)
        rows.extend(
            Notification(
                recipient_id=user_pk,
                entry_id=pk,
                kind=NotificationKind.OVERDUE_ESCALATED,
                message=message,
            )
            for user_pk in sorted(recipients)
        )
    return _notify(rows)


@transaction.atomic
def due_soon_warnings(*, today: dt.date | None = None) -> dict:
    """Warn each owner once per entry as its due date nears (R6): a red entry 1 working day
    before, orange 3, yellow 5. Nothing on a day off."""
    today = today or timezone.localdate()
    calendar = _calendar(today)
    if not calendar.is_working_day(today):
        return {"skipped": True, "notifications": 0}
    window = Q(pk__in=[])
    for colour, days in WARNING_WORKING_DAYS.items():
        horizon = calendar.add_working_days(today, days).due_on
        window |= Q(colour=colour, due_on__gte=today, due_on__lte=horizon)
    already = Notification.objects.filter(
        entry_id=OuterRef("pk"), recipient_id=OuterRef("owner_id"), kind=NotificationKind.DUE_SOON
    )
    entries = (
        Entry.objects.filter(window, status__in=AWAITING)
        .filter(~Exists(already))
        .values_list("pk", "owner_id", "number", "title", "due_on")
    )
    notifications = _notify(
        [
            Notification(
                recipient_id=owner_id,
                entry_id=pk,
                kind=NotificationKind.DUE_SOON,
                message=_("%(entry)s is due on %(due)s.")
                % {"entry": _label(number, title), "due": due_on.isoformat()},
            )
            for pk, owner_id, number, title, due_on in entries
        ]
    )
    return {"skipped": False, "notifications": notifications}


def close_unrated(*, today: dt.date | None = None) -> dict:
    """Close as not rated the replied entries whose reply is more than
    NOT_RATED_CLOSE_WORKING_DAYS working days old (R4), through the workflow's close service
    (one CLOSED event each). An entry someone changes meanwhile is left for the next run."""
    from liaison.services.entries import EntryConflict
    from liaison.services.workflow.actions import entry_close
    from liaison.services.workflow.rules import WorkflowError

    today = today or timezone.localdate()
    last_day = working_days_back(_calendar(today), today, NOT_RATED_CLOSE_WORKING_DAYS + 1)
    before = timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min))
    closed, notifications = [], []
    for entry in Entry.objects.filter(status=EntryStatus.REPLIED, replied_at__lt=before).order_by(
        "pk"
    ):
        try:
            entry_close(
                entry=entry,
                actor=None,
                expected_version=entry.version,
                reason=ClosedReason.NOT_RATED,
                note=_("No rating within %(days)s working days of the reply.")
                % {"days": NOT_RATED_CLOSE_WORKING_DAYS},
            )
        except (EntryConflict, WorkflowError):
            continue
        closed.append(entry.pk)
        notifications.append(
            Notification(
                recipient_id=entry.owner_id,
                entry_id=entry.pk,
                kind=NotificationKind.CLOSED_NOT_RATED,
                message=_("%(entry)s was closed as not rated.")
                % {"entry": _label(entry.number, entry.title)},
            )
        )
    with transaction.atomic():
        created = _notify(notifications)
    return {"closed": len(closed), "notifications": created}


def notification_emails_send() -> int:
    """Email the notifications not yet emailed to users who have an address and want email;
    mark each as emailed. Rows are claimed with SKIP LOCKED, so two workers share the work."""
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(emailed_at__isnull=True, recipient__email_notifications=True)
                .exclude(recipient__email="")
                .select_related("recipient", "entry")
                .order_by("pk")[:EMAIL_BATCH]
            )
            if not batch:
                return sent
            done = []
            for notification in batch:
                send_mail(
                    subject=str(notification.get_kind_display()),
                    message=notification.message,
                    from_email=None,
                    recipient_list=[notification.recipient.email],
                )
                done.append(notification.pk)
            Notification.objects.filter(pk__in=done).update(emailed_at=timezone.now())
            sent += len(done)
