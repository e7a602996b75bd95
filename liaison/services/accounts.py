"""User accounts: the Django-admin group through which the party-building department edits the
master data (org tree, units, people, pairings, taxonomies, calendar) without being superusers."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from liaison.models import User

MAINTAINER_GROUP = "党建部维护 (master data)"
MAINTAINED_MODELS = (
    "orgnode",
    "unit",
    "person",
    "pairing",
    "channel",
    "channelcategory",
    "servicecategory",
    "serviceitem",
    "calendarday",
    "calendaryear",
)
MAINTAINER_ACTIONS = ("view", "add", "change")


@transaction.atomic
def maintainer_group_ensure() -> Group:
    """Create or refresh the group with view/add/change on the master-data models (no delete)."""
    group, _created = Group.objects.get_or_create(name=MAINTAINER_GROUP)
    codenames = [
        f"{action}_{model}" for model in MAINTAINED_MODELS for action in MAINTAINER_ACTIONS
    ]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="liaison", codename__in=codenames)
    )
    return group


@transaction.atomic
def user_grant_master_data(*, user: User) -> User:
    """Let a party-building user into the Django admin for the master data."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(maintainer_group_ensure())
    return user
