"""Working days and deadlines (R1): the one place that knows which days count.

A day's status comes, in this order, from:
1. the calendar an administrator entered (CalendarDay rows);
2. the State Council schedule with its make-up working days (调休), from `chinese-calendar`;
3. for a year neither covers: Monday to Friday, less the statutory holidays fixed by law (from the
   `holidays` package, without its "observed" or substituted days: no guessed make-up days). A
   date computed this way is *provisional*, unless an administrator marked the year's schedule as
   entered (CalendarYear).

Counting starts on the first working day after the recording date; the due date is the Nth
working day. A WorkCalendar loads the administrator's rows once and answers many questions, so
that recomputing thousands of due dates costs two queries.
"""

from __future__ import annotations

import bisect
import calendar as pycalendar
import datetime as dt
from dataclasses import dataclass, field
from functools import cache

import chinese_calendar
import holidays
from chinese_calendar.constants import Holiday
from django.utils.translation import gettext_lazy as _

from liaison.constants import COLOUR_WORKING_DAYS, YELLOW_MIN_WORKING_DAYS, Colour

# Far enough to find the Nth working day even across the Spring Festival and National Day.
_SEARCH_DAYS = 400

# The years the calendar page, the command and the forms accept.
FIRST_YEAR, LAST_YEAR = 2000, 2099

# The statutory holidays, by chinese-calendar's Holiday name, as the pages name them.
HOLIDAY_NAMES = {
    Holiday.new_years_day.name: _("New Year's Day"),
    Holiday.spring_festival.name: _("Spring Festival"),
    Holiday.tomb_sweeping_day.name: _("Qingming Festival"),
    Holiday.labour_day.name: _("Labour Day"),
    Holiday.dragon_boat_festival.name: _("Dragon Boat Festival"),
    Holiday.mid_autumn_festival.name: _("Mid-Autumn Festival"),
    Holiday.national_day.name: _("National Day"),
    Holiday.anti_fascist_70th_day.name: _("Victory Day (70th anniversary)"),
}
_STATUTORY_KEYS = {holiday.value: holiday.name for holiday in Holiday}
# The holidays fixed by law, as the `holidays` package names them in English. Anything else it
# lists (its "Day off (substituted from …)" days) is a schedule it happens to know, not the law,
# and would come without the make-up working days that go with it.
_LAW_KEYS = {
    "New Year's Day": Holiday.new_years_day.name,
    "Chinese New Year's Eve": Holiday.spring_festival.name,
    "Chinese New Year (Spring Festival)": Holiday.spring_festival.name,
    "Tomb-Sweeping Day": Holiday.tomb_sweeping_day.name,
    "Labor Day": Holiday.labour_day.name,
    "Dragon Boat Festival": Holiday.dragon_boat_festival.name,
    "Mid-Autumn Festival": Holiday.mid_autumn_festival.name,
    "National Day": Holiday.national_day.name,
}


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
def legal_holidays(year: int) -> dict[dt.date, str]:
    """The holidays fixed by law in `year` ({date: HOLIDAY_NAMES key}): no make-up days."""
    named = holidays.China(years=year, observed=False, language="en_US")
    return {day: _LAW_KEYS[name] for day, name in named.items() if name in _LAW_KEYS}


