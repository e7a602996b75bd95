"""System checks of the liaison app's settings."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

# 等保2.0 level 3 (GB/T 22239-2019 §8.1.4.3) keeps audit records at least six months.
AUDIT_RETENTION_MIN_DAYS = 180


def audit_retention(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Warn when the audit log's retention is set below six months."""
    days = settings.AUDIT_RETENTION_DAYS
    if days >= AUDIT_RETENTION_MIN_DAYS:
        return []
    return [
        checks.Warning(
            f"AUDIT_RETENTION_DAYS is {days}: the audit log must be kept at least "
            f"{AUDIT_RETENTION_MIN_DAYS} days.",
            id="liaison.W001",
        )
    ]
