"""The matter of the month (每月一题): a governance item the party-building department makes of
a recurring need (a cluster of similar titles or a service item's entries on the hot-topic
page), with an owner, a plan and a due date, linking the entries it answers for."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from feedback.constants import MatterStatus

__all__ = ["MatterEntry", "MonthlyMatter"]


class MonthlyMatter(models.Model):
    """One matter of the month; its entries are linked through MatterEntry."""

    Status = MatterStatus  # for templates: matter.status == matter.Status.OPEN

    month = models.DateField(
        _("month"), help_text=_("The first day of the month it was picked in.")
    )
    title = models.CharField(_("title"), max_length=120)
    plan = models.TextField(_("plan"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=MatterStatus.choices, default=MatterStatus.OPEN
    )
    closing_note = models.TextField(_("closing note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    entries = models.ManyToManyField(
        "liaison.Entry",
        through="MatterEntry",
        related_name="monthly_matters",
        verbose_name=_("entries"),
    )

    class Meta:
        verbose_name = _("matter of the month")
        verbose_name_plural = _("matters of the month")
        ordering = ["-month", "-pk"]
        indexes = [
            models.Index(fields=["month"], name="matter_month"),
            models.Index(
                fields=["due_on"], name="matter_open_due", condition=Q(status=MatterStatus.OPEN)
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="matter_month_first_day"),
            models.CheckConstraint(
                condition=Q(status=MatterStatus.OPEN) | Q(closed_at__isnull=False),
                name="matter_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("hot_matter_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == MatterStatus.OPEN


class MatterEntry(models.Model):
    """An entry linked to a matter of the month: when and by whom. Unlinking deletes the row
    (the entry itself is untouched) and leaves an audit event on the matter."""

    matter = models.ForeignKey(
        MonthlyMatter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="links"
    )
    entry = models.ForeignKey(
        "liaison.Entry",
        verbose_name=_("entry"),
        on_delete=models.PROTECT,
        related_name="matter_links",
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("entry of a matter of the month")
        verbose_name_plural = _("entries of matters of the month")
        constraints = [
            models.UniqueConstraint(fields=["matter", "entry"], name="matter_entry_once")
        ]
        indexes = [models.Index(fields=["entry"], name="matter_entry_entry")]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.entry_id}"
