"""The hand-backs: when the work comes back to the owner (the department's result, a reopening)
or moves to another owner (a transfer), they are told once, in the app and by email with the
entry's link; the one who acted is not told of their own action."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from liaison.constants import EntryStatus, NotificationKind, Role
from liaison.models import Notification, User
from liaison.services import handbacks, workflow
from liaison.services.workflow import Action
from tests.fixtures.walks import act, entry_in


def notes(kind: str, user: User | None = None):
    found = Notification.objects.filter(kind=kind)
    return found.filter(recipient=user) if user else found


@pytest.fixture
def owner(world) -> User:
    secretary = world.users[Role.BRANCH_SECRETARY]
    secretary.email = "shuji@example.cn"
    secretary.save()
    return secretary


def test_the_departments_result_tells_the_owner_to_reply(world, owner):
    handler = world.users[Role.DEPARTMENT_HANDLER]
    entry = entry_in(world, EntryStatus.PLANNED)
    entry = act(world, entry, Action.RECORD_RESULT, handler)
    (note,) = notes(NotificationKind.RESULT_RECORDED)
    assert (note.recipient, note.entry, note.occasion) == (owner, entry, 0)
    assert world.department.name in note.message and entry.due_on.isoformat() in note.message
    assert not notes(NotificationKind.RESULT_RECORDED, handler).exists()
    # Told once: the same notice again adds nothing.
    assert handbacks.notify_result_recorded(entry=entry, actor=handler) == 0
    assert notes(NotificationKind.RESULT_RECORDED).count() == 1


def test_a_repeated_request_is_a_conflict_and_tells_nobody_again(world, owner, client_for):
    handler = world.users[Role.DEPARTMENT_HANDLER]
    entry = entry_in(world, EntryStatus.PLANNED)
    url = reverse("liaison:entry_act", args=[entry.pk, Action.RECORD_RESULT])
    data = {"version": entry.version, "result": "已完成增容"}
    client = client_for(handler)
    assert client.post(url, data).status_code == HTTPStatus.FOUND
    assert client.post(url, data).status_code == HTTPStatus.CONFLICT  # the same page again
    assert notes(NotificationKind.RESULT_RECORDED).count() == 1


def test_an_owner_recording_the_result_themselves_is_not_told(world, owner):
    entry = entry_in(world, EntryStatus.PLANNED)
    # The owner may not record the department's result; the party-building department may.
    act(world, entry, Action.RECORD_RESULT, world.users[Role.PARTY_BUILDING])
    assert notes(NotificationKind.RESULT_RECORDED, owner).count() == 1
    assert not notes(NotificationKind.RESULT_RECORDED, world.users[Role.PARTY_BUILDING]).exists()


def test_a_reopening_tells_the_owner_once_per_round(world, owner):
    entry = entry_in(world, EntryStatus.REPLIED)
    entry = workflow.entry_reopen(entry=entry, actor=None, expected_version=entry.version)
    (note,) = notes(NotificationKind.REOPENED)
    assert (note.recipient, note.occasion) == (owner, 1)
    assert entry.due_on.isoformat() in note.message
    # The next round's reopening is news again.
    maintainer = world.users[Role.PARTY_BUILDING]
    entry = act(world, entry, Action.RESOLVE_ON_SPOT, maintainer)
    entry = act(world, entry, Action.REPLY, maintainer)
    workflow.entry_reopen(entry=entry, actor=None, expected_version=entry.version)
    assert sorted(notes(NotificationKind.REOPENED, owner).values_list("occasion", flat=True)) == [
        1,
        2,
    ]


def test_a_transfer_tells_the_new_owner_and_the_previous_one(world, owner):
    cadre = world.users[Role.GRASSROOTS_CADRE]
    maintainer = world.users[Role.PARTY_BUILDING]
    entry = entry_in(world, EntryStatus.IN_PROGRESS)
    entry = act(world, entry, Action.TRANSFER, maintainer, new_owner=cadre)
    to_new = notes(NotificationKind.TRANSFERRED, cadre).get()
    to_previous = notes(NotificationKind.TRANSFERRED, owner).get()
    assert "you are now responsible" in to_new.message or "由你负责" in to_new.message
    assert entry.number in to_previous.message
    assert not notes(NotificationKind.TRANSFERRED, maintainer).exists()
    # Back again: a second transfer is news of its own.
    act(world, entry, Action.TRANSFER, maintainer, new_owner=owner)
    assert notes(NotificationKind.TRANSFERRED, owner).count() == 2


def test_an_owner_who_hands_over_is_not_told_of_it(world, owner):
    cadre = world.users[Role.GRASSROOTS_CADRE]
    entry = entry_in(world, EntryStatus.IN_PROGRESS)
    act(world, entry, Action.TRANSFER, owner, new_owner=cadre)
    assert list(notes(NotificationKind.TRANSFERRED).values_list("recipient", flat=True)) == [
        cadre.pk
    ]


@override_settings(LEDGER_SITE_URL="https://ledger.example.internal")
def test_the_email_carries_the_entrys_link(world, owner, django_capture_on_commit_callbacks):
    handler = world.users[Role.DEPARTMENT_HANDLER]
    entry = entry_in(world, EntryStatus.PLANNED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        act(world, entry, Action.RECORD_RESULT, handler)
    (email,) = [m for m in mail.outbox if m.to == [owner.email]]
    assert f"https://ledger.example.internal/entries/{entry.pk}/" in email.body
    assert entry.number in email.body


def test_a_daily_digest_replaces_one_email_each(world, owner, django_capture_on_commit_callbacks):
    from liaison.services.jobs import notification_digests_send

    owner.email_digest = True
    owner.save()
    handler = world.users[Role.DEPARTMENT_HANDLER]
    maintainer = world.users[Role.PARTY_BUILDING]
    cadre = world.users[Role.GRASSROOTS_CADRE]
    result = entry_in(world, EntryStatus.PLANNED)
    moved = entry_in(world, EntryStatus.IN_PROGRESS)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        act(world, result, Action.RECORD_RESULT, handler)
        moved = act(world, moved, Action.TRANSFER, maintainer, new_owner=cadre)
    assert [m for m in mail.outbox if m.to == [owner.email]] == []  # no email each
    assert notification_digests_send() == 1
    (digest,) = [m for m in mail.outbox if m.to == [owner.email]]
    assert result.number in digest.body and moved.number in digest.body
    assert f"/entries/{result.pk}/" in digest.body
    assert notification_digests_send() == 0  # nothing twice


def test_the_inbox_switches_between_one_email_each_and_the_digest(world, owner, client_for):
    client = client_for(owner)
    url = reverse("liaison:notification_email_toggle")
    client.post(url, {"email_notifications": "on", "email_digest": "on"})
    owner.refresh_from_db()
    assert (owner.email_notifications, owner.email_digest) == (True, True)
    client.post(url, {"email_notifications": "on"})
    owner.refresh_from_db()
    assert (owner.email_notifications, owner.email_digest) == (True, False)
    assert (
        'id="id_email_digest"' in client.get(reverse("liaison:notification_list")).content.decode()
    )
