"""The working-day calendar entered by administrators (R1): it overrides the statutory one."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """One date an administrator declared a working day or a day off."""

    date = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}"


class CalendarYear(models.Model):
    """A year whose official schedule (holidays and make-up working days) an administrator
    entered: due dates in that year are final, not provisional, even where the statutory
    package does not cover it."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)
