"""The working-day calendar (R1): the days and years an administrator enters, and the recompute
of the open entries' due dates that every change of the calendar ends with.

Clearing a day deletes its CalendarDay row, the one delete in the system: a calendar day is
configuration, not a record of something that happened. The audit event written with it keeps
what the row said, and the timeline of every entry whose due date moved keeps the before and
after, so nothing a user relied on is lost.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import chinese_calendar
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from common.bulk import id_batches
from liaison.constants import AWAITING_REPLY_STATUSES, REPLY_REQUIRED_KINDS, EventKind
from liaison.models import AuditEvent, CalendarDay, CalendarYear, Entry, EntryEvent, User
from liaison.services.audit import audit_changes, audit_record
from liaison.services.entries import entries_write
from liaison.workdays import (
    FIRST_YEAR,
    LAST_YEAR,
    WorkCalendar,
    base_is_working,
    statutory_covers,
    statutory_holiday,
)

_BATCH = 500


@dataclass(frozen=True)
class CalendarChange:
    """What a change of the calendar did: the row it wrote and how many open entries it moved."""

    obj: CalendarDay | CalendarYear | None
    recomputed: int


def calendar_check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            _("Choose a year from %(first)s to %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="year",
        )


@transaction.atomic
def calendar_day_set(
    *, actor: User | None, date: dt.date, is_working: bool, note: str = ""
) -> CalendarChange:
    """Declare `date` a working day or a day off (it overrides the statutory schedule), then
    recompute the due dates of the open entries it touches."""
    calendar_check_year(date.year)
    day, created = CalendarDay.objects.select_for_update().get_or_create(
        date=date, defaults={"is_working": is_working, "note": note.strip(), "updated_by": actor}
    )
    before = {} if created else {"is_working": day.is_working, "note": day.note}
    day.is_working, day.note, day.updated_by = is_working, note.strip(), actor
    day.full_clean()
    day.save()
    reason = _day_reason(date, is_working, day.note)
    recomputed = entry_due_recompute(actor=actor, first=date, last=date, note=reason)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED if created else AuditEvent.Action.UPDATED,
        obj=day,
        summary=reason,
        data={
            **audit_changes(before, {"is_working": is_working, "note": day.note}),
            "recomputed": recomputed,
        },
    )
    return CalendarChange(day, recomputed)


@transaction.atomic
def calendar_day_clear(*, actor: User | None, date: dt.date) -> CalendarChange:
    """Remove the administrator's entry for `date`: the statutory schedule applies again."""
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        raise ValidationError(
            {"date": _("Nothing was entered for %(date)s.") % {"date": date.isoformat()}}
        )
    reason = _("Calendar: the entry for %(date)s was removed; the statutory schedule applies.") % {
        "date": date.isoformat()
    }
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DEACTIVATED,
        obj=day,
        summary=reason,
        data=audit_changes(
            {"is_working": day.is_working, "note": day.note}, {"is_working": None, "note": None}
        ),
    )
    day.delete()
    recomputed = entry_due_recompute(actor=actor, first=date, last=date, note=reason)
    return CalendarChange(None, recomputed)


