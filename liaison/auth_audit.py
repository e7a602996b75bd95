"""Logins and logouts in the audit log (等保2.0 security audit); failed logins and locks are
liaison.security's (one row per attempt, with the lock's count).

Django's authentication signals are the documented hook for this (STYLE.md keeps business
logic out of signals; these receivers only hand the event to the audit service). They fire for
the site's login, the admin's login and any other backend (LDAP included).
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out

from liaison.services.audit import audit_login, audit_logout


def _logged_in(sender, request, user, **kwargs) -> None:
    audit_login(user=user, request=request)


def _logged_out(sender, request, user, **kwargs) -> None:
    audit_logout(user=user, request=request)


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="liaison.audit.login")
    user_logged_out.connect(_logged_out, dispatch_uid="liaison.audit.logout")
