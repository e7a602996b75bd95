"""Login failures, locks and unlocks (issue 14, item 2): the audit rows, and the unlock by the
security administrator.

django-axes counts the failures and refuses locked logins; these services write what the
audit trail keeps of them: one row per failed attempt (a refused attempt during a lock too),
one row when an account or an address becomes locked, one per unlock.
"""

from __future__ import annotations

from axes.models import AccessAttempt
from django.db import transaction

from liaison.models import AuditEvent, User
from liaison.services.audit import audit_record


def _account(username: str) -> User | None:
    if not username:
        return None
    return User.objects.filter(username=username).first()


def login_failure_record(
    *,
    username: str,
    address: str,
    path: str,
    refused_locked: bool,
    failures: int | None,
    second_factor: bool = False,
) -> None:
    """One row per failed login: a wrong password or code, or a login refused for a lock."""
    account = _account(username)
    if refused_locked:
        summary = f"Login refused (locked): {username or '-'} from {address or '-'}"
    elif second_factor:
        summary = f"Wrong second-factor code: {username or '-'} from {address or '-'}"
    else:
        summary = f"Login failed: {username or '-'} from {address or '-'}"
    with transaction.atomic():
        audit_record(
            actor=None,
            action=AuditEvent.Action.LOGIN_FAILED,
            obj=account,
            object_type="" if account else "liaison.user",
            summary=summary,
            data={
                "username": username,
                "address": address,
                "path": path,
                "refused_locked": refused_locked,
                "failures": failures,
                "second_factor": second_factor,
            },
        )


def lock_record(*, username: str, address: str, failures: int | None, minutes: int) -> None:
    """The row of a new lock (the failure that reached the limit)."""
    account = _account(username)
    with transaction.atomic():
        audit_record(
            actor=None,
            action=AuditEvent.Action.LOCKED,
            obj=account,
            object_type="" if account else "liaison.user",
            summary=f"Locked after {failures} failed logins: {username or '-'} from {address}",
            data={
                "username": username,
                "address": address,
                "failures": failures,
                "minutes": minutes,
            },
        )


def account_unlock(*, actor: User, username: str = "", address: str = "") -> int:
    """Lift the lock of a user name (from every address) or of an address (for every user name):
    forget their counted failures. Returns how many attempt rows went."""
    if bool(username) == bool(address):
        raise ValueError("Unlock either a user name or an address.")
    with transaction.atomic():
        attempts = AccessAttempt.objects.filter(
            **({"username": username} if username else {"ip_address": address})
        )
        failures = sum(attempts.values_list("failures_since_start", flat=True))
        removed, _ = attempts.delete()
        account = _account(username)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UNLOCKED,
            obj=account,
            object_type="" if account else "liaison.user",
            summary=f"Unlocked: {username or address}",
            data={"username": username, "address": address, "failures": failures},
        )
    return removed
