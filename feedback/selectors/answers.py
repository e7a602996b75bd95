"""Reads of the rater's side of the reverse evaluation (R12): the rater a signed link opens
(by the token's SHA-256: nothing secret is compared), whom they rate, and whether they can
answer now. The answers are written by feedback.services.answers."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from feedback.constants import CampaignStatus
from feedback.models import EvaluationAssignment, EvaluationCampaign, EvaluationRater
from feedback.selectors.ratings import TOKEN_PATTERN

__all__ = ["RaterLookup", "RaterState", "rater_assignments", "rater_lookup", "rater_state"]


class RaterState(enum.StrEnum):
    """Whether a rater's link can answer now, and if not, why (the page says so)."""

    do_not_call_in_templates = enum.nonmember(True)  # compared with in templates

    USABLE = "usable"
    FORGED = "forged"  # no such rater (or a mistyped link)
    NOT_OPEN = "not_open"  # the campaign is still being prepared
    CLOSED = "closed"  # the campaign is closed, or past its closing date
    SUBMITTED = "submitted"  # this rater has answered already
    NOTHING = "nothing"  # nobody to rate (every assignment was the rater themselves)


@dataclass(frozen=True)
class RaterLookup:
    state: RaterState
    rater: EvaluationRater | None = None
    assignments: list[EvaluationAssignment] = field(default_factory=list)

    @property
    def campaign(self) -> EvaluationCampaign | None:
        return self.rater.campaign if self.rater else None


def rater_assignments(*, rater: EvaluationRater) -> QuerySet[EvaluationAssignment]:
    """Return whom the rater rates, themselves left out, with each ratee (and a person's
    organisation), by level and name."""
    assignments = EvaluationAssignment.objects.filter(rater=rater)
    if rater.person_id is not None:
        assignments = assignments.exclude(ratee_person_id=rater.person_id)
    if rater.org_id is not None:
        assignments = assignments.exclude(ratee_org_id=rater.org_id)
    return assignments.select_related("ratee_person__org", "ratee_org").order_by(
        "level", "ratee_org__path", "ratee_person__name", "pk"
    )


def rater_state(
    *,
    rater: EvaluationRater,
    campaign: EvaluationCampaign | None = None,
    has_ratees: bool = True,
    today: dt.date | None = None,
) -> RaterState:
    """Return whether the rater can answer now (`campaign`: a fresher copy of the rater's)."""
    campaign = campaign or rater.campaign
    if rater.submitted_at is not None:
        return RaterState.SUBMITTED
    if campaign.status == CampaignStatus.DRAFT:
        return RaterState.NOT_OPEN
    if campaign.status == CampaignStatus.CLOSED:
        return RaterState.CLOSED
    if campaign.closes_on is not None and (today or timezone.localdate()) > campaign.closes_on:
        return RaterState.CLOSED  # open until the end of its closing day
    if not has_ratees:
        return RaterState.NOTHING
    return RaterState.USABLE


def rater_lookup(*, token: str) -> RaterLookup:
    """Find the rater a token opens (by the token's hash), with the campaign and the party who
    rates, and their ratees (two queries; none for a token of the wrong shape)."""
    if not TOKEN_PATTERN.fullmatch(token):
        return RaterLookup(RaterState.FORGED)
    rater = (
        EvaluationRater.objects.select_related("campaign", "person", "unit", "org")
        .filter(token_hash=EvaluationRater.hash_of(token))
        .first()
    )
    if rater is None:
        return RaterLookup(RaterState.FORGED)
    assignments = list(rater_assignments(rater=rater)) if rater.submitted_at is None else []
    state = rater_state(rater=rater, has_ratees=bool(assignments))
    return RaterLookup(state, rater, assignments)
