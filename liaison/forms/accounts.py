"""The login form."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from liaison.auth import REFUSAL_ATTRIBUTE


class LoginForm(AuthenticationForm):
    """The login form; says why the directory refused a person instead of "wrong password"."""

    def get_invalid_login_error(self) -> ValidationError:
        message = getattr(self.request, REFUSAL_ATTRIBUTE, "")
        if message:
            return ValidationError(message, code="directory")
        return super().get_invalid_login_error()
