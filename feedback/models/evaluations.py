"""The annual reverse evaluation (逆向评价, R12): campaigns, raters, who rates whom, answers.

A campaign per year: the party-building department reviews the proposed raters and their ratees
(made from the pairings and memberships, feedback.selectors.proposal), opens it, and it closes
on a date. Each rater (a person, a unit such as a team visited as a contact point, or a party
branch) gets a signed link (the token scheme of feedback.models.links: an HMAC of the row's
nonce under the SECRET_KEY, only its SHA-256 stored). A rater rates each of their ratees once
and cannot change it; nobody rates themselves. Results are shown per ratee only above
evaluation_min_ratings(), and never with who gave which rating.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from feedback.constants import (
    ASSESSMENT_DEFAULT_WEIGHTS,
    CampaignStatus,
    EvaluationRule,
    Satisfaction,
)
from feedback.models.tokens import SignedToken
from liaison.constants import Level

__all__ = [
    "AssessmentRow",
    "EvaluationAnswer",
    "EvaluationAssignment",
    "EvaluationCampaign",
    "EvaluationRater",
]


class EvaluationCampaign(models.Model):
    """One year's reverse evaluation and the weights of that year's assessment table."""

    Status = CampaignStatus  # for templates: campaign.status == campaign.Status.OPEN

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    status = models.CharField(
        _("status"), max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    weight_satisfaction = models.PositiveSmallIntegerField(
        _("weight of the entry satisfaction rate (%)"),
        default=ASSESSMENT_DEFAULT_WEIGHTS["satisfaction"],
    )
    weight_on_time = models.PositiveSmallIntegerField(
        _("weight of the on-time reply rate (%)"), default=ASSESSMENT_DEFAULT_WEIGHTS["on_time"]
    )
    weight_reverse = models.PositiveSmallIntegerField(
        _("weight of the reverse evaluation (%)"), default=ASSESSMENT_DEFAULT_WEIGHTS["reverse"]
    )
    weight_review = models.PositiveSmallIntegerField(
        _("weight of the monthly reviews signed (%)"), default=ASSESSMENT_DEFAULT_WEIGHTS["review"]
    )

    class Meta:
        verbose_name = _("reverse evaluation")
        verbose_name_plural = _("reverse evaluations")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=CampaignStatus.DRAFT) | Q(closes_on__isnull=False),
                name="campaign_open_has_closing_date",
            ),
        ]

    def __str__(self) -> str:
        return str(self.year)


class EvaluationRater(SignedToken):
    """Who rates in a campaign: exactly one of a person, a unit or a party branch; one signed
    link each."""

    TOKEN_SALT = (
        "feedback.EvaluationRater.token"  # separates this HMAC from every other use of the key
    )

    campaign = models.ForeignKey(
        EvaluationCampaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="raters",
    )
    person = models.ForeignKey(
        "liaison.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        "liaison.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    org = models.ForeignKey(
        "liaison.OrgNode",
        verbose_name=_("party branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rater")
        verbose_name_plural = _("raters")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, unit__isnull=True, org__isnull=True)
                | Q(person__isnull=True, unit__isnull=False, org__isnull=True)
                | Q(person__isnull=True, unit__isnull=True, org__isnull=False),
                name="rater_is_one_party",
            ),
            models.UniqueConstraint(
                fields=["campaign", "person"],
                condition=Q(person__isnull=False),
                name="rater_person_once",
            ),
            models.UniqueConstraint(
                fields=["campaign", "unit"],
                condition=Q(unit__isnull=False),
                name="rater_unit_once",
            ),
            models.UniqueConstraint(
                fields=["campaign", "org"], condition=Q(org__isnull=False), name="rater_org_once"
            ),
        ]

    def __str__(self) -> str:
        return str(self.person or self.unit or self.org)

    @property
    def party(self):
        """The person, unit or branch who rates."""
        return self.person or self.unit or self.org

    def token_message(self) -> str:
        """The campaign and the nonce, not the row's id: the proposal inserts thousands of raters
        with their final hash in one pass, before their ids are known."""
        return f"{self.campaign_id}:{self.nonce}"


class EvaluationAssignment(models.Model):
    """One rater rates one ratee (a person — a leadership cadre or a party member — or a party
    branch), for the reason `rule`, counted at the `level` of the four (R7)."""

    rater = models.ForeignKey(
        EvaluationRater,
        verbose_name=_("rater"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    ratee_person = models.ForeignKey(
        "liaison.Person",
        verbose_name=_("rated person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ratee_org = models.ForeignKey(
        "liaison.OrgNode",
        verbose_name=_("rated branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rule = models.CharField(_("rule"), max_length=16, choices=EvaluationRule.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("who rates whom")
        verbose_name_plural = _("who rates whom")
        constraints = [
            models.CheckConstraint(
                condition=Q(ratee_person__isnull=False, ratee_org__isnull=True)
                | Q(ratee_person__isnull=True, ratee_org__isnull=False),
                name="assignment_one_ratee",
            ),
            models.UniqueConstraint(
                fields=["rater", "ratee_person"],
                condition=Q(ratee_person__isnull=False),
                name="assignment_person_once",
            ),
            models.UniqueConstraint(
                fields=["rater", "ratee_org"],
                condition=Q(ratee_org__isnull=False),
                name="assignment_org_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rater} → {self.ratee_person or self.ratee_org}"

    @property
    def ratee(self):
        return self.ratee_person or self.ratee_org


class EvaluationAnswer(models.Model):
    """A rater's rating of one ratee: given once, never changed (the ratee never sees who)."""

    assignment = models.OneToOneField(
        EvaluationAssignment,
        verbose_name=_("who rates whom"),
        on_delete=models.PROTECT,
        related_name="answer",
    )
    value = models.CharField(_("rating"), max_length=20, choices=Satisfaction.choices)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reverse-evaluation answer")
        verbose_name_plural = _("reverse-evaluation answers")

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.value}"


