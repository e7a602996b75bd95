"""Closing and reopening months (R24 月结): the party-building department's page, the
`month_close` command and the daily beat job call these.

Months close in order: closing month M closes every open month up to M (only a month that has
ended); reopening undoes the latest closed month only, with a reason. Each writes an audit row.
Both run in the roll-up jobs' transaction lock (the state row), so no job runs half before and
half after: closing first brings the roll-ups up to date (the snapshot is what the figures say
at that moment); reopening deletes the adjustments booked out of the months it opens and
rebuilds, so those months count everything again and the months the adjustments were booked in
lose them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.models import (
    EntryAdjustment,
    MonthClose,
    ReferralAdjustment,
    VisitAdjustment,
)
from feedback.periods import month_of, next_month
from feedback.services import rollups
from feedback.services.frozen import closed_through
from liaison.models import AuditEvent, User
from liaison.services.audit import audit_record
from liaison.workdays import WorkCalendar

ADJUSTMENTS = (EntryAdjustment, VisitAdjustment, ReferralAdjustment)


def last_month(today: dt.date) -> dt.date:
    return month_of(month_of(today) - dt.timedelta(days=1))


@transaction.atomic
def months_close(*, month: dt.date, actor: User | None) -> list[MonthClose]:
    """Close every open month up to `month` (its first day); `actor` None: the scheduled job.
    Raise ValidationError if `month` has not ended or is closed already."""
    rollups.lock_state()
    month = month_of(month)
    through = closed_through()
    if month >= month_of(timezone.localdate()):
        raise ValidationError(
            _("%(month)s has not ended yet: only a past month can be closed.")
            % {"month": f"{month:%Y-%m}"}
        )
    if through is not None and month <= through:
        raise ValidationError(
            _("%(month)s is closed already (closed through %(through)s).")
            % {"month": f"{month:%Y-%m}", "through": f"{through:%Y-%m}"}
        )
    rollups.rollups_refresh()  # the snapshot: the figures as they stand now
    now = timezone.now()
    first = next_month(through) if through is not None else month
    rows = []
    while first <= month:
        rows.append(MonthClose(month=first, closed_at=now, closed_by=actor))
        first = next_month(first)
    MonthClose.objects.bulk_create(rows)
    closed = [f"{row.month:%Y-%m}" for row in rows]
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED,
        object_type="feedback.monthclose",
        summary=f"months closed through {month:%Y-%m}",
        data={"months": closed, "by": "user" if actor else "schedule"},
    )
    return rows


@transaction.atomic
def month_reopen(*, actor: User, reason: str) -> MonthClose:
    """Reopen the latest closed month, for `reason` (required); raise ValidationError if no
    month is closed or the reason is empty."""
    rollups.lock_state()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the month is reopened.")})
    latest = (
        MonthClose.objects.select_for_update()
        .filter(reopened_at__isnull=True)
        .order_by("-month")
        .first()
    )
    if latest is None:
        raise ValidationError(_("No month is closed."))
    latest.reopened_at = timezone.now()
    latest.reopened_by = actor
    latest.reopen_reason = reason
    latest.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    through = closed_through()
    # The months now open: the latest, and before it those the first closing covered at once.
    opened = {"source_month__gt": through} if through is not None else {}
    for model in ADJUSTMENTS:
        model.objects.filter(source_month__lte=latest.month, **opened).delete()
    rollups.rollups_rebuild()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATED,
        obj=latest,
        summary=f"month {latest.month:%Y-%m} reopened",
        data={"month": f"{latest.month:%Y-%m}", "reason": reason},
    )
    return latest


def close_day(month: dt.date, working_day: int) -> dt.date:
    """The day `month` closes by itself: its `working_day`th working day after it ends."""
    end = next_month(month) - dt.timedelta(days=1)
    calendar = WorkCalendar.load(end.year)
    return calendar.add_working_days(end, working_day).due_on


def months_close_due(today: dt.date | None = None) -> list[MonthClose]:
    """The daily job: close last month once today is on or after its MONTH_CLOSE_WORKING_DAY'th
    working day after it ended (0: never by itself). Running it twice closes nothing more."""
    working_day = settings.MONTH_CLOSE_WORKING_DAY
    today = today or timezone.localdate()
    month = last_month(today)
    through = closed_through()
    if working_day <= 0 or (through is not None and through >= month):
        return []
    if today < close_day(month, working_day):
        return []
    return months_close(month=month, actor=None)
