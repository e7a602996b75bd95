from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    """A six-digit code of the authenticator app."""

    token = forms.RegexField(
        label=_("Code"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("Enter the six digits the authenticator app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        return self.cleaned_data["token"].strip()