class AssessmentRow(models.Model):
    """One line of a year's assessment table (年度考核): a branch or a cadre, the four parts
    and the weighted score, computed when asked (the table is read, never recomputed per
    request). A part without data is empty and its weight is spread over the others."""

    campaign = models.ForeignKey(
        EvaluationCampaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="assessment_rows",
    )
    person = models.ForeignKey(
        "liaison.Person",
        verbose_name=_("cadre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    org = models.ForeignKey(
        "liaison.OrgNode",
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    satisfaction_rate = models.FloatField(_("entry satisfaction rate"), null=True, blank=True)
    rated = models.PositiveIntegerField(_("entries rated"), default=0)
    on_time_rate = models.FloatField(_("on-time reply rate"), null=True, blank=True)
    reverse_rate = models.FloatField(_("reverse-evaluation rate"), null=True, blank=True)
    reverse_count = models.PositiveIntegerField(_("reverse-evaluation ratings"), default=0)
    review_rate = models.FloatField(_("monthly reviews signed"), null=True, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    # Not stored: how the table names a cadre's organisation ("branch · party group"), set on
    # the cadres' rows by feedback.selectors.assessment.assessment_table; whether the row's rank
    # is shared, and why a row has no rank (the same selector).
    org_label: str
    tied: bool
    unranked_reason: str

    class Meta:
        verbose_name = _("assessment row")
        verbose_name_plural = _("assessment rows")
        ordering = ["rank", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, org__isnull=True)
                | Q(person__isnull=True, org__isnull=False),
                name="assessment_row_one_subject",
            ),
            models.UniqueConstraint(
                fields=["campaign", "person"],
                condition=Q(person__isnull=False),
                name="assessment_person_once",
            ),
            models.UniqueConstraint(
                fields=["campaign", "org"],
                condition=Q(org__isnull=False),
                name="assessment_org_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.person or self.org}"
