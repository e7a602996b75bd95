"""Closed months (R24 月结) and the late adjustments booked because of them.

Months close in order, as Chinese accounting software closes its periods (结账 in sequence,
反结账 only the latest): the state is "closed through month M" — every month up to and including
M is closed, also those before the ledger began. A ``MonthClose`` row is kept for each month a
closing covered (the first closing keeps one row, for the month it names); reopening marks the
latest row reopened. The months closed are those up to the latest row not reopened.

A closed month's roll-up rows are a snapshot that no job changes. What is recorded later about
it is booked, by the job that finds it, as a late adjustment in the month the job runs in (the
current month, always open): ``EntryAdjustment`` per own-ledger cell, ``VisitAdjustment`` per
node and place type, ``ReferralAdjustment`` per department. Their ``counts`` hold the signed
change of each count column that moved ({column: n}). The rule the jobs keep is in
feedback.services.frozen.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liaison.constants import Colour, EntryKind, Level, PlaceType

__all__ = ["EntryAdjustment", "MonthClose", "ReferralAdjustment", "VisitAdjustment"]


class MonthClose(models.Model):
    """A month closed (one row per month a closing covered), and its reopening if undone."""

    month = models.DateField(_("month"))
    closed_at = models.DateTimeField(pgettext_lazy("month", "closed at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )  # none: closed by the scheduled job
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    class Meta:
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")
        ordering = ["month", "closed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["month"],
                condition=models.Q(reopened_at__isnull=True),
                name="monthclose_one_open_row",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class Adjustment(models.Model):
    """What a job found changed in a closed month (`source_month`), booked into the month it
    ran in (`booked_month`)."""

    source_month = models.DateField(_("month adjusted"))
    booked_month = models.DateField(_("month booked"))
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        abstract = True


class EntryAdjustment(Adjustment):
    """A late adjustment of one ledger's own cell (EntryMonthlyOwn's key)."""

    org = models.ForeignKey(
        "liaison.OrgNode",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)

    class Meta:
        verbose_name = _("late adjustment of a ledger")
        verbose_name_plural = _("late adjustments of ledgers")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "source_month", "booked_month", "level", "colour", "kind"],
                name="entryadjustment_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_month:%Y-%m} → {self.booked_month:%Y-%m}"


class VisitAdjustment(Adjustment):
    """A late adjustment of a node's visits to one place type (VisitMonthly's key)."""

    node = models.ForeignKey(
        "liaison.OrgNode",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    place_type = models.CharField(_("place type"), max_length=12, choices=PlaceType.choices)

    class Meta:
        verbose_name = _("late adjustment of visits")
        verbose_name_plural = _("late adjustments of visits")
        constraints = [
            models.UniqueConstraint(
                fields=["node", "source_month", "booked_month", "place_type"],
                name="visitadjustment_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_month:%Y-%m} → {self.booked_month:%Y-%m}"


class ReferralAdjustment(Adjustment):
    """A late adjustment of a department's referrals (ReferralMonthly's key)."""

    department = models.ForeignKey(
        "liaison.Unit", verbose_name=_("department"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("late adjustment of referrals")
        verbose_name_plural = _("late adjustments of referrals")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "source_month", "booked_month"],
                name="referraladjustment_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_month:%Y-%m} → {self.booked_month:%Y-%m}"
