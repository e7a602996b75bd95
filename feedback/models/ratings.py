"""Ratings of replied entries by the people who raised them (R8)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from feedback.constants import (
    RatingChannel,
    ReturnVisitMethod,
    ReturnVisitOutcome,
    Satisfaction,
)


class Rating(models.Model):
    """The informant's rating of the reply to an entry; a reopened entry can be rated again."""

    Value = Satisfaction  # for templates: rating.value == rating.Value.UNSATISFIED

    entry = models.ForeignKey(
        "liaison.Entry", verbose_name=_("entry"), on_delete=models.PROTECT, related_name="ratings"
    )
    value = models.CharField(_("rating"), max_length=20, choices=Satisfaction.choices)
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(_("channel"), max_length=14, choices=RatingChannel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who recorded it on a return visit; empty when the informant used the link."),
    )
    round = models.PositiveSmallIntegerField(
        _("round"), default=0, help_text=_("How often the entry had been reopened before.")
    )
    rated_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-rated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "round"], name="rating_once_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.value}"


class ReturnVisit(models.Model):
    """One return visit (回访, R21) to the informant of a replied entry awaiting its rating: who
    called or went, how, and what came of it (a rating, or nobody reached, or a refusal)."""

    entry = models.ForeignKey(
        "liaison.Entry",
        verbose_name=_("entry"),
        on_delete=models.PROTECT,
        related_name="return_visits",
    )
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    method = models.CharField(_("method"), max_length=12, choices=ReturnVisitMethod.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=ReturnVisitOutcome.choices)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("visited by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    note = models.TextField(_("note"), blank=True)
    visited_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        ordering = ["-visited_at", "-pk"]
        indexes = [models.Index(fields=["entry", "round"], name="returnvisit_entry_round")]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.outcome}"
