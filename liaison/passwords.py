"""The password rules (GB/T 22239-2019 level 3, §8.1.4.1): complexity, no reuse, expiry.

The two validators run wherever Django validates a password (the change page, the admin's
forms, `changepassword`); `password_change_reason` is the one place that decides whether a user
must choose a new password before going on (liaison.middleware.PasswordPolicyMiddleware).
"""

from __future__ import annotations

import string
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CHARACTER_CLASSES = (
    ("upper", str.isupper),
    ("lower", str.islower),
    ("digit", str.isdigit),
    ("symbol", lambda c: c in string.punctuation or not (c.isalnum() or c.isspace())),
)


def character_classes(password: str) -> int:
    """Count the classes (upper case, lower case, digit, symbol) the password uses."""
    return sum(any(test(c) for c in password) for _name, test in CHARACTER_CLASSES)


class CharacterClassValidator:
    """Refuse a password that mixes fewer than `min_classes` of the four character classes."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "Your password must mix at least %(n)d of: upper-case letters, lower-case letters, "
            "digits and symbols."
        ) % {"n": self.min_classes}


class PasswordHistoryValidator:
    """Refuse the password the user has now or had among their last `depth` passwords."""

    def __init__(self, depth: int = 5):
        self.depth = depth

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        former = list(
            user.password_history.order_by("-set_at", "-pk").values_list("password", flat=True)[
                : self.depth
            ]
        )
        if any(check_password(password, encoded) for encoded in [user.password, *former]):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must differ from your last password.",
            "Your password must differ from your last %(n)d passwords.",
            self.depth,
        ) % {"n": self.depth}


class ChangeReason:
    """Why a user must choose a new password now."""

    FIRST_LOGIN = "first_login"
    EXPIRED = "expired"


def password_change_reason(user) -> str:
    """Return why the user must change their password before going on, or "" if they need not.

    An account whose password an administrator chose changes it at the first login; any
    password expires PASSWORD_MAX_AGE_DAYS after it was set (0: never). Accounts without a
    usable password (a directory's, a demo party's) have nothing to change.
    """
    if not user.is_authenticated or not user.has_usable_password():
        return ""
    if user.must_change_password:
        return ChangeReason.FIRST_LOGIN
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if max_age and timezone.now() - user.password_changed_at > timedelta(days=max_age):
        return ChangeReason.EXPIRED
    return ""