@cache
def base_is_working(day: dt.date) -> bool:
    """Whether `day` is a working day before any administrator's override: by the statutory
    schedule, or for a year it does not cover, by the law's holidays and the weekends."""
    if statutory_covers(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5 and day not in legal_holidays(day.year)


@cache
def _base_prefix(year: int) -> tuple[int, ...]:
    """prefix[i]: working days (before overrides) among the first i days of `year`."""
    first = dt.date(year, 1, 1)
    counts = [0]
    for i in range(366 if pycalendar.isleap(year) else 365):
        counts.append(counts[-1] + base_is_working(first + dt.timedelta(days=i)))
    return tuple(counts)


def _base_count_through(day: dt.date) -> int:
    """Working days (before overrides) from 1 January of day's year through `day`."""
    return _base_prefix(day.year)[day.timetuple().tm_yday]


def statutory_holiday(day: dt.date) -> str:
    """Return the HOLIDAY_NAMES key of the holiday `day` belongs to, or of the holiday a make-up
    working day serves; "" for an ordinary day."""
    if statutory_covers(day.year):
        _on_holiday, name = chinese_calendar.get_holiday_detail(day)
        return _STATUTORY_KEYS.get(name, "") if name else ""
    return legal_holidays(day.year).get(day, "")


def check_supported(day: dt.date) -> None:
    """Raise ValueError for a date outside the years the calendar handles."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"{day.isoformat()} is outside {FIRST_YEAR}–{LAST_YEAR}")


class WorkCalendar:
    """Answers "is this a working day?" with the administrator's days loaded once.

    `load` reads the years asked for; a question about another year loads that year too (two
    more queries), so an answer is never wrong for lack of rows. A calendar built by hand (in
    tests) is taken as complete.
    """

    def __init__(
        self,
        overrides: dict[dt.date, bool],
        entered_years: frozenset[int] | set[int],
        loaded_years: set[int] | None = None,
    ):
        self.overrides = dict(overrides)
        self.entered_years = set(entered_years)
        self._loaded = loaded_years
        self._override_dates = sorted(self.overrides)

    @classmethod
    def load(cls, first_year: int, last_year: int | None = None) -> WorkCalendar:
        """Load the administrator's days and years from `first_year` to `last_year` (+1, so that
        a deadline running into the next year is covered)."""
        last_year = (last_year or first_year) + 1
        days, years = cls._read(first_year, last_year)
        return cls(days, years, set(range(first_year, last_year + 1)))

    @staticmethod
    def _read(first_year: int, last_year: int) -> tuple[dict[dt.date, bool], set[int]]:
        from liaison.models import CalendarDay, CalendarYear

        days = CalendarDay.objects.filter(
            date__gte=dt.date(first_year, 1, 1), date__lte=dt.date(last_year, 12, 31)
        ).values_list("date", "is_working")
        years = CalendarYear.objects.filter(year__gte=first_year, year__lte=last_year)
        return dict(days), set(years.values_list("year", flat=True))

    def _ensure(self, first_year: int, last_year: int | None = None) -> None:
        if self._loaded is None:
            return
        missing = [
            y for y in range(first_year, (last_year or first_year) + 1) if y not in self._loaded
        ]
        if not missing:
            return
        days, years = self._read(min(missing), max(missing))
        self.overrides.update(days)
        self.entered_years |= years
        self._loaded.update(range(min(missing), max(missing) + 1))
        self._override_dates = sorted(self.overrides)

    def is_provisional_year(self, year: int) -> bool:
        self._ensure(year)
        return not statutory_covers(year) and year not in self.entered_years

    def is_provisional_day(self, day: dt.date) -> bool:
        """Whether the status of `day` is a guess: no override, in a year nobody entered."""
        return day not in self.overrides and self.is_provisional_year(day.year)

    def is_working_day(self, day: dt.date) -> bool:
        self._ensure(day.year)
        if day in self.overrides:
            return self.overrides[day]
        return base_is_working(day)

    def add_working_days(self, start: dt.date, n: int) -> DueDate:
        """Return the nth working day after `start` (start itself never counts)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day, counted, provisional = start, 0, False
        for _i in range(_SEARCH_DAYS):
            day += dt.timedelta(days=1)
            provisional = provisional or self.is_provisional_day(day)
            if self.is_working_day(day):
                counted += 1
                if counted == n:
                    return DueDate(day, provisional)
        raise ValueError(f"no {n} working days within {_SEARCH_DAYS} days of {start}")

    def due_for(
        self, colour: str, recorded_on: dt.date, target_on: dt.date | None = None
    ) -> DueDate:
        """Return the reply deadline of an entry: N working days for red and orange; the target
        date for yellow (which must lie at least YELLOW_MIN_WORKING_DAYS out). A yellow target
        is provisional while any year up to it is."""
        if colour == Colour.YELLOW:
            if target_on is None:
                raise ValueError("a yellow entry needs a target date")
            earliest = self.add_working_days(recorded_on, YELLOW_MIN_WORKING_DAYS)
            provisional = earliest.provisional or any(
                self.is_provisional_year(year)
                for year in range(recorded_on.year, target_on.year + 1)
            )
            return DueDate(target_on, provisional)
        return self.add_working_days(recorded_on, COLOUR_WORKING_DAYS[colour])

    def earliest_yellow_target(self, recorded_on: dt.date) -> DueDate:
        return self.add_working_days(recorded_on, YELLOW_MIN_WORKING_DAYS)

    def working_days_back(self, day: dt.date, n: int) -> dt.date:
        """Return the latest date d with exactly n working days in (d, day]: every date on or
        before it lies at least n working days before `day`, every later one fewer."""
        counted = 0
        for _i in range(_SEARCH_DAYS):
            if counted == n:
                return day
            if self.is_working_day(day):
                counted += 1
            day -= dt.timedelta(days=1)
        raise ValueError(f"no {n} working days within {_SEARCH_DAYS} days before {day}")

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative if end < start).

        Counted from per-year running totals plus the overrides in the span, so a span of
        years costs no more than a span of days.
        """
        if end < start:
            return -self.working_days_between(end, start)
        self._ensure(start.year, end.year)
        count = _base_count_through(end) - _base_count_through(start)
        for year in range(start.year, end.year):
            count += _base_prefix(year)[-1]
        low = bisect.bisect_right(self._override_dates, start)
        high = bisect.bisect_right(self._override_dates, end)
        for day in self._override_dates[low:high]:
            count += int(self.overrides[day]) - int(base_is_working(day))
        return count


def due_date(colour: str, recorded_on: dt.date, target_on: dt.date | None = None) -> DueDate:
    """Return the deadline of one entry (loads the calendar; for many, use WorkCalendar)."""
    last = target_on.year if target_on else recorded_on.year
    return WorkCalendar.load(recorded_on.year, last).due_for(colour, recorded_on, target_on)


def earliest_yellow_target(recorded_on: dt.date) -> DueDate:
    return WorkCalendar.load(recorded_on.year).earliest_yellow_target(recorded_on)


# -- the year as the calendar page shows it -----------------------------------------------------


@dataclass(frozen=True)
class DayView:
    date: dt.date
    is_working: bool
    holiday: str = ""  # the statutory holiday it belongs to (or a make-up day serves), translated
    override: object = None  # the CalendarDay an administrator entered, if any

    @property
    def is_makeup(self) -> bool:
        """A weekend day that is a working day (调休)."""
        return self.is_working and self.date.weekday() >= 5

    @property
    def is_extra_off(self) -> bool:
        """A weekday that is a day off."""
        return not self.is_working and self.date.weekday() < 5


@dataclass(frozen=True)
class HolidayBreak:
    name: str
    first: dt.date
    last: dt.date
    makeup_days: tuple[dt.date, ...]


@dataclass
class YearView:
    year: int
    statutory: bool  # chinese-calendar knows the year's schedule
    entered: object  # the CalendarYear, if an administrator entered the schedule
    provisional: bool
    next_provisional: bool  # deadlines running into next year are provisional
    # (first day of the month, its weeks Monday to Sunday; None outside the month)
    months: list[tuple[dt.date, list[list[DayView | None]]]] = field(default_factory=list)
    breaks: list[HolidayBreak] = field(default_factory=list)
    overrides: list = field(default_factory=list)
    working_days: int = 0


def calendar_year_view(year: int) -> YearView:
    """Return `year` as the calendar page shows it: twelve month grids (Monday first), the named
    holidays with their make-up days, and the administrator's days (two queries)."""
    from liaison.models import CalendarDay, CalendarYear

    overrides = list(
        CalendarDay.objects.filter(date__year=year).select_related("updated_by").order_by("date")
    )
    years = {
        row.year: row
        for row in CalendarYear.objects.filter(year__in=[year, year + 1]).select_related(
            "entered_by"
        )
    }
    entered = years.get(year)
    by_date = {row.date: row for row in overrides}
    calendar = WorkCalendar({row.date: row.is_working for row in overrides}, set(years))
    keys: dict[dt.date, str] = {}
    days: dict[dt.date, DayView] = {}
    for i in range(366 if pycalendar.isleap(year) else 365):
        day = dt.date(year, 1, 1) + dt.timedelta(days=i)
        keys[day] = statutory_holiday(day)
        name = str(HOLIDAY_NAMES[keys[day]]) if keys[day] else ""
        days[day] = DayView(day, calendar.is_working_day(day), name, by_date.get(day))
    grid = pycalendar.Calendar(firstweekday=0)
    months = [
        (
            dt.date(year, month, 1),
            [
                [days[d] if d.month == month else None for d in week]
                for week in grid.monthdatescalendar(year, month)
            ],
        )
        for month in range(1, 13)
    ]
    return YearView(
        year=year,
        statutory=statutory_covers(year),
        entered=entered,
        provisional=calendar.is_provisional_year(year),
        next_provisional=calendar.is_provisional_year(year + 1),
        months=months,
        breaks=_breaks(days, keys),
        overrides=overrides,
        working_days=sum(1 for day in days.values() if day.is_working),
    )


