"""Forms of the calendar page: they check the shape of the input; the calendar service decides."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from liaison.services.calendar import calendar_check_year, calendar_year_check
from liaison.workdays import FIRST_YEAR, LAST_YEAR

# Dates are separated by commas, semicolons, 、 or white space; a range is "a~b", "a..b" or "a至b".
_SEPARATORS = re.compile(r"[\s,，;；、]+")
_RANGE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:~|～|\.\.|至)(\d{4}-\d{1,2}-\d{1,2})$")
_MAX_RANGE_DAYS = 31


def _parse_date(text: str) -> dt.date:
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day)
    except ValueError as error:
        raise ValidationError(
            _("“%(text)s” is not a date; write it as 2027-10-01."), params={"text": text[:40]}
        ) from error


def parse_dates(text: str) -> list[dt.date]:
    """Return the dates written in `text`: single dates and ranges such as 2027-10-01~2027-10-07."""
    dates: list[dt.date] = []
    errors: list[ValidationError] = []
    for token in filter(None, _SEPARATORS.split(text.strip())):
        try:
            match = _RANGE.match(token)
            if match is None:
                dates.append(_parse_date(token))
                continue
            first, last = _parse_date(match[1]), _parse_date(match[2])
            if not 0 <= (last - first).days < _MAX_RANGE_DAYS:
                raise ValidationError(
                    _("“%(text)s”: a range runs forward and spans at most %(days)s days."),
                    params={"text": token[:40], "days": _MAX_RANGE_DAYS},
                )
            dates.extend(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors[:10])
    return sorted(set(dates))


class CalendarDayForm(forms.Form):
    """One date declared a working day or a day off."""

    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    is_working = forms.TypedChoiceField(
        label=_("This day is"),
        choices=[("0", _("a day off")), ("1", _("a working day"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("Why, for example “typhoon: offices closed by the city”."),
    )

    def clean_date(self):
        date = self.cleaned_data["date"]
        calendar_check_year(date.year)
        return date


class CalendarDayClearForm(forms.Form):
    """The date whose entry is removed."""

    date = forms.DateField(widget=forms.HiddenInput)


class CalendarYearForm(forms.Form):
    """A whole year's schedule as the State Council publishes it."""

    year = forms.IntegerField(
        label=_("Year"),
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    holidays = forms.CharField(
        label=_("Days off"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control font-monospace"}),
        help_text=_(
            "Every day off of the holidays, one date or range a line: 2027-10-01~2027-10-07. "
            "Weekends need not be listed."
        ),
    )
    workdays = forms.CharField(
        label=_("Make-up working days"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control font-monospace"}),
        help_text=_("The Saturdays and Sundays that are working days (调休)."),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("For example the notice's number: 国办发明电〔2026〕…号."),
    )

    def clean_holidays(self):
        return parse_dates(self.cleaned_data["holidays"])

    def clean_workdays(self):
        return parse_dates(self.cleaned_data.get("workdays", ""))

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            calendar_year_check(
                year=data["year"], holidays=data["holidays"], workdays=data["workdays"]
            )
        except ValidationError as error:
            self.add_error(None, error)
        return data


class CalendarStatutoryForm(forms.Form):
    """A year whose schedule is copied from the chinese-calendar package."""

    year = forms.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR, widget=forms.HiddenInput)
