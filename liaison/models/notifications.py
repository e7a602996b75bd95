"""Notifications (R6): an inbox line for one user, perhaps sent on by email."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.constants import NotificationKind
from liaison.models.ledger import Entry


class Notification(models.Model):
    """One message to one user about (usually) one entry; at most one per recipient, entry, kind
    and occasion.

    The unique constraint is what makes the jobs idempotent: they bulk_create with
    ignore_conflicts, so running them twice, or at once, tells nobody twice.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    entry = models.ForeignKey(
        Entry,
        verbose_name=_("entry"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    # Which time of its kind this is for the entry: a reopened entry's round (reopen_count) for
    # deadlines, a supervision notice's round for supervision. 0 for a kind that happens once.
    occasion = models.PositiveSmallIntegerField(_("occasion"), default=0)
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_recipient_read"),
            # The user's notifications page, newest first (the model's order).
            models.Index(
                fields=["recipient", "-created_at", "-id"], name="notification_recipient_new"
            ),
            models.Index(
                fields=["emailed_at"],
                name="notification_to_email",
                condition=models.Q(emailed_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "entry", "kind", "occasion"],
                name="notification_once_per_entry_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.entry_id}"
