"""The current login locks (django-axes' counted failures), for the security administrator."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Min, Q, Sum
from django.utils import timezone

# A page shows at most this many locked user names and as many locked addresses.
LOCKS_SHOWN = 200


@dataclass(frozen=True)
class Lock:
    key: str  # the user name or the address
    failures: int
    since: datetime  # the first counted failure
    until: datetime  # the lock lifts by itself at this time at the latest


@dataclass(frozen=True)
class Locks:
    accounts: list[Lock]
    addresses: list[Lock]


def _cool_off() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _locked(field: str, recent) -> list[Lock]:
    named = recent.filter(**{f"{field}__isnull": False})
    if field == "username":  # (an address field takes "" for NULL: compared, it drops all)
        named = named.exclude(username="")
    rows = (
        named.values(field)
        .annotate(
            failures=Sum("failures_since_start"),
            since=Min("attempt_time"),
            last=Max("attempt_time"),
        )
        .filter(failures__gte=settings.LOGIN_FAILURE_LIMIT)
        .order_by("-last", field)[:LOCKS_SHOWN]
    )
    return [
        Lock(row[field], row["failures"], row["since"], row["last"] + _cool_off()) for row in rows
    ]


def current_locks() -> Locks:
    """User names and addresses with LOGIN_FAILURE_LIMIT failures counted within the lock time
    (two queries)."""
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - _cool_off())
    return Locks(accounts=_locked("username", recent), addresses=_locked("ip_address", recent))


def lock_minutes_left(*, username: str, address: str) -> int:
    """Whole minutes until a lock on this user name or address lifts by itself (at least 1)."""
    cool_off = _cool_off()
    if not username and not address:
        return settings.LOGIN_LOCKOUT_MINUTES
    match = Q(username=username) if username else Q(ip_address=address)
    if username and address:
        match |= Q(ip_address=address)
    last = AccessAttempt.objects.filter(
        match, attempt_time__gte=timezone.now() - cool_off
    ).aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return settings.LOGIN_LOCKOUT_MINUTES
    left = (last + cool_off - timezone.now()).total_seconds() / 60
    return max(1, math.ceil(left))
