"""Typing a person: an input takes "CODE name", a code or an exact name, with a <datalist> of
suggestions that works without JavaScript and that htmx refills from /people/search/ as the
user types (a province's people are too many for a select)."""

from __future__ import annotations

import json

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from liaison.models import User
from liaison.selectors.visits import person_lookup

PEOPLE_DATALIST_ID = "people-options"


class PersonReferenceField(forms.CharField):
    """A person or party the user may see, typed as "CODE name", a code, or an exact name."""

    def __init__(self, *, user: User, **kwargs):
        kwargs.setdefault("max_length", 150)
        super().__init__(**kwargs)
        self.user = user

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        matches = person_lookup(user=self.user, text=text)
        if not matches:
            raise forms.ValidationError(
                _("Nobody within your scope has the code or name “%(text)s”."),
                code="unknown",
                params={"text": text},
            )
        if len(matches) > 1:
            raise forms.ValidationError(
                _("Several people are called “%(text)s”: pick one from the list (with its code)."),
                code="ambiguous",
                params={"text": text},
            )
        return matches[0]


def person_input(html_name: str, placeholder: str = "") -> forms.TextInput:
    """The text input of a person field: suggestions from /people/search/ as the user types."""
    return forms.TextInput(
        attrs={
            "class": "form-control",
            "list": PEOPLE_DATALIST_ID,
            "autocomplete": "off",
            "placeholder": placeholder,
            "hx-get": reverse("liaison:person_search"),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": f"#{PEOPLE_DATALIST_ID}",
            "hx-vals": json.dumps({"field": html_name}),
            "hx-sync": "this:replace",
        }
    )
