"""The results page's query: a level of the four (optional) and a page number; any other
parameter is refused (400 with a message)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.constants import Level


class ResultsQueryForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("All levels")), *Level.choices], required=False
    )
    page = forms.IntegerField(label=_("Page"), min_value=1, required=False)

    def clean(self):
        unknown = sorted(set(self.data) - set(self.fields))
        if unknown:
            raise forms.ValidationError(
                _("Unknown parameter: %(names)s.") % {"names": ", ".join(unknown)}
            )
        return super().clean()
