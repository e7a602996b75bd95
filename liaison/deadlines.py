"""Overdue and due soon (R6): the one module that decides both.

Every job, filter, table, export, review sheet, board and page asks here, as a predicate for a
loaded entry or as a query expression for many.

- **Overdue**: the entry still awaits its reply and today is past its due date. The periodic
  sweep stores the flag (`is_overdue`, `overdue_since`) so that jobs, notifications and roll-ups
  find it by index; pages check it live with the same rule, so that a flag the sweep has not
  written or cleared yet never shows.
- **Due soon** (the warning before the due date): awaiting its reply, not overdue, and at most
  WARNING_WORKING_DAYS of its colour left: red 1 working day, orange 3, yellow 5.
- **Escalation ladder** (R22): steps before (negative) or after (positive) the due date, each
  telling some of the owner, the branch secretary, the committee's staff, the party-building
  department and the handling department, once per deadline. The party-building department
  edits the steps (liaison.models.EscalationStep); with none stored, DEFAULT_LADDER: after
  OVERDUE_ESCALATE_WORKING_DAYS working days (a setting), the branch secretaries above the entry
  and the party-building department.
- **Suspension** (R20): a suspended entry is never overdue nor due soon; its due date moves by
  the working days it stood still when it resumes.
- **Sign-for window** (R17): a referral is signed for, or returned, within
  REFERRAL_SIGN_WORKING_DAYS working days (a setting) after the day it was referred; past that
  it is late, and can no longer be returned.

Working days themselves are counted by `liaison.workdays`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.db.models.expressions import CombinedExpression
from django.utils import timezone

from liaison.constants import AWAITING_REPLY_STATUSES, Colour, EntryKind, EntryStatus
from liaison.workdays import WorkCalendar

# The warning before the due date, in working days, by colour (R6).
WARNING_WORKING_DAYS: dict[str, int] = {Colour.RED: 1, Colour.ORANGE: 3, Colour.YELLOW: 5}

# Working days overdue after which the branch secretaries and the party-building department are
# told (R6); settings.OVERDUE_ESCALATE_WORKING_DAYS overrides it.
OVERDUE_ESCALATE_WORKING_DAYS = 3

# Working days after the day of referral within which the department signs for it or returns
# it (R17); settings.REFERRAL_SIGN_WORKING_DAYS overrides it.
REFERRAL_SIGN_WORKING_DAYS = 1

# The statuses of an entry still awaiting its reply, sorted for a stable IN (…) in SQL.
AWAITING = sorted(AWAITING_REPLY_STATUSES)


def awaiting_reply(status: str) -> bool:
    """Return whether an entry in `status` still awaits its reply."""
    return status in AWAITING_REPLY_STATUSES


def awaiting_q() -> Q:
    """The entries still awaiting their reply."""
    return Q(status__in=AWAITING)


def is_overdue(
    *, status: str, due_on: dt.date | None, today: dt.date, suspended: bool = False
) -> bool:
    """Return whether an entry in `status`, due on `due_on`, is overdue on `today` (never while
    suspended, R20)."""
    return awaiting_reply(status) and not suspended and due_on is not None and due_on < today


def running_q() -> Q:
    """The entries whose clock runs: awaiting their reply and not suspended (R20)."""
    return awaiting_q() & Q(suspended_on__isnull=True)


def overdue_q(today: dt.date) -> Q:
    """The entries overdue on `today` (the live rule; the stored flag may lag a sweep)."""
    return running_q() & Q(due_on__lt=today)


def no_longer_overdue_q(today: dt.date) -> Q:
    """The entries that are not overdue on `today`: a stored flag on them is stale."""
    return (
        Q(due_on__isnull=True)
        | Q(due_on__gte=today)
        | ~awaiting_q()
        | Q(suspended_on__isnull=False)
    )


def flagged_overdue_q() -> Q:
    """The entries the sweep has flagged overdue and that still await their reply (the stored
    flag, which roll-ups and escalation read)."""
    return running_q() & Q(is_overdue=True)


def overdue_at_q(*, day: dt.date, waiting: Q) -> Q:
    """The entries that were overdue on `day`, given `waiting`: the condition that an entry was
    still awaiting its reply on that day (from its reply and closing times, not its status)."""
    return ~Q(kind=EntryKind.BASIC) & Q(due_on__lt=day) & waiting


def is_due_soon(*, colour: str, working_days_left: int | None) -> bool:
    """Return whether an entry with `working_days_left` (counted by WorkCalendar; negative or
    None when overdue or without a deadline) is due soon."""
    days = WARNING_WORKING_DAYS.get(colour)
    if days is None or working_days_left is None:
        return False
    return 0 <= working_days_left <= days


def due_soon_q(*, today: dt.date, calendar: WorkCalendar) -> Q:
    """The entries due soon on `today`: one date range per colour, so that an index serves it."""
    window = Q(pk__in=[])
    for colour, days in WARNING_WORKING_DAYS.items():
        horizon = calendar.add_working_days(today, days).due_on
        window |= Q(colour=colour, due_on__gte=today, due_on__lte=horizon)
    return running_q() & window


def escalate_working_days() -> int:
    """Return after how many working days overdue an entry is escalated."""
    return getattr(settings, "OVERDUE_ESCALATE_WORKING_DAYS", OVERDUE_ESCALATE_WORKING_DAYS)


def entry_calendar(entry, today: dt.date) -> WorkCalendar:
    """The working-day calendar for the rules about one loaded entry, read once per entry
    object (the entry page asks for it several times; later years load when first needed)."""
    cached = entry.__dict__.get("_work_calendar")
    if cached is None:
        cached = WorkCalendar.load(today.year - 1, today.year)
        entry.__dict__["_work_calendar"] = cached
    return cached


def referral_sign_working_days() -> int:
    """Return within how many working days a referral is signed for or returned (R17)."""
    return getattr(settings, "REFERRAL_SIGN_WORKING_DAYS", REFERRAL_SIGN_WORKING_DAYS)


def sign_by(*, referred_at: dt.datetime, calendar: WorkCalendar) -> dt.date:
    """Return the last day on which a referral made at `referred_at` is signed for in time."""
    referred_on = timezone.localdate(referred_at)
    return calendar.add_working_days(referred_on, referral_sign_working_days()).due_on


def in_sign_window(
    *, referred_at: dt.datetime | None, today: dt.date, calendar: WorkCalendar
) -> bool:
    """Return whether a referral made at `referred_at` may still be signed for in time, or
    returned, on `today` (one made before sign-for existed has no window)."""
    return referred_at is not None and today <= sign_by(referred_at=referred_at, calendar=calendar)


def unsigned_late_q(*, today: dt.date, calendar: WorkCalendar) -> Q:
    """The referrals not signed for whose window closed before `today` (the sweep tells the
    department and the party-building department)."""
    cutoff = calendar.working_days_back(today - dt.timedelta(days=1), referral_sign_working_days())
    start_of_next = dt.datetime.combine(cutoff + dt.timedelta(days=1), dt.time.min)
    return Q(
        status=EntryStatus.REFERRED,
        signed_at__isnull=True,
        referred_at__lt=timezone.make_aware(start_of_next),
    )


def resumed_due_on(
    *, due_on: dt.date, suspended_on: dt.date, today: dt.date, calendar: WorkCalendar
) -> tuple[dt.date, int]:
    """Return the due date of an entry resumed on `today` after standing still since
    `suspended_on`, and the working days it stood still (R20): the due date moves by those
    working days (the day of suspending counts as worked, the day of resuming as stood still)."""
    stood = max(0, calendar.working_days_between(suspended_on, today))
    if stood == 0:
        return due_on, 0
    return calendar.add_working_days(due_on, stood).due_on, stood


def suspension_review_q(today: dt.date) -> Q:
    """The suspended entries whose review date has come (the sweep reminds the approver)."""
    return awaiting_q() & Q(suspended_on__isnull=False, suspend_review_on__lte=today)


# A deadline's notices (due soon, overdue, escalated) go out once per deadline. A new round
# (R4), an approved extension (R19) or a suspension (R20) each give the entry a new deadline, so
# the notification's occasion counts all three: rounds in hundreds, the others in ones.
DEADLINE_OCCASION_ROUND = 100


def deadline_occasion_expr() -> CombinedExpression:
    """The occasion of an entry's present deadline, as a query expression."""
    return F("reopen_count") * DEADLINE_OCCASION_ROUND + F("extensions") + F("suspensions")


