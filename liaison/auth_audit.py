"""Logins, logouts and failed logins in the audit log (等保2.0 security audit).

Django's authentication signals are the documented hook for this (STYLE.md keeps business
logic out of signals; these receivers only hand the event to the audit service). They fire for
the site's login, the admin's login and any other backend (LDAP included).
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from liaison.services.audit import audit_login, audit_login_failed, audit_logout


def _logged_in(sender, request, user, **kwargs) -> None:
    audit_login(user=user, request=request)


def _logged_out(sender, request, user, **kwargs) -> None:
    audit_logout(user=user, request=request)


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already replaced the password in `credentials`; only the name is kept.
    audit_login_failed(username=str(credentials.get("username", "")), request=request)


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="liaison.audit.login")
    user_logged_out.connect(_logged_out, dispatch_uid="liaison.audit.logout")
    user_login_failed.connect(_login_failed, dispatch_uid="liaison.audit.login_failed")
