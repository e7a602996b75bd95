"""Roll-up tables (R7): counts by month, org node and level, kept by jobs; dashboards read them.

Four tables of counts and one of bookkeeping:

- ``EntryMonthlyOwn``: what the entries of one org's own ledger (a branch's or a group's) add to
  a month, per level, colour and kind. Only the jobs read it.
- ``EntryMonthly``: the same counts for a node's whole subtree (the node's own ledger and every
  ledger below it), one row per node, month, level, colour and kind. A dashboard of any node
  reads that node's rows for the months of its period: a few hundred rows, whatever the number
  of entries; "by unit" reads the children's rows.
- ``EntryMonthlyLevel``: the same without colour and kind (node, month, level): the rows the
  dashboards' headline figures, trends, units and rankings read.
- ``VisitMonthly``: visits (R14) of a node's subtree per month and place type.
- ``RollupState``: the watermark of the frequent job.

What each count means, and which month it falls in, is defined once, in
``feedback.services.rollup_cells``; the jobs are in ``feedback.services.rollups``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from feedback.constants import RatingChannel, Satisfaction
from liaison.constants import Colour, EntryKind, Level, PlaceType, ReturnReason

__all__ = [
    "CHANNEL_FIELDS",
    "COUNT_FIELDS",
    "RATING_FIELDS",
    "RETURN_FIELDS",
    "SIGN_DELAY_FIELDS",
    "EntryMonthly",
    "EntryMonthlyLevel",
    "EntryMonthlyOwn",
    "ReferralMonthly",
    "RollupState",
    "VisitMonthly",
]


def _count(label):
    # Signed: an open month's row adds the late adjustments booked into it (R24), and one may
    # take away (a late void of an entry of a closed month).
    return models.IntegerField(label, default=0)


class RollupCounts(models.Model):
    """The counts of a roll-up row (what each means: feedback.services.rollup_cells)."""

    # By the month recorded.
    recorded = _count(_("recorded"))
    suggestions = _count(_("suggestions"))
    duplicate_suggestions = _count(_("duplicate suggestions"))
    extended = _count(_("extended"))  # R19: an approved extension in the current round
    suspended = _count(_("suspended"))  # R20: suspended at least once
    # By the month of the due date, one per deadline (a reopened entry has one per round).
    due = _count(_("due"))
    replied_on_time = _count(_("replied on time"))
    replied_late = _count(_("replied late"))
    awaiting = _count(_("awaiting the reply"))
    open_overdue = _count(_("open and overdue"))
    # By the month of the reply, of the result, of the rating.
    replied = _count(_("replied"))
    resolved = _count(_("results (every round)"))
    matters_resolved = _count(_("matters resolved"))  # once per matter, its first result
    problems_resolved = _count(_("problems solved"))
    rehandled = _count(_("re-handled"))  # results after a reopening
    reopened = _count(_("reopened"))  # by the month of the reopening
    rated = _count(_("rated"))
    rating_very_satisfied = _count(Satisfaction.VERY_SATISFIED.label)
    rating_satisfied = _count(Satisfaction.SATISFIED.label)
    rating_basically_satisfied = _count(Satisfaction.BASICALLY_SATISFIED.label)
    rating_unsatisfied = _count(Satisfaction.UNSATISFIED.label)
    # R21: the ratings by how they reached the ledger.
    rated_link = _count(RatingChannel.LINK.label)
    rated_return_visit = _count(RatingChannel.RETURN_VISIT.label)
    rated_owner = _count(RatingChannel.OWNER.label)

    class Meta:
        abstract = True


class EntryCounts(RollupCounts):
    """The counts of one cell: a month (its first day), a level, a colour and a kind."""

    month = models.DateField(_("month"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.level} {self.colour or '-'} {self.kind}"


# The count columns, in the order above; the column of each value of the satisfaction scale.
COUNT_FIELDS: tuple[str, ...] = (
    "recorded",
    "suggestions",
    "duplicate_suggestions",
    "extended",
    "suspended",
    "due",
    "replied_on_time",
    "replied_late",
    "awaiting",
    "open_overdue",
    "replied",
    "resolved",
    "matters_resolved",
    "problems_resolved",
    "rehandled",
    "reopened",
    "rated",
    "rating_very_satisfied",
    "rating_satisfied",
    "rating_basically_satisfied",
    "rating_unsatisfied",
    "rated_link",
    "rated_return_visit",
    "rated_owner",
)
RATING_FIELDS: dict[str, str] = {value: f"rating_{value}" for value in Satisfaction.values}
CHANNEL_FIELDS: dict[str, str] = {value: f"rated_{value}" for value in RatingChannel.values}


class EntryMonthlyOwn(EntryCounts):
    """What the entries in one org's own ledger add to a month (the jobs' working table)."""

    org = models.ForeignKey(
        "liaison.OrgNode",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("monthly roll-up of a ledger")
        verbose_name_plural = _("monthly roll-ups of ledgers")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "month", "level", "colour", "kind"], name="entrymonthlyown_cell"
            )
        ]


class EntryMonthly(EntryCounts):
    """A node's subtree totals for a month (what dashboards read)."""

    node = models.ForeignKey(
        "liaison.OrgNode",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("monthly roll-up")
        verbose_name_plural = _("monthly roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["node", "month", "level", "colour", "kind"], name="entrymonthly_cell"
            )
        ]


