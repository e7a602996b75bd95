"""The escalation ladder (R22): who is told how many working days before or after a due date."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.constants import Colour


class EscalationStep(models.Model):
    """One step: `working_days` before (negative) or after (positive) the due date of an entry
    still awaiting its reply (of one colour, or any), tell these people, once per deadline.
    The party-building department edits the steps; with none stored, the ladder is
    liaison.deadlines.DEFAULT_LADDER."""

    working_days = models.SmallIntegerField(
        _("working days"),
        help_text=_(
            "Before the due date: negative (−1 = one working day before); after: positive."
        ),
    )
    colour = models.CharField(
        _("colour"), max_length=8, choices=Colour.choices, blank=True, help_text=_("Empty: any.")
    )
    to_owner = models.BooleanField(_("the owner"), default=False)
    to_secretary = models.BooleanField(_("the branch secretary"), default=False)
    to_committee = models.BooleanField(_("the party committee's staff"), default=False)
    to_party_building = models.BooleanField(_("the party-building department"), default=False)
    to_department = models.BooleanField(_("the handling department"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation ladder")
        ordering = ["working_days", "pk"]

    def __str__(self) -> str:
        return f"{self.working_days:+d} {self.colour or '*'}"

    def clean(self) -> None:
        if not self.working_days:
            raise ValidationError(
                {"working_days": _("Give a number of working days before or after, not 0.")}
            )
        if not any(
            (self.to_owner, self.to_secretary, self.to_committee, self.to_party_building,
             self.to_department)
        ):  # fmt: skip
            raise ValidationError(_("Tick at least one person to tell."))

    @property
    def recipients(self) -> frozenset[str]:
        return frozenset(name for name in RECIPIENTS if getattr(self, f"to_{name}"))


# Whom a step may tell, in the order the page shows them.
RECIPIENTS = ("owner", "secretary", "committee", "party_building", "department")
