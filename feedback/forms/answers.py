"""The rater's form: for each ratee on the list a value of the scale (required) and a comment
(optional). Fields are named after the assignment (``value_<id>``, ``comment_<id>``); anything
else posted is ignored, so a forged field about someone not on the list never reaches the
service."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.constants import Satisfaction
from feedback.models import EvaluationAssignment
from feedback.services.answers import COMMENT_MAX_LENGTH


@dataclass(frozen=True)
class AnswerRow:
    """One ratee on the page, with its two bound fields."""

    assignment: EvaluationAssignment
    value: forms.BoundField
    comment: forms.BoundField


class EvaluationAnswersForm(forms.Form):
    def __init__(self, *args, assignments: list[EvaluationAssignment], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.assignments = assignments
        for assignment in assignments:
            self.fields[f"value_{assignment.pk}"] = forms.ChoiceField(
                label=_("Your rating"),
                choices=Satisfaction.choices,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                error_messages={"required": _("Choose one of the answers.")},
            )
            self.fields[f"comment_{assignment.pk}"] = forms.CharField(
                label=_("Comment (optional)"),
                required=False,
                max_length=COMMENT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )

    @property
    def rows(self) -> list[AnswerRow]:
        return [
            AnswerRow(a, self[f"value_{a.pk}"], self[f"comment_{a.pk}"]) for a in self.assignments
        ]

    def answers(self) -> dict[int, tuple[str, str]]:
        """The cleaned answers, as evaluation_submit takes them."""
        data = self.cleaned_data
        return {a.pk: (data[f"value_{a.pk}"], data[f"comment_{a.pk}"]) for a in self.assignments}
