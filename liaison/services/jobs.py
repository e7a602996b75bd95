"""The periodic jobs (R4, R6): overdue sweep, due-soon warnings, closing unrated entries.

Each job is set-based (a fixed number of queries however many entries it touches) and
idempotent: a Notification exists at most once per recipient, entry, kind and occasion (a
unique constraint; bulk_create ignores conflicts), so running a job twice, or two at once,
changes nothing more and tells nobody twice. The occasion of a deadline's notification counts
the entry's deadlines (liaison.deadlines.deadline_occasion_expr): a reopened entry (R4), an
approved extension (R19) or a suspension (R20) gives a fresh deadline, and missing that one is
news again. Rows a job changes are locked with SKIP LOCKED, so a job never waits for someone who is
changing an entry (that entry waits for the next run), and the version it bumps turns an edit
made on a stale page into a conflict, not an overwrite. Each job returns what it changed, for
the command and the logs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.db.models import DateField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.bulk import bulk_insert, id_batches
from liaison.constants import (
    NOT_RATED_CLOSE_WORKING_DAYS,
    SECRETARY_DECIDES_LEVELS,
    ClosedReason,
    EntryStatus,
    EventKind,
    NotificationKind,
    OrgKind,
    Role,
)
from liaison.deadlines import (
    LadderStep,
    deadline_occasion_expr,
    due_soon_q,
    ladder_occasion_expr,
    ladder_step_q,
    no_longer_overdue_q,
    overdue_q,
    referral_sign_working_days,
    suspension_review_q,
    unsigned_late_q,
)
from liaison.models import Entry, EntryEvent, Notification, OrgNode, User
from liaison.selectors.escalation import escalation_ladder
from liaison.services.entries import entries_write
from liaison.services.handbacks import party_building_staff, referral_occasion
from liaison.services.notifications import NewNotification, notifications_create
from liaison.workdays import WorkCalendar

EMAIL_BATCH = 500


def _calendar(today: dt.date) -> WorkCalendar:
    return WorkCalendar.load(today.year - 1, today.year + 1)


def _update_ids(queryset: QuerySet[Entry], ids: list[int], **values) -> int:
    """Write `values` to the rows of `queryset` with these ids, bumping their version (the
    caller holds their locks)."""
    return sum(entries_write(queryset.filter(pk__in=batch), **values) for batch in id_batches(ids))


def _told(kind: str, *, recipient: str | None = "owner_id", occasion: bool = True) -> Exists:
    """Whether the entry's `kind` notification (to its owner; for its present deadline: the
    queryset is annotated with `deadline_occasion`) exists: for annotate() or filter() on
    Entry."""
    lookups = {"entry_id": OuterRef("pk"), "kind": kind}
    if recipient:
        lookups["recipient_id"] = OuterRef(recipient)
    if occasion:
        lookups["occasion"] = OuterRef("deadline_occasion")
    return Exists(Notification.objects.filter(**lookups))


def _label(number: str, title: str) -> str:
    return f"{number} “{title}”"


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _due_date(due_on: dt.date | None) -> dt.date:
    """Return the due date of an entry a job selected by a condition on it (so it has one)."""
    if due_on is None:
        raise ValueError("An entry selected by its due date has none.")
    return due_on


@transaction.atomic
def overdue_sweep(*, today: dt.date | None = None) -> dict:
    """Flag the entries awaiting a reply past their due date (R6), clear the flag where it no
    longer holds (the entry is no longer awaiting a reply, or a calendar change moved its due
    date), each with an event on the entry's timeline; tell each owner once per deadline and,
    then whom each step of the escalation ladder names (R22; by default after
    OVERDUE_ESCALATE_WORKING_DAYS working days the branch secretaries above the entry and the
    party-building department), once per deadline and step. A referral not signed for within
    REFERRAL_SIGN_WORKING_DAYS (R17) is reported to its department's handlers and the
    party-building department, once per referral."""
    today = today or timezone.localdate()
    now = timezone.now()
    cleared = _clear_overdue(today, now)
    flagged, notifications = _flag_overdue(today, now)
    calendar = _calendar(today)
    escalated = _escalate(today, calendar)
    unsigned = _unsigned_referrals(today, calendar)
    reviews = _suspension_reviews(today)
    return {
        "flagged": flagged,
        "cleared": cleared,
        "notifications": notifications + escalated + unsigned + reviews,
    }


def _suspension_reviews(today: dt.date) -> int:
    """Remind the approvers of each suspended entry whose review date has come (R20), once per
    suspension: the secretaries of its branch for party-member and branch-level entries (not
    its owner), else the party-building department. Three queries however many, one if none."""
    entries = list(
        Entry.objects.filter(suspension_review_q(today))
        .order_by("pk")
        .values_list("pk", "number", "title", "org__path", "level", "owner_id", "suspensions",
                     "suspend_review_on")
    )  # fmt: skip
    if not entries:
        return 0
    people = _People()
    staff = party_building_staff()
    template = _("%(entry)s has been suspended until its review on %(day)s: resume it or keep it.")
    rows: list[NewNotification] = []
    for pk, number, title, path, level, owner_id, suspensions, review_on in entries:
        found: set[int] = set()
        if level in SECRETARY_DECIDES_LEVELS:
            found = people.along(path, frozenset({"secretary"})) - {owner_id}
        found = found or {u for u in staff if u != owner_id}
        message = template % {"entry": _label(number, title), "day": _iso(review_on)}
        rows.extend(
            NewNotification(
                recipient_id=user_pk,
                entry_id=pk,
                kind=NotificationKind.SUSPENSION_REVIEW,
                occasion=suspensions,
                message=message,
            )
            for user_pk in sorted(set(found))
        )
    return notifications_create(rows)


def _unsigned_referrals(today: dt.date, calendar: WorkCalendar) -> int:
    """Tell the department's handlers and the party-building department of each referral
    not signed for in time (R17): four queries however many there are, one if none."""
    entries = list(
        Entry.objects.filter(unsigned_late_q(today=today, calendar=calendar))
        .select_related("department")
        .only("pk", "number", "title", "department__name", "reopen_count", "referral_returns")
        .order_by("pk")
    )
    if not entries:
        return 0
    handlers = _department_handlers({entry.department_id for entry in entries})
    staff = party_building_staff()
    template = _(
        "%(entry)s, referred to %(department)s, was not signed for within %(days)s working days."
    )
    rows: list[NewNotification] = []
    for entry in entries:
        message = template % {
            "entry": _label(entry.number, entry.title),
            "department": entry.department.name if entry.department else "—",
            "days": referral_sign_working_days(),
        }
        rows.extend(
            NewNotification(
                recipient_id=user_pk,
                entry_id=entry.pk,
                kind=NotificationKind.REFERRAL_UNSIGNED,
                occasion=referral_occasion(entry),
                message=message,
            )
            for user_pk in sorted({*handlers.get(entry.department_id or 0, []), *staff})
        )
    return notifications_create(rows)


def _clear_overdue(today: dt.date, now: dt.datetime) -> int:
    rows = list(
        Entry.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(no_longer_overdue_q(today), is_overdue=True)
        .order_by("pk")
        .values_list("pk", "overdue_since")
    )
    if not rows:
        return 0
    cleared = _update_ids(
        Entry.objects.filter(is_overdue=True),
        [pk for pk, _since in rows],
        is_overdue=False,
        overdue_since=None,
        now=now,
    )
    cleared_events = [
        (
            pk,
            EventKind.OVERDUE_CLEARED,
            {"is_overdue": True, "overdue_since": _iso(since)},
            {"is_overdue": False, "overdue_since": None},
        )
        for pk, since in rows
    ]
    _events_insert(cleared_events, now)
    return cleared


def _events_insert(rows: Iterable[tuple[int, str, dict, dict]], now: dt.datetime) -> None:
    """Add a job's events (entry, kind, before, after; no actor, no note) in one COPY: tens of
    thousands of rows when a holiday or a calendar change makes many entries overdue at once."""
    fields = ["entry", "kind", "actor", "at", "note", "before", "after"]
    bulk_insert(
        EntryEvent,
        fields,
        [(pk, kind, None, now, "", before, after) for pk, kind, before, after in rows],
    )


def _flag_overdue(today: dt.date, now: dt.datetime) -> tuple[int, int]:
    candidates = list(
        Entry.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(overdue_q(today), is_overdue=False)
        .annotate(deadline_occasion=deadline_occasion_expr())
        .annotate(told=_told(NotificationKind.OVERDUE))
        .order_by("pk")
        .values_list(
            "pk",
            "due_on",
            "overdue_since",
            "owner_id",
            "number",
            "title",
            "deadline_occasion",
            "told",
        )
    )
    if not candidates:
        return 0, 0
    flagged = _update_ids(
        Entry.objects.filter(is_overdue=False),
        [row[0] for row in candidates],
        is_overdue=True,
        overdue_since=ExpressionWrapper(
            F("due_on") + dt.timedelta(days=1), output_field=DateField()
        ),
        now=now,
    )
    events, notifications = [], []
    message = _("%(entry)s is overdue: it was due on %(due)s.")
    for pk, due_on, since, owner_id, number, title, occasion, told in candidates:
        due_on = _due_date(due_on)  # overdue_q selects by it
        events.append(
            (
                pk,
                EventKind.OVERDUE,
                {"is_overdue": False, "overdue_since": _iso(since)},
                {"is_overdue": True, "overdue_since": _iso(due_on + dt.timedelta(days=1))},
            )
        )
        if not told:
            notifications.append(
                NewNotification(
                    recipient_id=owner_id,
                    entry_id=pk,
                    kind=NotificationKind.OVERDUE,
                    occasion=occasion,
                    message=message % {"entry": _label(number, title), "due": due_on.isoformat()},
                )
            )
    _events_insert(events, now)
    return flagged, notifications_create(notifications, checked=True)


def _ladder_steps() -> list[LadderStep]:
    """The active steps the party-building department stored, in order; else the default."""
    return escalation_ladder().steps


def _department_handlers(department_ids: set) -> dict[int, list[int]]:
    """The active handlers of each of these departments (one query)."""
    handlers: dict[int, list[int]] = {}
    for user_pk, department_id in User.objects.filter(
        is_active=True, role=Role.DEPARTMENT_HANDLER, department_id__in=department_ids
    ).values_list("pk", "department_id"):
        handlers.setdefault(department_id, []).append(user_pk)
    return handlers


class _People:
    """Whom the ladder may tell, by the path of their scope: one query for all of them."""

    def __init__(self) -> None:
        self.secretaries: dict[str, list[tuple[int, str]]] = {}
        self.committee: dict[str, list[int]] = {}
        self.party_building: set[int] = set()
        roles = [Role.BRANCH_SECRETARY, Role.COMMITTEE_STAFF, Role.PARTY_BUILDING]
        for user_pk, role, scope_path, scope_kind in (
            User.objects.filter(is_active=True, role__in=roles)
            .filter(Q(scope_org__isnull=False) | Q(role=Role.PARTY_BUILDING))
            .values_list("pk", "role", "scope_org__path", "scope_org__kind")
        ):
            if role == Role.PARTY_BUILDING:
                self.party_building.add(user_pk)
            elif role == Role.COMMITTEE_STAFF:
                self.committee.setdefault(scope_path, []).append(user_pk)
            else:
                self.secretaries.setdefault(scope_path, []).append((user_pk, scope_kind))

    def along(self, org_path: str, wanted: frozenset[str]) -> set[int]:
        """The secretaries of the entry's org or of a branch above it, the committee staff of a
        committee above it, the party-building department: those of them `wanted` names."""
        found: set[int] = set(self.party_building) if "party_building" in wanted else set()
        for end in range(OrgNode.steplen, len(org_path) + 1, OrgNode.steplen):
            prefix = org_path[:end]
            if "secretary" in wanted:
                for user_pk, scope_kind in self.secretaries.get(prefix, ()):
                    if prefix == org_path or scope_kind == OrgKind.BRANCH:
                        found.add(user_pk)
            if "committee" in wanted:
                found.update(self.committee.get(prefix, ()))
        return found


def _escalate(today: dt.date, calendar: WorkCalendar) -> int:
    """Climb the escalation ladder (R22): for each step, tell whom it names of each entry it
    applies to, once per deadline and step. The people are read once (matched along the
    entry's path in the org tree, not by a scan per entry); a step costs one query, and one
    more for the handlers of the departments it tells."""
    steps = _ladder_steps()
    people: _People | None = None
    rows: list[NewNotification] = []
    after = _("%(entry)s is still unanswered %(days)s working days after its due date %(due)s.")
    ahead = _("%(entry)s is due on %(due)s, in %(days)s working days or fewer.")
    for step in steps:
        kind = (
            NotificationKind.OVERDUE_ESCALATED
            if step.after_due
            else NotificationKind.ESCALATION_AHEAD
        )
        told = Notification.objects.filter(
            entry_id=OuterRef("pk"), kind=kind, occasion=OuterRef("step_occasion")
        )
        entries = list(
            Entry.objects.filter(ladder_step_q(step=step, today=today, calendar=calendar))
            .annotate(step_occasion=ladder_occasion_expr(step.slot))
            .filter(~Exists(told))
            .order_by("pk")
            .values_list(
                "pk", "due_on", "number", "title", "org__path", "owner_id", "department_id",
                "step_occasion",
            )
        )  # fmt: skip
        if not entries:
            continue
        people = people or _People()
        handlers: dict[int, list[int]] = {}
        if "department" in step.recipients:
            handlers = _department_handlers({row[6] for row in entries if row[6]})
        template = after if step.after_due else ahead
        for pk, due_on, number, title, org_path, owner_id, department_id, occasion in entries:
            recipients = people.along(org_path, step.recipients)
            if "owner" in step.recipients:
                recipients.add(owner_id)
            recipients.update(handlers.get(department_id or 0, ()))
            message = template % {
                "entry": _label(number, title),
                "days": abs(step.working_days),
                "due": _due_date(due_on).isoformat(),  # the step selects by it
            }
            rows.extend(
                NewNotification(
                    recipient_id=user_pk, entry_id=pk, kind=kind, occasion=occasion,
                    message=message,
                )
                for user_pk in sorted(recipients)
            )  # fmt: skip
    return notifications_create(rows, checked=True)


@transaction.atomic
def due_soon_warnings(*, today: dt.date | None = None) -> dict:
    """Warn each owner once per deadline as an entry's due date nears (R6): a red entry 1
    working day before, orange 3, yellow 5. Nothing on a day off."""
    today = today or timezone.localdate()
    calendar = _calendar(today)
    if not calendar.is_working_day(today):
        return {"skipped": True, "notifications": 0}
    entries = (
        Entry.objects.filter(due_soon_q(today=today, calendar=calendar))
        .annotate(deadline_occasion=deadline_occasion_expr())
        .filter(~_told(NotificationKind.DUE_SOON))
        .order_by()
        .values_list("pk", "owner_id", "number", "title", "due_on", "deadline_occasion")
    )
    message = _("%(entry)s is due on %(due)s.")
    notifications = notifications_create(
        [
            NewNotification(
                recipient_id=owner_id,
                entry_id=pk,
                kind=NotificationKind.DUE_SOON,
                occasion=occasion,
                message=message
                % {"entry": _label(number, title), "due": _due_date(due_on).isoformat()},
            )
            for pk, owner_id, number, title, due_on, occasion in entries
        ],
        checked=True,
    )
    return {"skipped": False, "notifications": notifications}


@transaction.atomic
def close_unrated(*, today: dt.date | None = None) -> dict:
    """Close as not rated the replied entries whose reply is more than
    NOT_RATED_CLOSE_WORKING_DAYS working days old (R4): the change, and the CLOSED event with
    its before and after, that the workflow's entry_close writes for one entry, here for all
    at once. An entry someone is changing (rating it, say) is locked and left for the next
    run; once rated it is no longer a replied entry, so it is never closed twice."""
    today = today or timezone.localdate()
    last_day = _calendar(today).working_days_back(today, NOT_RATED_CLOSE_WORKING_DAYS + 1)
    cutoff = timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min))
    rows = list(
        Entry.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=EntryStatus.REPLIED, replied_at__lt=cutoff)
        .annotate(told=_told(NotificationKind.CLOSED_NOT_RATED, occasion=False))
        .order_by("pk")
        .values_list("pk", "owner_id", "number", "title", "closed_at", "closed_reason", "told")
    )
    if not rows:
        return {"closed": 0, "notifications": 0}
    now = timezone.now()
    note = (
        _("No rating within %(days)s working days of the reply.")
        % {"days": NOT_RATED_CLOSE_WORKING_DAYS}
    ).strip()
    closed = _update_ids(
        Entry.objects.filter(status=EntryStatus.REPLIED),
        [row[0] for row in rows],
        status=EntryStatus.CLOSED,
        closed_at=now,
        closed_reason=ClosedReason.NOT_RATED,
        now=now,
    )
    events, notifications = [], []
    message = _("%(entry)s was closed as not rated.")
    for pk, owner_id, number, title, closed_at, closed_reason, told in rows:
        # As workflow.actions._apply logs it: the changed fields only, datetimes as ISO text.
        before_after = {
            "status": (EntryStatus.REPLIED.value, EntryStatus.CLOSED.value),
            "closed_at": (_iso(closed_at), now.isoformat()),
            "closed_reason": (closed_reason, ClosedReason.NOT_RATED.value),
        }
        changed = {name: pair for name, pair in before_after.items() if pair[0] != pair[1]}
        events.append(
            EntryEvent(
                entry_id=pk,
                kind=EventKind.CLOSED,
                actor=None,
                note=note,
                before={name: old for name, (old, _new) in changed.items()},
                after={name: new for name, (_old, new) in changed.items()},
            )
        )
        if not told:
            notifications.append(
                NewNotification(
                    recipient_id=owner_id,
                    entry_id=pk,
                    kind=NotificationKind.CLOSED_NOT_RATED,
                    message=message % {"entry": _label(number, title)},
                )
            )
    EntryEvent.objects.bulk_create(events)
    return {"closed": closed, "notifications": notifications_create(notifications, checked=True)}


def _email_text(notification: Notification) -> str:
    """The notification's message and, when it is about an entry, the link that opens it."""
    if notification.entry is None:
        return notification.message
    url = settings.LEDGER_SITE_URL + notification.entry.get_absolute_url()
    return f"{notification.message}\n\n{_('Open the entry:')} {url}"


def _to_email(*, digest: bool, claim: bool = True) -> QuerySet[Notification]:
    """The notifications not yet emailed to users with an address who want email, one by one
    or as a digest; with `claim`, locked with SKIP LOCKED (call inside a transaction)."""
    queryset = Notification.objects.all()
    if claim:
        queryset = queryset.select_for_update(skip_locked=True, of=("self",))
    return (
        queryset.filter(emailed_at__isnull=True, recipient__email_notifications=True)
        .filter(recipient__email_digest=digest)
        .exclude(recipient__email="")
        .select_related("recipient", "entry")
    )


def notification_emails_send() -> int:
    """Email the notifications not yet emailed to users who have an address and want email;
    return how many went out.

    Each email is claimed (SKIP LOCKED, so two workers share the work), sent and marked as
    emailed in a transaction of its own: when the mail server fails in the middle of a run, the
    ones already sent stay marked and the next run sends only the rest (at most the one being
    sent when the process died could go twice). One SMTP session serves the whole run."""
    sent, last = 0, 0
    with get_connection() as connection:
        while True:
            pks = list(
                _to_email(digest=False, claim=False)
                .filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:EMAIL_BATCH]
            )
            if not pks:
                return sent
            last = pks[-1]
            for pk in pks:
                with transaction.atomic():
                    notification = _to_email(digest=False).filter(pk=pk).first()
                    if notification is None:  # another worker has it, or it went meanwhile
                        continue
                    send_mail(
                        subject=str(notification.get_kind_display()),
                        message=_email_text(notification),
                        from_email=None,
                        recipient_list=[notification.recipient.email],
                        connection=connection,
                    )
                    Notification.objects.filter(pk=pk).update(emailed_at=timezone.now())
                sent += 1


