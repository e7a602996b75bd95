"""The working-day calendar page (R1), for those who maintain master data; everyone else 404."""

from __future__ import annotations

import re
from http import HTTPStatus

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from liaison.forms import (
    CalendarDayClearForm,
    CalendarDayForm,
    CalendarStatutoryForm,
    CalendarYearForm,
)
from liaison.services import calendar as service
from liaison.views.imports import maintainers_only
from liaison.workdays import FIRST_YEAR, LAST_YEAR, calendar_year_view


@maintainers_only
@require_safe
def calendar_year(request):
    raw = request.GET.get("year") or str(timezone.localdate().year)
    if not re.fullmatch(r"[0-9]{4}", raw) or not FIRST_YEAR <= int(raw) <= LAST_YEAR:
        raise BadRequest(_("Choose a year from %(first)s to %(last)s.") % _YEARS)
    return _page(request, int(raw))


@maintainers_only
@require_POST
def calendar_day_set(request):
    form = CalendarDayForm(request.POST)
    return _change(request, form, "day_form", service.calendar_day_set)


@maintainers_only
@require_POST
def calendar_day_clear(request):
    form = CalendarDayClearForm(request.POST)
    return _change(request, form, "clear_form", service.calendar_day_clear)


@maintainers_only
@require_POST
def calendar_year_load(request):
    form = CalendarYearForm(request.POST)
    return _change(request, form, "year_form", service.calendar_year_load)


@maintainers_only
@require_POST
def calendar_year_statutory(request):
    form = CalendarStatutoryForm(request.POST)
    return _change(request, form, "statutory_form", service.calendar_year_load_statutory)


def _change(request, form, name: str, action):
    """Apply a valid form with the calendar service and go back to its year; otherwise show
    the year again with the form's errors (400)."""
    if form.is_valid():
        try:
            change = action(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _done(request, _year_of(form), change)
    return _page(request, _year_of(form), **{name: form})


_YEARS = {"first": FIRST_YEAR, "last": LAST_YEAR}


def _year_of(form) -> int:
    """The year to show again with a refused form: the one it names, else this year."""
    value = form.cleaned_data.get("year") or form.cleaned_data.get("date")
    value = getattr(value, "year", value)
    return value if value and FIRST_YEAR <= value <= LAST_YEAR else timezone.localdate().year


def _page(request, year: int, **forms):
    """Render the year; a refused form comes back with its errors and a 400."""
    status = HTTPStatus.BAD_REQUEST if forms else HTTPStatus.OK
    context = {
        "view": calendar_year_view(year),
        "day_form": CalendarDayForm(initial={"is_working": "0"}),
        "year_form": CalendarYearForm(initial={"year": year}),
        "clear_form": None,
        "statutory_form": None,
        "first_year": FIRST_YEAR,
        "last_year": LAST_YEAR,
        "weekdays": [WEEKDAYS_ABBR[i] for i in range(7)],
        **forms,
    }
    return render(request, "liaison/calendar.html", context, status=status)


def _done(request, year: int, change: service.CalendarChange):
    text = ngettext(
        "Calendar saved; %(count)s open entry got a new due date.",
        "Calendar saved; %(count)s open entries got a new due date.",
        change.recomputed,
    )
    messages.success(request, text % {"count": change.recomputed})
    return redirect(f"{reverse('liaison:calendar')}?year={year}")
