"""Reads of ledger entries, scoped to the user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from liaison import permissions
from liaison.constants import AWAITING_REPLY_STATUSES
from liaison.models import Entry, EntryEvent, User
from liaison.workdays import WorkCalendar


@dataclass
class EntryView:
    """What the entry page shows besides the entry itself."""

    entry: Entry
    events: list[EntryEvent]
    awaiting_reply: bool
    working_days_left: int | None  # negative: working days overdue
    can_see: permissions.Visibility

    @property
    def working_days_overdue(self) -> int:
        return max(0, -(self.working_days_left or 0))


def entry_view(*, user: User, entry: Entry, today: dt.date | None = None) -> EntryView:
    """Return the entry page's data: the timeline and the days left or overdue (R6, checked
    live on display)."""
    today = today or timezone.localdate()
    awaiting = entry.status in AWAITING_REPLY_STATUSES and entry.due_on is not None
    days_left = None
    if awaiting:
        calendar = WorkCalendar.load(min(today, entry.due_on).year, max(today, entry.due_on).year)
        days_left = calendar.working_days_between(today, entry.due_on)
    events = list(entry.events.select_related("actor").order_by("at", "pk"))
    return EntryView(
        entry=entry,
        events=events,
        awaiting_reply=awaiting,
        working_days_left=days_left,
        can_see=permissions.Visibility.of(user),
    )
