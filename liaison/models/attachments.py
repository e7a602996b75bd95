"""Photos and files attached to a visit or to an entry (R23): data and invariants only.

The bytes live in the "attachments" storage (liaison.uploads.attachment_storage) under a key
made of a random uuid, never the user's file name; the row keeps the file's name as sent
(cleaned), what it is by its content, and who withdrew it, when and why. Nothing is deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.constants import AttachmentKind, AttachmentStep
from liaison.models.ledger import Entry, Visit


class Attachment(models.Model):
    entry = models.ForeignKey(
        Entry,
        verbose_name=_("entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    # The entry's step when the file was attached; empty for a visit's file.
    step = models.CharField(_("step"), max_length=12, choices=AttachmentStep.choices, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storage_key = models.CharField(_("storage key"), max_length=100, unique=True)
    thumbnail_key = models.CharField(_("thumbnail storage key"), max_length=100, blank=True)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attached by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("attached at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdraw_reason = models.CharField(_("why it was withdrawn"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]
        indexes = [
            models.Index(fields=["entry", "uploaded_at"], name="attachment_entry_at"),
            models.Index(fields=["visit", "uploaded_at"], name="attachment_visit_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(entry__isnull=False) & Q(visit__isnull=True) & ~Q(step=""))
                | (Q(entry__isnull=True) & Q(visit__isnull=False) & Q(step="")),
                name="attachment_one_owner",
            ),
            models.CheckConstraint(
                condition=(Q(withdrawn_at__isnull=True) & Q(withdrawn_by__isnull=True))
                | (Q(withdrawn_at__isnull=False) & ~Q(withdraw_reason="")),
                name="attachment_withdrawn_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.kind == AttachmentKind.IMAGE

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
