"""The dashboard's query: the node and the period asked for; any other parameter is refused."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.periods import Period, PeriodError
from feedback.selectors.dashboard import default_period
from liaison.models import Channel


class DashboardForm(forms.Form):
    """The dashboard's query: which node (default: the top of the user's subtree) and which
    period — a listed one (``2026-03``, ``2026-Q1``, ``2026``) or a range of months."""

    org = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    period = forms.CharField(label=_("Period"), required=False, max_length=30)
    start = forms.DateField(
        label=_("From month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}),
    )
    end = forms.DateField(
        label=_("To month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}),
    )
    channels = forms.ModelMultipleChoiceField(
        label=_("Channels or campaigns"),
        queryset=Channel.objects.select_related("category").order_by("scope", "position", "name"),
        required=False,
        help_text=_("Their figures together: the repeat rate of one or several campaigns."),
    )
    FIELDS = frozenset({"org", "period", "start", "end", "channels"})

    def clean(self):
        data = super().clean()
        if set(self.data) - self.FIELDS:
            names = ", ".join(sorted(set(self.data) - self.FIELDS))
            raise forms.ValidationError(_("Unknown parameter: %(names)s") % {"names": names})
        start, end = data.get("start"), data.get("end")
        try:
            if start or end:
                if not (start and end):
                    raise PeriodError(_("Give both the first and the last month."))
                data["the_period"] = Period(start.replace(day=1), end.replace(day=1))
            elif data.get("period"):
                data["the_period"] = Period.parse(data["period"])
            else:
                data["the_period"] = default_period()
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None
        return data