def notification_digests_send() -> int:
    """Email each user who chose the daily digest one email with every notification not yet
    emailed (at most EMAIL_BATCH; the rest the next day), each with its entry's link; mark them
    emailed. Return how many emails went out.

    Idempotent: each user's notifications are claimed (SKIP LOCKED) and marked in the
    transaction that sends their digest, one user at a time, so a second run, two at once, or a
    run after a mail server failed halfway, sends nothing twice."""
    sent, last = 0, 0
    with get_connection() as connection:
        while True:
            recipients = list(
                _to_email(digest=True, claim=False)
                .filter(recipient_id__gt=last)
                .order_by("recipient_id")
                .values_list("recipient_id", flat=True)
                .distinct()[:EMAIL_BATCH]
            )
            if not recipients:
                return sent
            last = recipients[-1]
            for recipient_id in recipients:
                with transaction.atomic():
                    notes = list(
                        _to_email(digest=True)
                        .filter(recipient_id=recipient_id)
                        .order_by("pk")[:EMAIL_BATCH]
                    )
                    if not notes:
                        continue
                    send_mail(
                        subject=ngettext(
                            "Liaison ledger: %(n)s new notification",
                            "Liaison ledger: %(n)s new notifications",
                            len(notes),
                        )
                        % {"n": len(notes)},
                        message="\n\n".join(_email_text(note) for note in notes),
                        from_email=None,
                        recipient_list=[notes[0].recipient.email],
                        connection=connection,
                    )
                    Notification.objects.filter(pk__in=[n.pk for n in notes]).update(
                        emailed_at=timezone.now()
                    )
                sent += 1
