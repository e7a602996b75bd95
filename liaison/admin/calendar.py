"""The working-day calendar: days and years, each change recomputing open entries' deadlines."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import ngettext

from liaison.admin.audited import AuditedAdmin
from liaison.models import (
    CalendarDay,
    CalendarYear,
)
from liaison.services import calendar as calendar_service


class CalendarDayAdminForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ("date", "is_working", "note")

    def clean_date(self):
        date = self.cleaned_data["date"]
        calendar_service.calendar_check_year(date.year)
        return date


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    """A day saved here goes through the calendar service: it is audited and the due dates of
    the open entries it touches are recomputed. A day is removed on the calendar page."""

    form = CalendarDayAdminForm
    list_display = ("date", "is_working", "note", "updated_by", "updated_at")
    list_filter = ("is_working",)
    search_fields = ("note",)
    date_hierarchy = "date"
    list_select_related = ("updated_by",)

    def get_readonly_fields(self, request, obj=None):
        return ("date",) if obj else ()

    def save_model(self, request, obj, form, change):
        result = calendar_service.calendar_day_set(
            actor=request.user, date=obj.date, is_working=obj.is_working, note=obj.note
        )
        _report_recompute(request, result)
        obj.pk = result.obj.pk
        obj.refresh_from_db()


class CalendarYearAdminForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ("year", "note")

    def clean_year(self):
        year = self.cleaned_data["year"]
        calendar_service.calendar_check_year(year)
        return year


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedAdmin):
    """A year saved here is marked entered (its due dates stop being provisional) through the
    calendar service; enter its days on the calendar page or as calendar days."""

    form = CalendarYearAdminForm
    list_display = ("year", "note", "entered_by", "entered_at")
    search_fields = ("note",)
    list_select_related = ("entered_by",)

    def get_readonly_fields(self, request, obj=None):
        return ("year",) if obj else ()

    def save_model(self, request, obj, form, change):
        result = calendar_service.calendar_year_confirm(
            actor=request.user, year=obj.year, note=obj.note
        )
        _report_recompute(request, result)
        obj.pk = result.obj.pk
        obj.refresh_from_db()


def _report_recompute(request, result: calendar_service.CalendarChange) -> None:
    messages.info(
        request,
        ngettext(
            "%(count)s open entry got a new due date.",
            "%(count)s open entries got a new due date.",
            result.recomputed,
        )
        % {"count": result.recomputed},
    )
