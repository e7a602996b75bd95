"""Forms of the closing page (R24): the month to close through, with a confirmation; the reason
for reopening. The services (feedback.services.closing) decide what is allowed."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

SELECT = {"class": "form-select form-select-sm"}


class MonthCloseForm(forms.Form):
    month = forms.TypedChoiceField(
        label=_("Close every month up to"),
        coerce=dt.date.fromisoformat,
        widget=forms.Select(attrs=SELECT),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the figures of these months will no longer change."),
        error_messages={"required": _("Confirm that the months are to be closed.")},
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, months: list[dt.date], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["month"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(month.isoformat(), f"{month:%Y-%m}") for month in months]
        if months:  # offered: through the last month that has ended, as month-end closing does
            field.initial = max(months).isoformat()


class MonthReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        max_length=500,
        error_messages={"required": _("Say why the month is reopened.")},
        widget=forms.Textarea(attrs={"class": "form-control form-control-sm", "rows": 2}),
    )
