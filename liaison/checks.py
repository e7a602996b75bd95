"""System checks of the settings (`manage.py check`)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


def directory_settings_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Report LDAP settings that would let nobody sign on, or give a role that does not exist."""
    from liaison.constants import Role

    if not settings.LDAP_AUTH_URL:
        return []
    errors = []
    if not settings.LDAP_AUTH_SEARCH_BASE:
        errors.append(checks.Error("LDAP_URL is set but LDAP_USER_BASE is not.", id="ledger.E101"))
    if not isinstance(settings.LDAP_GROUP_ROLES, dict) or not settings.LDAP_GROUP_ROLES:
        errors.append(
            checks.Error(
                "LDAP_URL is set but LDAP_GROUP_ROLES maps no group to a role: nobody from the "
                "directory could sign on.",
                id="ledger.E102",
            )
        )
    else:
        for group, role in settings.LDAP_GROUP_ROLES.items():
            if role not in Role.values:
                errors.append(
                    checks.Error(
                        f"LDAP_GROUP_ROLES maps {group!r} to {role!r}, which is no role.",
                        hint="Roles: " + ", ".join(Role.values),
                        id="ledger.E103",
                    )
                )
    return errors


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
