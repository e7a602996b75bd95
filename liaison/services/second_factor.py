"""The administrators' second factor (TOTP, django-otp; ADMIN_2FA=1): enrol an authenticator
app, reset it (security administrator), each audited."""

from __future__ import annotations

import time

from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.models import AuditEvent, User
from liaison.services.audit import audit_record

DEVICE_NAME = "authenticator"


def second_factor_enrol(*, user: User, key: str, token: str) -> TOTPDevice | None:
    """Confirm an authenticator app holding `key` (hex) by one of its codes: the device is
    saved confirmed, or None when the code is wrong (nothing is saved then)."""
    device = TOTPDevice(user=user, name=DEVICE_NAME, key=key, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not token.isdigit() or not totp.verify(int(token), device.tolerance):
        return None
    device.last_t = totp.t()  # the same code cannot be used again to sign in
    with transaction.atomic():
        device.full_clean()
        device.save()
        audit_record(
            actor=user,
            action=AuditEvent.Action.CREATED,
            obj=device,
            summary=f"Second factor enrolled: {user.username}",
            data={"user": user.username},
        )
    return device


def second_factor_reset(*, actor: User, user: User) -> int:
    """Remove a user's authenticator apps (a lost phone): they enrol again at the next login."""
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        audit_record(
            actor=actor,
            action=AuditEvent.Action.DEACTIVATED,
            obj=user,
            summary=f"Second factor reset: {user.username}",
            data={"second_factor_devices_removed": removed},
        )
    return removed
