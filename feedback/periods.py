"""Reporting periods: whole calendar months, the unit of the roll-ups (R7).

A period is a run of months: one month, a quarter, a year, or any range of months. A date range
maps to a period only when it starts on a month's first day and ends on a month's last day;
anything else is refused rather than rounded, so that a figure never silently covers days that
were not asked for.

Text forms (for URLs and the command line): ``2026-03`` (a month), ``2026-Q1`` (a quarter),
``2026`` (a year), ``2026-01..2026-06`` (months from … to).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

MAX_MONTHS = 120  # ten years: enough for any dashboard, few enough rows to read
# The years a period may touch (the month before and after stay valid dates).
FIRST_YEAR, LAST_YEAR = 1901, 9998


def month_of(day: dt.date) -> dt.date:
    """Return the first day of the month of `day`."""
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    """Return the first day of the month after `month`."""
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def months_from(start: dt.date, last: dt.date) -> list[dt.date]:
    """The months from the month of `start` to that of `last` (firsts of months), inclusive."""
    months, month = [], month_of(start)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def local_month(moment: dt.datetime) -> dt.date:
    """Return the month of `moment` in the site's time zone (its local date's)."""
    return month_of(timezone.localtime(moment).date())


class PeriodError(ValueError):
    """The text or dates do not name a period; the message says why (translated)."""


@dataclass(frozen=True)
class Period:
    """The months from `first` to `last` (each the first day of its month), inclusive."""

    first: dt.date
    last: dt.date

    def __post_init__(self):
        if not (self.first.year >= FIRST_YEAR and self.last.year <= LAST_YEAR):
            raise PeriodError(
                _("A period lies between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        if self.first.day != 1 or self.last.day != 1:
            raise PeriodError(_("A period runs from the first of a month."))
        if self.first > self.last:
            raise PeriodError(_("The period ends before it starts."))
        if len(self.months) > MAX_MONTHS:
            raise PeriodError(
                _("A period covers at most %(months)d months.") % {"months": MAX_MONTHS}
            )

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = dt.date(year, month, 1)
        return cls(first, first)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise PeriodError(_("A quarter is Q1 to Q4."))
        return cls(dt.date(year, 3 * quarter - 2, 1), dt.date(year, 3 * quarter, 1))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 1))

    @classmethod
    def current_month(cls, today: dt.date | None = None) -> Period:
        first = month_of(today or timezone.localdate())
        return cls(first, first)

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> Period:
        """The months from `start` (a first of a month) to `end` (a last day of a month)."""
        if start > end:
            raise PeriodError(_("The start date lies after the end date."))
        if not (start.year >= FIRST_YEAR and end.year <= LAST_YEAR):
            raise PeriodError(
                _("A period lies between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        if start.day != 1:
            raise PeriodError(
                _("Figures cover whole months: start on the first of a month, not %(date)s.")
                % {"date": start.isoformat()}
            )
        if (end + dt.timedelta(days=1)).day != 1:
            raise PeriodError(
                _("Figures cover whole months: end on the last day of a month, not %(date)s.")
                % {"date": end.isoformat()}
            )
        return cls(start, month_of(end))

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read ``2026-03``, ``2026-Q1``, ``2026`` or ``2026-01..2026-06``."""
        text = (text or "").strip()
        try:
            if match := re.fullmatch(r"(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})", text):
                y1, m1, y2, m2 = map(int, match.groups())
                return cls(dt.date(y1, m1, 1), dt.date(y2, m2, 1))
            if match := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
                return cls.quarter(int(match[1]), int(match[2]))
            if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
                return cls.month(int(match[1]), int(match[2]))
            if re.fullmatch(r"\d{4}", text):
                return cls.year(int(text))
        except ValueError as error:
            if isinstance(error, PeriodError):
                raise
        raise PeriodError(
            _("“%(text)s” is not a period: write 2026-03, 2026-Q1, 2026 or 2026-01..2026-06.")
            % {"text": text}
        )

    @property
    def end(self) -> dt.date:
        """The period's last day."""
        return next_month(self.last) - dt.timedelta(days=1)

    @property
    def months(self) -> list[dt.date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = next_month(month)
        return months

    @property
    def years(self) -> list[int]:
        return list(range(self.first.year, self.last.year + 1))

    def previous(self) -> Period:
        """The period of as many months just before this one (for comparisons)."""
        count = len(self.months)
        last = month_of(self.first - dt.timedelta(days=1))
        first = last
        for _step in range(count - 1):
            first = month_of(first - dt.timedelta(days=1))
        return Period(first, last)

    def __str__(self) -> str:
        if self.first == self.last:
            return f"{self.first:%Y-%m}"
        if self.first.month == 1 and self.last.month == 12 and self.first.year == self.last.year:
            return f"{self.first.year}"
        quarter, rest = divmod(self.first.month - 1, 3)
        if not rest and self.last == dt.date(self.first.year, self.first.month + 2, 1):
            return f"{self.first.year}-Q{quarter + 1}"
        return f"{self.first:%Y-%m}..{self.last:%Y-%m}"
