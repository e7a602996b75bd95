"""Forms of the feedback app: they check the shape of the input; services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.constants import RATING_LINK_COMMENT_MAX_LENGTH, Satisfaction
from feedback.dashboard import default_period
from feedback.periods import Period, PeriodError
from liaison.constants import Colour
from liaison.models import Entry

# The rating form's name among the entry page's forms.
RATING_FORM = "rating"


class RatingForm(forms.Form):
    """The informant's rating, recorded on a return visit (R8); a yellow entry rated unsatisfied
    needs the new target date of its reopened round."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    value = forms.ChoiceField(
        label=_("Rating"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    target_on = forms.DateField(
        label=_("New target date if unsatisfied"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        help_text=_("A yellow entry reopened needs a target date at least 21 working days out."),
    )

    def __init__(self, *args, entry: Entry, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.entry = entry
        self.fields["version"].initial = entry.version
        if entry.colour != Colour.YELLOW:
            del self.fields["target_on"]

    def service_kwargs(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if data.get("value") != Satisfaction.UNSATISFIED:
            data.pop("target_on", None)  # only a reopened round needs one
        return data


class LinkRatingForm(forms.Form):
    """The informant's rating through a signed link: one value of the scale, shown as big
    buttons on a phone, and an optional comment."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    value = forms.ChoiceField(
        label=_("How satisfied are you with the reply?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"required": _("Choose one of the answers.")},
    )
    comment = forms.CharField(
        label=_("Anything you would like to add (optional)"),
        required=False,
        max_length=RATING_LINK_COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args, entry: Entry, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = entry.version


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
    FIELDS = frozenset({"org", "period", "start", "end"})

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
