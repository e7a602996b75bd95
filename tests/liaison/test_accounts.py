"""The party-building department edits master data in the admin without being superuser."""

from http import HTTPStatus

from django.urls import reverse

from liaison.constants import Role
from liaison.services.accounts import user_grant_master_data


def test_a_granted_party_building_user_edits_taxonomies_but_cannot_delete(world, client_for):
    user = user_grant_master_data(user=world.users[Role.PARTY_BUILDING])
    client = client_for(user)
    for model in ["channel", "serviceitem", "calendarday", "person", "pairing"]:
        url = reverse(f"admin:liaison_{model}_changelist")
        assert client.get(url).status_code == HTTPStatus.OK, model
    assert client.get(reverse("admin:liaison_user_changelist")).status_code == HTTPStatus.FORBIDDEN
    assert client.get(reverse("admin:liaison_entry_changelist")).status_code == HTTPStatus.FORBIDDEN


def test_granting_twice_changes_nothing(world):
    user = world.users[Role.PARTY_BUILDING]
    user_grant_master_data(user=user)
    user_grant_master_data(user=user)
    assert user.groups.count() == 1