def calendar_year_check(
    *, year: int, holidays: Iterable[dt.date], workdays: Iterable[dt.date]
) -> None:
    """Raise ValidationError unless the dates make a plausible schedule for `year`."""
    calendar_check_year(year)
    holidays, workdays = set(holidays), set(workdays)
    errors: dict[str, list[str]] = {}
    if not holidays:
        errors.setdefault("holidays", []).append(_("List the year's days off."))
    for name, dates in (("holidays", holidays), ("workdays", workdays)):
        outside = sorted(d for d in dates if d.year != year)
        if outside:
            errors.setdefault(name, []).append(
                _("Not in %(year)s: %(dates)s.") % {"year": year, "dates": _dates_text(outside)}
            )
    weekdays = sorted(d for d in workdays if d.weekday() < 5)
    if weekdays:
        errors.setdefault("workdays", []).append(
            _("A make-up working day falls on a Saturday or Sunday; these are weekdays: %(dates)s.")
            % {"dates": _dates_text(weekdays)}
        )
    both = sorted(holidays & workdays)
    if both:
        errors.setdefault("workdays", []).append(
            _("Listed both as a day off and as a working day: %(dates)s.")
            % {"dates": _dates_text(both)}
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def calendar_year_load(
    *,
    actor: User | None,
    year: int,
    holidays: list[dt.date],
    workdays: list[dt.date],
    note: str = "",
) -> CalendarChange:
    """Enter a whole year's schedule: the listed days off and make-up working days; every other
    weekday works and every other weekend day is off. It replaces whatever was entered for the
    year before, and marks the year entered, so its due dates are no longer provisional."""
    calendar_year_check(year=year, holidays=holidays, workdays=workdays)
    note = note.strip()
    off, on = set(holidays), set(workdays)
    existing = {
        row.date: row for row in CalendarDay.objects.select_for_update().filter(date__year=year)
    }
    now = timezone.now()
    to_create, to_update, to_remove = [], [], []
    for i in range(366 if pycalendar.isleap(year) else 365):
        day = dt.date(year, 1, 1) + dt.timedelta(days=i)
        working = day in on or (day.weekday() < 5 and day not in off)
        # A row for each listed day, and for any other day the statutory schedule gets wrong.
        wanted = day in on or day in off or working != base_is_working(day)
        row = existing.get(day)
        if not wanted:
            if row is not None:
                to_remove.append(row)
        elif row is None:
            to_create.append(CalendarDay(date=day, is_working=working, note=note, updated_by=actor))
        elif (row.is_working, row.note) != (working, note):
            row.is_working, row.note, row.updated_by, row.updated_at = working, note, actor, now
            to_update.append(row)
    CalendarDay.objects.bulk_create(to_create, batch_size=_BATCH)
    CalendarDay.objects.bulk_update(
        to_update, ["is_working", "note", "updated_by", "updated_at"], batch_size=_BATCH
    )
    CalendarDay.objects.filter(pk__in=[row.pk for row in to_remove]).delete()
    entered, created = CalendarYear.objects.update_or_create(
        year=year, defaults={"note": note, "entered_by": actor}
    )
    reason = _("Calendar: the schedule for %(year)s was entered.") % {"year": year}
    recomputed = entry_due_recompute(
        actor=actor, first=dt.date(year, 1, 1), last=dt.date(year, 12, 31), note=reason
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED if created else AuditEvent.Action.UPDATED,
        obj=entered,
        summary=reason,
        data={
            "holidays": [d.isoformat() for d in sorted(off)],
            "workdays": [d.isoformat() for d in sorted(on)],
            "rows_created": len(to_create),
            "rows_updated": len(to_update),
            "rows_removed": [row.date.isoformat() for row in to_remove],
            "note": note,
            "recomputed": recomputed,
        },
    )
    return CalendarChange(entered, recomputed)


def calendar_statutory_schedule(year: int) -> tuple[list[dt.date], list[dt.date]]:
    """Return chinese-calendar's (days off of the named holidays, make-up working days)."""
    if not statutory_covers(year):
        raise ValidationError(
            _(
                "The chinese-calendar package does not know the schedule for %(year)s yet; "
                "enter it by hand."
            )
            % {"year": year},
            code="not_covered",
        )
    holidays, workdays = [], []
    for i in range(366 if pycalendar.isleap(year) else 365):
        day = dt.date(year, 1, 1) + dt.timedelta(days=i)
        if not statutory_holiday(day):
            continue
        if chinese_calendar.is_workday(day):
            if day.weekday() >= 5:
                workdays.append(day)
        else:
            holidays.append(day)
    return holidays, workdays


def calendar_year_load_statutory(*, actor: User | None, year: int) -> CalendarChange:
    """Copy chinese-calendar's schedule for `year` into the calendar (then it can be edited)."""
    calendar_check_year(year)
    holidays, workdays = calendar_statutory_schedule(year)
    note = _("State Council schedule, from chinese-calendar %(version)s") % {
        "version": chinese_calendar.__version__
    }
    return calendar_year_load(
        actor=actor, year=year, holidays=holidays, workdays=workdays, note=note
    )


@transaction.atomic
def calendar_year_confirm(*, actor: User | None, year: int, note: str = "") -> CalendarChange:
    """Mark `year` entered without changing its days (they were entered one by one)."""
    calendar_check_year(year)
    entered, created = CalendarYear.objects.update_or_create(
        year=year, defaults={"note": note.strip(), "entered_by": actor}
    )
    reason = _("Calendar: the schedule for %(year)s was entered.") % {"year": year}
    recomputed = entry_due_recompute(
        actor=actor, first=dt.date(year, 1, 1), last=dt.date(year, 12, 31), note=reason
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED if created else AuditEvent.Action.UPDATED,
        obj=entered,
        summary=reason,
        data={"note": entered.note, "recomputed": recomputed},
    )
    return CalendarChange(entered, recomputed)


def entry_due_recompute(*, actor: User | None, first: dt.date, last: dt.date, note: str) -> int:
    """Recompute the due dates of the open entries whose deadline span touches first..last;
    write the changed ones and an event on each. Return how many changed.

    Set-based: a fixed number of queries however many entries. The rows are locked, and their
    version bumped, so that an edit made meanwhile on a stale page gets a conflict (R16).
    Call inside the calendar change's transaction.
    """
    open_entries = Entry.objects.filter(
        status__in=AWAITING_REPLY_STATUSES,
        kind__in=REPLY_REQUIRED_KINDS,
        due_on__isnull=False,
        due_on__gte=first,
        recorded_on__lt=last,
    )
    entries = list(
        open_entries.select_for_update().only(
            "pk",
            "number",
            "colour",
            "recorded_on",
            "target_on",
            "due_on",
            "due_provisional",
            "reopen_count",
        )
    )
    if not entries:
        return 0
    starts = _deadline_starts(open_entries) if any(e.reopen_count for e in entries) else {}
    years = [d.year for e in entries for d in (starts.get(e.pk, e.recorded_on), _due_on(e))]
    calendar = WorkCalendar.load(min(years), max(years))
    now = timezone.now()
    changed: dict[tuple[dt.date, bool], list[int]] = {}  # the new deadline: the entries taking it
    events = []
    for entry in entries:
        try:
            due = calendar.due_for(
                entry.colour, starts.get(entry.pk, entry.recorded_on), entry.target_on
            )
        except ValueError as error:
            raise ValidationError(
                _("Entry %(number)s would have no due date: %(error)s")
                % {"number": entry.number, "error": error}
            ) from error
        before = {"due_on": _due_on(entry).isoformat(), "due_provisional": entry.due_provisional}
        after = {"due_on": due.due_on.isoformat(), "due_provisional": due.provisional}
        if before == after:
            continue
        changed.setdefault((due.due_on, due.provisional), []).append(entry.pk)
        events.append(
            EntryEvent(
                entry_id=entry.pk,
                kind=EventKind.DUE_RECOMPUTED,
                actor=actor if actor and actor.pk else None,
                note=f"{note} {_due_text(before, after)}",
                before=before,
                after=after,
            )
        )
    # One UPDATE per new deadline (entries of one colour recorded on one day share it).
    for (due_on, provisional), ids in changed.items():
        for batch in id_batches(ids):
            entries_write(
                Entry.objects.filter(pk__in=batch),
                now=now,
                due_on=due_on,
                due_provisional=provisional,
            )
    EntryEvent.objects.bulk_create(events, batch_size=_BATCH)
    return len(events)


def _due_on(entry: Entry) -> dt.date:
    """Return the due date of an entry selected with one (due_on__isnull=False)."""
    if entry.due_on is None:
        raise ValueError(f"Entry {entry.number} was selected with a due date but has none.")
    return entry.due_on


def _deadline_starts(open_entries) -> dict[int, dt.date]:
    """The day a reopened entry's fresh deadline counts from: the day it was last reopened."""
    reopened = (
        EntryEvent.objects.filter(
            kind=EventKind.REOPENED,
            entry__in=open_entries.filter(reopen_count__gt=0).values("pk"),
        )
        .values("entry_id")
        .annotate(last=Max("at"))
    )
    return {row["entry_id"]: timezone.localdate(row["last"]) for row in reopened}


def _day_reason(date: dt.date, is_working: bool, note: str) -> str:
    if is_working:
        text = _("Calendar: %(date)s is a working day.")
    else:
        text = _("Calendar: %(date)s is a day off.")
    text %= {"date": date.isoformat()}
    return f"{text} {note}".strip()


def _due_text(before: dict, after: dict) -> str:
    text = _("Due date %(before)s → %(after)s.") % {
        "before": before["due_on"],
        "after": after["due_on"],
    }
    if after["due_provisional"]:
        text += " " + _("Provisional until the State Council schedule is entered.")
    return text


def _dates_text(dates: list[dt.date]) -> str:
    shown = ", ".join(d.isoformat() for d in dates[:10])
    return shown + (" …" if len(dates) > 10 else "")
