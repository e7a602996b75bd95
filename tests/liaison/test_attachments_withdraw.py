"""Withdrawing an attachment (R23): never deleted, withdrawn with a reason, on the timeline, by
whom the rules name (liaison.evidence) — on the file system and on an S3-compatible server."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from liaison.constants import EntryStatus, EventKind, Role
from liaison.models import Attachment
from liaison.services.attachments import entry_attach
from tests.fixtures.attachments import Upload, pdf_bytes, store_kinds
from tests.fixtures.factories import make_entry, make_user
from tests.fixtures.walks import entry_in, today

S = EntryStatus
pytestmark = pytest.mark.usefixtures("attachment_store")


def withdraw(client, attachment, reason="传错了文件"):
    url = reverse("liaison:attachment_withdraw", args=[attachment.pk])
    return client.post(url, {f"withdraw-{attachment.pk}-reason": reason})


def handler_file(world):
    """A plan document the department attached to a referred entry the secretary owns."""
    entry = entry_in(world, S.REFERRED)
    handler = world.users[Role.DEPARTMENT_HANDLER]
    [attachment] = entry_attach(entry=entry, actor=handler, files=[Upload("方案.pdf", pdf_bytes())])
    return entry, attachment


@store_kinds
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.DEPARTMENT_HANDLER, HTTPStatus.FOUND),  # who attached it
        (Role.BRANCH_SECRETARY, HTTPStatus.FOUND),  # the entry's owner
        (Role.PARTY_BUILDING, HTTPStatus.FOUND),
        (Role.COMMITTEE_STAFF, HTTPStatus.FORBIDDEN),  # sees it, may not withdraw it
        (Role.GRASSROOTS_CADRE, HTTPStatus.FORBIDDEN),
        (Role.PARTY_MEMBER, HTTPStatus.NOT_FOUND),  # out of scope
    ],
)
def test_who_may_withdraw_an_entrys_file(world, client_for, attachment_store, role, expected):
    entry, attachment = handler_file(world)
    stored = attachment_store.keys()
    response = withdraw(client_for(world.users[role]), attachment)
    assert response.status_code == expected
    fresh = Attachment.objects.get(pk=attachment.pk)
    withdrawn = expected == HTTPStatus.FOUND
    assert (fresh.withdrawn_at is not None) is withdrawn
    assert entry.events.filter(kind=EventKind.ATTACHMENT_WITHDRAWN).exists() is withdrawn
    assert attachment_store.keys() == stored  # nothing is ever deleted
    if withdrawn:
        assert fresh.withdrawn_by == world.users[role] and fresh.withdraw_reason == "传错了文件"
        # Still evidence: listed as withdrawn with its reason, and served to those in scope.
        owner = client_for(entry.owner)
        page = owner.get(entry.get_absolute_url()).content.decode()
        assert "传错了文件" in page and "<del>" in page
        assert owner.get(reverse("liaison:attachment_file", args=[fresh.pk])).status_code == 200


def test_the_branch_secretary_withdraws_a_file_on_a_members_entry(world, client_for):
    cadre = world.users[Role.GRASSROOTS_CADRE]
    entry = make_entry(cadre, informant=world.special_a, recorded_on=today())
    [attachment] = entry_attach(entry=entry, actor=cadre, files=[Upload("a.pdf", pdf_bytes())])
    assert withdraw(client_for(world.users[Role.BRANCH_SECRETARY]), attachment).status_code == 302
    other = make_user(Role.BRANCH_SECRETARY, scope=world.branch_b, username="sj_b")
    assert withdraw(client_for(other), attachment).status_code == 404


def test_a_withdrawal_needs_a_reason_and_happens_once(world, client_for, settings):
    settings.LANGUAGE_CODE = "en"
    entry, attachment = handler_file(world)
    client = client_for(entry.owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = withdraw(client, attachment, reason="   ")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert Attachment.objects.get(pk=attachment.pk).withdrawn_at is None
    assert withdraw(client, attachment).status_code == HTTPStatus.FOUND
    again = withdraw(client, attachment, reason="再撤回")
    assert again.status_code == HTTPStatus.BAD_REQUEST
    assert "withdrawn already" in again.content.decode()
    assert entry.events.filter(kind=EventKind.ATTACHMENT_WITHDRAWN).count() == 1


def test_the_timeline_names_the_step_the_files_and_the_withdrawal(world, client_for):
    entry, attachment = handler_file(world)
    client = client_for(entry.owner)
    withdraw(client, attachment, reason="版本有误")
    page = client.get(entry.get_absolute_url()).content.decode()
    timeline = page[page.index('data-testid="timeline"') :]
    assert "方案.pdf" in timeline and "版本有误" in timeline
    assert "解决方案" in timeline  # the step, in Chinese
