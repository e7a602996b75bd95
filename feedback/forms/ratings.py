"""Forms of a rating: on a return visit (the entry page) and through the informant's signed link.
They check the shape of the input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.constants import (
    RATING_LINK_COMMENT_MAX_LENGTH,
    ReturnVisitMethod,
    ReturnVisitOutcome,
    Satisfaction,
)
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


class ReturnVisitForm(RatingForm):
    """A return visit from the queue (R21): how the informant was reached and what came of it;
    the rating and comment when they gave one."""

    method = forms.ChoiceField(
        label=_("How"),
        choices=ReturnVisitMethod.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=ReturnVisitOutcome.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

    def __init__(self, *args, entry: Entry, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"id_rv{entry.pk}_%s")
        super().__init__(*args, entry=entry, **kwargs)
        self.fields["value"].required = False
        self.order_fields(["method", "outcome", "value", "comment", "target_on", "note"])

    def clean(self):
        data = super().clean()
        if data.get("outcome") == ReturnVisitOutcome.RATED and not data.get("value"):
            self.add_error("value", _("Record the rating the informant gave."))
        return data

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        if data.get("outcome") != ReturnVisitOutcome.RATED:
            data.pop("target_on", None)
        return data
