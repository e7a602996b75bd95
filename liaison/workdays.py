"""Working days and deadlines (R1): the one place that knows which days count.

A day's status comes, in this order, from:
1. the calendar an administrator entered (CalendarDay rows);
2. the State Council schedule with its make-up working days (调休), from `chinese-calendar`;
3. for a year neither covers: Monday to Friday, less the statutory holidays fixed by law (from the
   `holidays` package, without its guessed "observed" days). A date computed this way is
   *provisional*, unless an administrator marked the year's schedule as entered (CalendarYear).

Counting starts on the first working day after the recording date; the due date is the Nth
working day. A WorkCalendar loads the administrator's rows once and answers many questions, so
that recomputing thousands of due dates costs two queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import chinese_calendar
import holidays

from liaison.constants import COLOUR_WORKING_DAYS, YELLOW_MIN_WORKING_DAYS, Colour

# Far enough to find the Nth working day even across the Spring Festival and National Day.
_SEARCH_DAYS = 400


@dataclass(frozen=True)
class DueDate:
    due_on: dt.date
    provisional: bool


@cache
def statutory_covers(year: int) -> bool:
    """Return whether chinese-calendar knows the State Council schedule of `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@cache
def _legal_holidays(year: int) -> frozenset[dt.date]:
    """The holidays fixed by law for `year`, without guessed make-up or observed days."""
    return frozenset(holidays.China(years=year, observed=False))


def _fallback_is_working(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _legal_holidays(day.year)


class WorkCalendar:
    """Answers "is this a working day?" for a span of years with the overrides loaded once."""

    def __init__(self, overrides: dict[dt.date, bool], entered_years: frozenset[int]):
        self.overrides = overrides
        self.entered_years = entered_years

    @classmethod
    def load(cls, first_year: int, last_year: int | None = None) -> WorkCalendar:
        """Load the administrator's days and years from `first_year` to `last_year` (+1, so that
        a deadline running into the next year is covered)."""
        from liaison.models import CalendarDay, CalendarYear

        last_year = (last_year or first_year) + 1
        days = CalendarDay.objects.filter(
            date__gte=dt.date(first_year, 1, 1), date__lte=dt.date(last_year, 12, 31)
        ).values_list("date", "is_working")
        years = CalendarYear.objects.filter(year__gte=first_year, year__lte=last_year)
        return cls(dict(days), frozenset(years.values_list("year", flat=True)))

    def is_provisional_year(self, year: int) -> bool:
        return not statutory_covers(year) and year not in self.entered_years

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if statutory_covers(day.year):
            return chinese_calendar.is_workday(day)
        return _fallback_is_working(day)

    def add_working_days(self, start: dt.date, n: int) -> DueDate:
        """Return the nth working day after `start` (start itself never counts)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day, counted, provisional = start, 0, False
        for _ in range(_SEARCH_DAYS):
            day += dt.timedelta(days=1)
            provisional = provisional or self.is_provisional_year(day.year)
            if self.is_working_day(day):
                counted += 1
                if counted == n:
                    return DueDate(day, provisional)
        raise ValueError(f"no {n} working days within {_SEARCH_DAYS} days of {start}")

    def due_for(
        self, colour: str, recorded_on: dt.date, target_on: dt.date | None = None
    ) -> DueDate:
        """Return the reply deadline of an entry: N working days for red and orange; the target
        date for yellow (which must lie at least YELLOW_MIN_WORKING_DAYS out)."""
        if colour == Colour.YELLOW:
            if target_on is None:
                raise ValueError("a yellow entry needs a target date")
            earliest = self.add_working_days(recorded_on, YELLOW_MIN_WORKING_DAYS)
            provisional = earliest.provisional or self.is_provisional_year(target_on.year)
            return DueDate(target_on, provisional)
        return self.add_working_days(recorded_on, COLOUR_WORKING_DAYS[colour])

    def earliest_yellow_target(self, recorded_on: dt.date) -> DueDate:
        return self.add_working_days(recorded_on, YELLOW_MIN_WORKING_DAYS)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative if end < start)."""
        if end < start:
            return -self.working_days_between(end, start)
        days = (end - start).days
        return sum(
            1 for i in range(1, days + 1) if self.is_working_day(start + dt.timedelta(days=i))
        )


def due_date(colour: str, recorded_on: dt.date, target_on: dt.date | None = None) -> DueDate:
    """Return the deadline of one entry (loads the calendar; for many, use WorkCalendar)."""
    last = target_on.year if target_on else recorded_on.year
    return WorkCalendar.load(recorded_on.year, last).due_for(colour, recorded_on, target_on)


def earliest_yellow_target(recorded_on: dt.date) -> DueDate:
    return WorkCalendar.load(recorded_on.year).earliest_yellow_target(recorded_on)