class EntryMonthlyLevel(RollupCounts):
    """A node's subtree totals for a month and level: EntryMonthly without colour and kind,
    a quarter of its rows or fewer — what the dashboards' headline figures, trends, units and
    rankings read."""

    node = models.ForeignKey(
        "liaison.OrgNode",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    month = models.DateField(_("month"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)

    class Meta:
        verbose_name = _("monthly roll-up by level")
        verbose_name_plural = _("monthly roll-ups by level")
        constraints = [
            models.UniqueConstraint(
                fields=["node", "month", "level"], name="entrymonthlylevel_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.level}"


class VisitMonthly(models.Model):
    """Visits of a node's subtree in a month to one place type (R14).

    `visits` counts visits; `newly_covered` counts the visited parties (a person, party or unit on
    file, else the place as written) that the subtree visited that month for the first time
    ever, so that the parties covered up to a month are the sum up to it (the Xiaoshan
    article's "20 towns, 77 villages …" since the ledger began)."""

    node = models.ForeignKey(
        "liaison.OrgNode",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    month = models.DateField(_("month"))
    place_type = models.CharField(_("place type"), max_length=12, choices=PlaceType.choices)
    visits = _count(_("visits"))
    newly_covered = _count(_("newly covered"))

    class Meta:
        verbose_name = _("monthly visit roll-up")
        verbose_name_plural = _("monthly visit roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["node", "month", "place_type"], name="visitmonthly_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.place_type}: {self.visits}"


# How long a department took to sign for a referral (R17), in working days after the day it was
# referred: the roll-up keeps the distribution, whose median the figures read.
SIGN_DELAY_FIELDS = ("signed_same_day", "signed_next_day", "signed_two_days", "signed_later")
RETURN_FIELDS: dict[str, str] = {reason: f"returned_{reason}" for reason in ReturnReason.values}


class ReferralMonthly(models.Model):
    """A professional department's referrals in a month (R17), company-wide (a department
    serves the whole company): referred to it (by the month of the referral or the decision),
    signed for (by the month signed, by how many working days it took) and returned (by the
    month returned, by reason)."""

    month = models.DateField(_("month"))
    department = models.ForeignKey(
        "liaison.Unit", verbose_name=_("department"), on_delete=models.CASCADE, related_name="+"
    )
    referred = _count(_("referred"))
    signed = _count(_("signed for"))
    signed_same_day = _count(_("signed the same day"))
    signed_next_day = _count(_("signed the next working day"))
    signed_two_days = _count(_("signed in two working days"))
    signed_later = _count(_("signed later"))
    returned_not_our_remit = _count(_("returned: not our remit"))
    returned_not_enough_information = _count(_("returned: not enough information"))
    returned_duplicate = _count(_("returned: duplicate referral"))
    returned_other = _count(_("returned: other"))

    class Meta:
        verbose_name = _("monthly referral roll-up")
        verbose_name_plural = _("monthly referral roll-ups")
        constraints = [
            models.UniqueConstraint(fields=["month", "department"], name="referralmonthly_unique")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department_id}"


class RollupState(models.Model):
    """The frequent job's watermark (one row): it reads the events and visits with larger ids.

    An id is handed out when a row is inserted, not when its transaction commits, so a row with
    a smaller id can become visible after one with a larger id was read. The floor therefore
    stays below every row written in the last few minutes (feedback.services.rollups.OVERLAP);
    a run reads those again only if more of them are there than the last run saw (a late
    commit), and otherwise only the rows above the last one read."""

    event_floor = models.BigIntegerField(_("events read up to"), default=0)
    visit_floor = models.BigIntegerField(_("visits read up to"), default=0)
    # The largest id the last run read, and how many rows with ids above the floor up to it
    # were there before it read them: the same count next time means no late commit since.
    event_last = models.BigIntegerField(_("last event read"), null=True, blank=True)
    event_seen = models.IntegerField(_("events seen above the floor"), default=0)
    visit_last = models.BigIntegerField(_("last visit read"), null=True, blank=True)
    visit_seen = models.IntegerField(_("visits seen above the floor"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)
    rebuilt_at = models.DateTimeField(_("rebuilt at"), null=True, blank=True)

    class Meta:
        verbose_name = _("roll-up state")
        verbose_name_plural = _("roll-up states")

    def __str__(self) -> str:
        return f"events > {self.event_floor}, visits > {self.visit_floor}"
