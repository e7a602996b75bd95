"""Related entries (相关事项): two entries about connected matters, linked both ways.

A duplicate of the same matter (R11, 一事一记) is not a link: it is `Entry.duplicate_of`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from liaison.models.ledger import Entry

LINK_NOTE_MAX_LENGTH = 200


class EntryLinkQuerySet(models.QuerySet["EntryLink"]):
    def live(self) -> EntryLinkQuerySet:
        """The links in force (not removed)."""
        return self.filter(removed_at__isnull=True)

    def of_pair(self, first: Entry, second: Entry) -> EntryLinkQuerySet:
        a, b = EntryLink.ordered(first.pk, second.pk)
        return self.filter(entry_a_id=a, entry_b_id=b)


class EntryLink(models.Model):
    """A symmetric link between two related entries, stored once per pair (the smaller id is
    `entry_a`). Nothing is deleted (R16): unlinking sets `removed_at`, and linking the pair
    again makes a new row, so that the history stays; one live row per pair."""

    entry_a = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="links_as_a"
    )
    entry_b = models.ForeignKey(
        Entry, verbose_name=_("related entry"), on_delete=models.PROTECT, related_name="links_as_b"
    )
    note = models.CharField(_("note"), max_length=LINK_NOTE_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("unlinked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("unlinked at"), null=True, blank=True)

    objects = EntryLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("related-entry link")
        verbose_name_plural = _("related-entry links")
        ordering = ["created_at", "pk"]
        constraints = [
            # The canonical order, which also keeps an entry from being linked to itself.
            models.CheckConstraint(condition=Q(entry_a__lt=F("entry_b")), name="entrylink_ordered"),
            models.UniqueConstraint(
                fields=["entry_a", "entry_b"],
                condition=Q(removed_at__isnull=True),
                name="entrylink_one_live_per_pair",
            ),
        ]
        indexes = [
            models.Index(
                fields=["entry_b"], name="entrylink_live_b", condition=Q(removed_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_a_id} ↔ {self.entry_b_id}"

    @staticmethod
    def ordered(first: int, second: int) -> tuple[int, int]:
        """Return the pair's ids in the stored order."""
        return (first, second) if first < second else (second, first)

    def other(self, entry: Entry) -> Entry:
        """Return the entry of the pair that is not `entry`."""
        return self.entry_b if self.entry_a_id == entry.pk else self.entry_a
