"""The monthly review (一月一审, R9): one sheet per branch per month, signed by the secretary."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from liaison.models.orgs import OrgNode


class MonthlyReview(models.Model):
    """A branch's sheet for one month: the figures as prepared (and as signed), the sign-off."""

    org = models.ForeignKey(
        OrgNode,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="monthly_reviews",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reviewed."))
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    prepared_at = models.DateTimeField(_("prepared at"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("monthly review")
        verbose_name_plural = _("monthly reviews")
        ordering = ["-month", "org__path"]
        constraints = [
            models.UniqueConstraint(fields=["org", "month"], name="monthly_review_org_month"),
        ]
        indexes = [models.Index(fields=["month", "signed_at"], name="monthly_review_month")]

    def __str__(self) -> str:
        return f"{self.org} {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("liaison:review_detail", args=[self.pk])

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None
