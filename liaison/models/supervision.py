"""Supervision notices (督办, R6): the party-building department presses an entry's owner."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.models.ledger import Entry


class Supervision(models.Model):
    """A supervision notice on one entry: what the department asks, by when the owner answers,
    and the answer. An entry has at most one unanswered notice; `round` numbers them (第N次督办)."""

    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="supervisions"
    )
    round = models.PositiveSmallIntegerField(_("round"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    instruction = models.TextField(_("instruction"))
    respond_by = models.DateField(_("answer by"))
    response = models.TextField(_("answer"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["entry", "round"]
        indexes = [
            models.Index(
                fields=["respond_by"],
                name="supervision_open_by",
                condition=Q(responded_at__isnull=True),
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["entry", "round"], name="supervision_round_unique"),
            models.UniqueConstraint(
                fields=["entry"],
                condition=Q(responded_at__isnull=True),
                name="supervision_one_open_per_entry",
            ),
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True, responded_by__isnull=True, response="")
                | (Q(responded_at__isnull=False, responded_by__isnull=False) & ~Q(response="")),
                name="supervision_answer_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} #{self.round}"

    @property
    def is_open(self) -> bool:
        return self.responded_at is None
