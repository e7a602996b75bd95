"""The escalation ladder's page (R22): one row per step, a few empty rows to add one."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.constants import Colour
from liaison.deadlines import LADDER_MAX_STEPS, LadderStep
from liaison.models import ESCALATION_RECIPIENTS, EscalationStep

_CHECK = {"class": "form-check-input"}


class EscalationStepForm(forms.Form):
    working_days = forms.IntegerField(
        label=_("Working days (− before, + after the due date)"),
        min_value=-20,
        max_value=60,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
        error_messages={"invalid": _("Write a whole number of working days, e.g. −1 or 3.")},
    )
    colour = forms.ChoiceField(
        label=_("Colour"),
        choices=[("", _("Any")), *Colour.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    to_owner = forms.BooleanField(
        label=_("the owner"), required=False, widget=forms.CheckboxInput(_CHECK)
    )
    to_secretary = forms.BooleanField(
        label=_("the branch secretary"), required=False, widget=forms.CheckboxInput(_CHECK)
    )
    to_committee = forms.BooleanField(
        label=_("the party committee's staff"), required=False, widget=forms.CheckboxInput(_CHECK)
    )
    to_party_building = forms.BooleanField(
        label=_("the party-building department"), required=False, widget=forms.CheckboxInput(_CHECK)
    )
    to_department = forms.BooleanField(
        label=_("the handling department"), required=False, widget=forms.CheckboxInput(_CHECK)
    )
    remove = forms.BooleanField(
        label=_("Remove"), required=False, widget=forms.CheckboxInput(_CHECK)
    )

    def step(self) -> dict:
        data = self.cleaned_data
        return {
            "working_days": data["working_days"],
            "colour": data.get("colour") or "",
            **{f"to_{name}": bool(data.get(f"to_{name}")) for name in ESCALATION_RECIPIENTS},
        }


EscalationFormSet = forms.formset_factory(
    EscalationStepForm, extra=2, max_num=LADDER_MAX_STEPS + 2, absolute_max=LADDER_MAX_STEPS + 2
)


def ladder_initial(steps: list[LadderStep]) -> list[dict]:
    """The rows of the ladder in force (stored, or the default)."""
    return [
        {
            "working_days": step.working_days,
            "colour": step.colour,
            **{f"to_{name}": name in step.recipients for name in ESCALATION_RECIPIENTS},
        }
        for step in steps
    ]


def kept_steps(formset) -> list[dict]:
    """The filled rows not marked for removal, as escalation_ladder_save takes them."""
    return [
        form.step()
        for form in formset.forms
        if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("remove")
    ]


__all__ = ["EscalationFormSet", "EscalationStep", "kept_steps", "ladder_initial"]
