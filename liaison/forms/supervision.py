"""The entry page's supervision forms (督办, R6): issue a notice, answer it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.constants import SUPERVISION_TEXT_MAX_LENGTH
from liaison.services.supervision import supervision_default_respond_by

TEXTAREA = {"rows": 3, "class": "form-control"}


class SupervisionIssueForm(forms.Form):
    instruction = forms.CharField(
        label=_("What the owner must do"),
        max_length=SUPERVISION_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    respond_by = forms.DateField(
        label=_("Answer by"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_supervise_%s")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("respond_by", supervision_default_respond_by())


class SupervisionAnswerForm(forms.Form):
    response = forms.CharField(
        label=_("Your answer"),
        max_length=SUPERVISION_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs=TEXTAREA),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_supervision_answer_%s")
        super().__init__(*args, **kwargs)
