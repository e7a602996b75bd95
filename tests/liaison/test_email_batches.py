"""Issue 14, item 8a: a mail server that fails in the middle of a run. The emails already sent
stay marked as sent (each in its own transaction), so the next run sends only the rest: every
recipient gets their email once."""

from __future__ import annotations

import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings

from liaison.constants import NotificationKind, Role
from liaison.models import Notification
from liaison.services import jobs
from tests.fixtures.factories import make_user


class FlakyBackend(BaseEmailBackend):
    """Delivers into `delivered`; the `fail_at`-th message of the test fails (SMTP error)."""

    delivered: list[tuple[str, str]] = []
    attempts = 0
    fail_at: int | None = None

    def send_messages(self, email_messages):
        for message in email_messages:
            type(self).attempts += 1
            if type(self).attempts == type(self).fail_at:
                raise smtplib.SMTPServerDisconnected("the mail server went away")
            type(self).delivered.append((message.to[0], message.subject))
        return len(email_messages)


@pytest.fixture
def flaky():
    FlakyBackend.delivered, FlakyBackend.attempts, FlakyBackend.fail_at = [], 0, 3
    with override_settings(EMAIL_BACKEND=f"{__name__}.FlakyBackend"):
        yield FlakyBackend


def _recipients(world, n: int, *, digest: bool) -> list[str]:
    addresses = []
    for i in range(n):
        user = make_user(Role.PARTY_MEMBER, scope=world.branch_a, username=f"mail{i}")
        user.email, user.email_digest = f"mail{i}@example.com", digest
        user.save()
        for _ in range(2 if digest else 1):
            Notification.objects.create(
                recipient=user, kind=NotificationKind.OVERDUE, message=f"逾期 {i}"
            )
        addresses.append(user.email)
    return addresses


def test_a_failure_on_the_third_email_leaves_the_first_two_sent(world, flaky):
    addresses = _recipients(world, 5, digest=False)
    with pytest.raises(smtplib.SMTPException):
        jobs.notification_emails_send()
    assert [to for to, _subject in flaky.delivered] == addresses[:2]
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2
    flaky.fail_at = None
    assert jobs.notification_emails_send() == 3
    assert sorted(to for to, _subject in flaky.delivered) == sorted(addresses)  # each once
    assert jobs.notification_emails_send() == 0


def test_a_failure_on_the_third_digest_leaves_the_first_two_sent(world, flaky):
    addresses = _recipients(world, 5, digest=True)
    with pytest.raises(smtplib.SMTPException):
        jobs.notification_digests_send()
    assert [to for to, _subject in flaky.delivered] == addresses[:2]
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 4
    flaky.fail_at = None
    assert jobs.notification_digests_send() == 3
    assert sorted(to for to, _subject in flaky.delivered) == sorted(addresses)
    assert jobs.notification_digests_send() == 0
