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