def _breaks(days: dict[dt.date, DayView], keys: dict[dt.date, str]) -> list[HolidayBreak]:
    """Each run of days off that holds a named holiday (National Day and the Mid-Autumn
    Festival may share one), with the make-up working days that go with it: those the schedule
    names for it, else the nearest within a few weeks."""
    runs: list[list[dt.date]] = [[]]
    for day, view in days.items():
        if view.is_working:
            runs.append([])
        else:
            runs[-1].append(day)
    named = []
    for run in runs:
        run_keys = list(dict.fromkeys(keys[day] for day in run if keys[day]))
        if run_keys:
            named.append((run_keys, run))
    makeup: dict[int, list[dt.date]] = {}
    for day, view in days.items():
        if not view.is_makeup or not named:
            continue

        def distance(item, day=day):
            return min(abs((day - item[1][0]).days), abs((day - item[1][-1]).days))

        same = [i for i, item in enumerate(named) if keys[day] in item[0]]
        best = min(same or range(len(named)), key=lambda i: distance(named[i]))
        if distance(named[best]) <= _MAKEUP_REACH_DAYS:
            makeup.setdefault(best, []).append(day)
    return [
        HolidayBreak(
            " · ".join(str(HOLIDAY_NAMES[key]) for key in run_keys),
            run[0],
            run[-1],
            tuple(makeup.get(i, ())),
        )
        for i, (run_keys, run) in enumerate(named)
    ]


# A make-up working day lies within a few weeks of the holiday it pays for.
_MAKEUP_REACH_DAYS = 40