# -- The escalation ladder (R22) -----------------------------------------------------------------

# At most this many steps: each has a digit of the notification's occasion.
LADDER_MAX_STEPS = 9


@dataclass(frozen=True)
class LadderStep:
    slot: int  # its place on the ladder, 1–9: the last digit of its notices' occasion
    working_days: int  # before the due date negative, after positive
    colour: str  # "" for any
    recipients: frozenset[str]  # of liaison.models.ESCALATION_RECIPIENTS

    @property
    def after_due(self) -> bool:
        return self.working_days > 0


def default_ladder() -> list[LadderStep]:
    """The ladder while the party-building department has stored none: overdue for
    OVERDUE_ESCALATE_WORKING_DAYS working days tells the branch secretaries and the
    party-building department."""
    return [LadderStep(1, escalate_working_days(), "", frozenset({"secretary", "party_building"}))]


def ladder_step_q(*, step: LadderStep, today: dt.date, calendar: WorkCalendar) -> Q:
    """The entries a step applies to on `today`: overdue (as flagged by the sweep) for at least
    its working days, or due within its working days ahead, and of its colour."""
    colour = Q(colour=step.colour) if step.colour else Q()
    if step.after_due:
        cutoff = calendar.working_days_back(today, step.working_days)
        return flagged_overdue_q() & Q(due_on__lte=cutoff) & colour
    horizon = calendar.add_working_days(today, -step.working_days).due_on
    return running_q() & Q(due_on__gte=today, due_on__lte=horizon) & colour


def ladder_occasion_expr(slot: int) -> CombinedExpression:
    """The occasion of a step's notices: the deadline's, then the step's digit."""
    return deadline_occasion_expr() * 10 + slot
