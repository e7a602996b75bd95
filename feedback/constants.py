"""The satisfaction scale (R8) and the rating channels: the one home of each."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Satisfaction(models.TextChoices):
    """非常满意 / 满意 / 基本满意 / 不满意."""

    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class RatingChannel(models.TextChoices):
    RETURN_VISIT = "return_visit", _("Return visit")
    LINK = "link", _("Signed link")
