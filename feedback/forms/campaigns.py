"""Forms of the campaign pages: they check the shape of the input and find the parties named
by code; the services (feedback.services.campaigns, .campaign_pairs) decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feedback.constants import ASSESSMENT_DEFAULT_WEIGHTS
from feedback.selectors.campaigns import WEIGHT_KEYS
from feedback.services.campaigns import FIRST_YEAR
from liaison.constants import PairingShape
from liaison.models import OrgNode, Person, Unit

WEIGHT_LABELS = {
    "satisfaction": _("Entry satisfaction rate (%)"),
    "on_time": _("On-time reply rate (%)"),
    "reverse": _("Reverse evaluation (%)"),
    "review": _("Monthly reviews signed (%)"),
}
SMALL = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}
RATER_KINDS = PairingShape.choices  # person, unit, branch
RATEE_KINDS = [
    (PairingShape.PERSON, PairingShape.PERSON.label),
    (PairingShape.ORG, PairingShape.ORG.label),
]
REFERENCE_MAX_LENGTH = 150


class WeightsForm(forms.Form):
    """The four weights of the year's assessment table, adding up to 100."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in WEIGHT_KEYS:
            self.fields[f"weight_{key}"] = forms.IntegerField(
                label=WEIGHT_LABELS[key],
                min_value=0,
                max_value=100,
                initial=ASSESSMENT_DEFAULT_WEIGHTS[key],
                widget=forms.NumberInput(attrs=SMALL),
            )

    def clean(self):
        data = super().clean()
        values = [data.get(f"weight_{key}") for key in WEIGHT_KEYS]
        if None not in values and sum(values) != 100:
            raise forms.ValidationError(
                _("The weights must add up to 100 (they add up to %(sum)s)."),
                params={"sum": sum(values)},
            )
        return data

    def weights(self) -> dict[str, int]:
        return {key: self.cleaned_data[f"weight_{key}"] for key in WEIGHT_KEYS}


class CampaignCreateForm(WeightsForm):
    year = forms.IntegerField(
        label=_("Year"), min_value=FIRST_YEAR, max_value=9999, widget=forms.NumberInput(attrs=SMALL)
    )

    field_order = ["year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The evaluation of the year drawing to a close, as the department runs it each winter.
        self.fields["year"].initial = timezone.localdate().year


class CampaignOpenForm(forms.Form):
    closes_on = forms.DateField(
        label=_("Closes on"),
        help_text=_("Raters answer until the end of this day."),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={**SMALL, "type": "date"}),
    )


def _by_code(model, text: str):
    """The row of `model` whose code is the first word of `text` ("CODE name" or "CODE")."""
    code = (text.split() or [""])[0]
    found = model.objects.filter(code=code).first()
    if found is None:
        raise forms.ValidationError(
            _("No %(kind)s has the code “%(code)s”."),
            params={"kind": model._meta.verbose_name, "code": code},
            code="unknown",
        )
    return found


class PairAddForm(forms.Form):
    """Who rates whom, added by hand: each side by its kind and its code."""

    rater_kind = forms.ChoiceField(
        label=_("Rater is a"), choices=RATER_KINDS, widget=forms.Select(attrs=SELECT)
    )
    rater = forms.CharField(
        label=_("Rater's code"),
        max_length=REFERENCE_MAX_LENGTH,
        widget=forms.TextInput(attrs={**SMALL, "placeholder": _("code, e.g. P000123")}),
    )
    ratee_kind = forms.ChoiceField(
        label=_("Rated is a"), choices=RATEE_KINDS, widget=forms.Select(attrs=SELECT)
    )
    ratee = forms.CharField(
        label=_("Rated person's or branch's code"),
        max_length=REFERENCE_MAX_LENGTH,
        widget=forms.TextInput(attrs={**SMALL, "placeholder": _("code")}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_pair_%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        sides = {
            "rater": {
                PairingShape.PERSON: Person,
                PairingShape.UNIT: Unit,
                PairingShape.ORG: OrgNode,
            },
            "ratee": {PairingShape.PERSON: Person, PairingShape.ORG: OrgNode},
        }
        for side, models in sides.items():
            text, kind = data.get(side), data.get(f"{side}_kind")
            if text and kind in models:
                try:
                    data[side] = _by_code(models[kind], text)
                except forms.ValidationError as error:
                    self.add_error(side, error)
        return data


class SheetForm(forms.Form):
    """The printed sheet's query: only the raters who have not answered, and a page."""

    unanswered = forms.BooleanField(required=False)
    page = forms.IntegerField(min_value=1, max_value=10**6, required=False)
