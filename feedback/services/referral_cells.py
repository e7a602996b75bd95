"""The referral roll-up (R17), by department and month, from the entries' timelines:

- ``referred``: REFERRED and ARBITRATED events, by the department they name and their month;
- ``signed`` and its delay: SIGNED_FOR events, and PLAN_RECORDED events that signed for the
  referral at once, by the department of the referral they answer and their month, bucketed by
  the working days from the day of that referral to the day signed (0, 1, 2, more);
- ``returned_<reason>``: REFERRAL_RETURNED events, by the department that returned and reason.

The nightly rebuild computes all months; the frequent refresh the months its new events name.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models import OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.utils import timezone

from feedback.models import RETURN_FIELDS, SIGN_DELAY_FIELDS, ReferralMonthly
from feedback.periods import local_month
from liaison.constants import EventKind
from liaison.models import EntryEvent
from liaison.workdays import WorkCalendar

ReferralKey = tuple[int, dt.date]  # (department id, month)
REFERRAL_KINDS = (
    EventKind.REFERRED,
    EventKind.ARBITRATED,
    EventKind.SIGNED_FOR,
    EventKind.PLAN_RECORDED,
    EventKind.REFERRAL_RETURNED,
)


def _in(months: Iterable[dt.date] | None) -> Q:
    if months is None:
        return Q()
    condition = Q(pk__in=[])
    for month in months:
        end = (month + dt.timedelta(days=32)).replace(day=1)
        start_at = timezone.make_aware(dt.datetime.combine(month, dt.time.min))
        end_at = timezone.make_aware(dt.datetime.combine(end, dt.time.min))
        condition |= Q(at__gte=start_at, at__lt=end_at)
    return condition


def referral_cells(months: Iterable[dt.date] | None = None) -> dict[ReferralKey, Counter]:
    """Return the referral counts by (department, month) for `months` (None: all)."""
    cells: dict[ReferralKey, Counter] = defaultdict(Counter)
    events = EntryEvent.objects.filter(_in(months)).order_by()
    for at, department in (
        events.filter(kind__in=[EventKind.REFERRED, EventKind.ARBITRATED])
        .annotate(department=KT("after__department"))
        .values_list("at", "department")
    ):
        if department:
            cells[(int(department), local_month(at))]["referred"] += 1
    for at, department, reason in (
        events.filter(kind=EventKind.REFERRAL_RETURNED)
        .annotate(department=KT("before__department"), reason=KT("after__return_reason"))
        .values_list("at", "department", "reason")
    ):
        if department and reason in RETURN_FIELDS:
            cells[(int(department), local_month(at))][RETURN_FIELDS[reason]] += 1
    referral = EntryEvent.objects.filter(
        entry_id=OuterRef("entry_id"),
        kind__in=[EventKind.REFERRED, EventKind.ARBITRATED],
        at__lte=OuterRef("at"),
    ).order_by("-at", "-pk")
    signs = list(
        events.filter(
            Q(kind=EventKind.SIGNED_FOR)
            | Q(kind=EventKind.PLAN_RECORDED, after__has_key="signed_at")
        )
        .annotate(
            referred_at=Subquery(referral.values("at")[:1]),
            department=Subquery(
                referral.annotate(department=KT("after__department")).values("department")[:1]
            ),
        )
        .values_list("at", "referred_at", "department")
    )
    if signs:
        years = [timezone.localdate(at).year for at, _ref, _dep in signs]
        calendar = WorkCalendar.load(min(years) - 1, max(years))
        for at, referred_at, department in signs:
            if not department or referred_at is None:
                continue
            days = calendar.working_days_between(
                timezone.localdate(referred_at), timezone.localdate(at)
            )
            bucket = SIGN_DELAY_FIELDS[min(max(days, 0), len(SIGN_DELAY_FIELDS) - 1)]
            cell = cells[(int(department), local_month(at))]
            cell["signed"] += 1
            cell[bucket] += 1
    return cells


def referral_rows_replace(
    cells: dict[ReferralKey, Counter], months: set[dt.date] | None, after: dt.date | None = None
) -> int:
    """Replace the stored rows of `months` (None: all) after the month `after` (the last closed
    month, R24: a closed month's rows are kept) by `cells` (open months only)."""
    stored = ReferralMonthly.objects.all()
    if months is not None:
        stored = stored.filter(month__in=months)
    if after is not None:
        stored = stored.filter(month__gt=after)
    stored.delete()
    ReferralMonthly.objects.bulk_create(
        ReferralMonthly(department_id=department, month=month, **counts)
        for (department, month), counts in cells.items()
        if any(counts.values()) and (after is None or month > after)
    )
    return len(cells)


def referral_months(floor: int, last: int) -> set[dt.date]:
    """The months of the referral events written after `floor` up to `last`."""
    return {
        local_month(at)
        for at in EntryEvent.objects.filter(
            pk__gt=floor, pk__lte=last, kind__in=REFERRAL_KINDS
        ).values_list("at", flat=True)
    }
