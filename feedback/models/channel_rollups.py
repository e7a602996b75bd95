"""Roll-ups by channel (R15): entries by the month recorded, per channel (方面), kept by the
same jobs as the other roll-up tables (feedback.services.rollups), defined once in
feedback.services.channel_cells.

- ``ChannelMonthlyOwn``: one org's own ledger, per month and channel (the jobs' working table).
- ``ChannelMonthly``: a node's subtree, per month and channel — what the dashboards and
  ``ledger_report`` read, summing channels up to their categories (大类) and scopes (internal,
  external): a few hundred rows, whatever the number of entries.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from feedback.models.closing import Adjustment

__all__ = ["CHANNEL_COUNT_FIELDS", "ChannelAdjustment", "ChannelMonthly", "ChannelMonthlyOwn"]

# Signed like the other roll-up counts: an open month's row adds the late adjustments booked
# into it (R24), and one may take away.
CHANNEL_COUNT_FIELDS: tuple[str, ...] = (
    "recorded",
    "problems",
    "suggestions",
    "duplicate_suggestions",
)


class ChannelCounts(models.Model):
    month = models.DateField(_("month"))
    channel = models.ForeignKey(
        "liaison.Channel", verbose_name=_("channel"), on_delete=models.CASCADE, related_name="+"
    )
    recorded = models.IntegerField(_("recorded"), default=0)
    problems = models.IntegerField(_("problems"), default=0)
    suggestions = models.IntegerField(_("suggestions"), default=0)
    duplicate_suggestions = models.IntegerField(_("duplicate suggestions"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.channel_id}: {self.recorded}"


class ChannelMonthlyOwn(ChannelCounts):
    """What the entries of one org's own ledger add to a month, per channel."""

    org = models.ForeignKey(
        "liaison.OrgNode",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("monthly roll-up of a ledger by channel")
        verbose_name_plural = _("monthly roll-ups of ledgers by channel")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "month", "channel"], name="channelmonthlyown_cell"
            )
        ]


class ChannelMonthly(ChannelCounts):
    """A node's subtree totals for a month, per channel."""

    node = models.ForeignKey(
        "liaison.OrgNode",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("monthly roll-up by channel")
        verbose_name_plural = _("monthly roll-ups by channel")
        constraints = [
            models.UniqueConstraint(fields=["node", "month", "channel"], name="channelmonthly_cell")
        ]


class ChannelAdjustment(Adjustment):
    """A late adjustment of one ledger's own cell by channel (ChannelMonthlyOwn's key), booked
    as the other adjustments are (R24, feedback.models.closing)."""

    org = models.ForeignKey(
        "liaison.OrgNode",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    channel = models.ForeignKey(
        "liaison.Channel", verbose_name=_("channel"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("late adjustment by channel")
        verbose_name_plural = _("late adjustments by channel")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "source_month", "booked_month", "channel"],
                name="channeladjustment_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_month:%Y-%m} → {self.booked_month:%Y-%m}"
