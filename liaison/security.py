"""Login security: the client's address, who needs a second factor, and the audit rows of
login failures and locks (django-axes and Django's signals, connected in LiaisonConfig.ready).

The lock itself is django-axes' (settings LOGIN_FAILURE_LIMIT, LOGIN_LOCKOUT_MINUTES); the
locks page and the unlock are liaison.selectors.locks and liaison.services.locks.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from liaison.constants import ADMINISTRATOR_ROLES
from liaison.models import User


def client_address(request: HttpRequest) -> str:
    """The address a login comes from: REMOTE_ADDR, or behind LOGIN_PROXY_COUNT proxies the
    address the outermost proxy saw (each proxy appends the address it saw to X-Forwarded-For;
    what stands further left, the client wrote itself). A header too short, or no address
    there: REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.LOGIN_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


def needs_second_factor(user: User) -> bool:
    """Whether this signed-in user must pass the TOTP second factor (ADMIN_2FA=1): the three
    administrator roles, and a superuser (who holds every power)."""
    if not settings.ADMIN_2FA or not user.is_authenticated:
        return False
    return user.role in ADMINISTRATOR_ROLES or user.is_superuser


# -- Audit of failures and locks (connected in LiaisonConfig.ready, after axes' own receivers,
# so that axes has counted the failure and flagged the request when these run) ---------------


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """axes.signals.user_locked_out: mark a new lock (written with the failure that caused it).

    axes sends it for the failure that reaches the limit (it has just counted, so
    axes_failures_since_start is set) and again for each attempt refused during the lock
    (not counted: that is no new lock).
    """
    if request is not None and getattr(request, "axes_failures_since_start", None) is not None:
        request.ledger_new_lock = True


def on_login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    """django.contrib.auth.signals.user_login_failed: one audit row per failed attempt, and one
    more when it locked the account or the address."""
    from liaison.services.locks import lock_record, login_failure_record

    username = str(credentials.get("username") or "")[:150]
    address = ""
    path = ""
    refused = False
    failures = None
    if request is not None:
        address = getattr(request, "axes_ip_address", None) or client_address(request)
        path = request.path[:200]
        failures = getattr(request, "axes_failures_since_start", None)
        refused = bool(getattr(request, "axes_locked_out", False)) and failures is None
    login_failure_record(
        username=username,
        address=address,
        path=path,
        refused_locked=refused,
        failures=failures,
        second_factor=bool(credentials.get("second_factor")),
    )
    if request is not None and getattr(request, "ledger_new_lock", False):
        request.ledger_new_lock = False
        lock_record(
            username=username,
            address=address,
            failures=failures,
            minutes=settings.LOGIN_LOCKOUT_MINUTES,
        )
