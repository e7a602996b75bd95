"""Writes of the reverse-evaluation campaigns (R12): create a year's campaign and set its
weights, save the proposal of who rates whom, open, close (by hand or on the closing date).
Pairs added and removed by hand are in feedback.services.campaign_pairs (with the helpers here:
lock, status check, audit, raters), the reminders in feedback.services.reminders.

Each service is keyword-only, runs in one transaction, locks the campaign row (a second click
or a second department user waits, then sees the new state) and writes an audit event on the
campaign (liaison.services.audit, as the org tree and the pairings do): the campaign's page
shows them as its history. The list of raters and pairs is the department's to shape while the
campaign is a draft; opening freezes what the proposal made (pairs can still be added by hand
while open, for a rater who has not answered yet); a closed campaign changes no more.

A rater's token is an HMAC of (campaign, nonce) under the SECRET_KEY, the nonce 256 random
bits (EvaluationRater.token_with, the scheme of the informant's RatingLink); only its SHA-256 is
stored, so the rater's page finds the row by EvaluationRater.hash_of(token).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.constants import (
    ASSESSMENT_DEFAULT_WEIGHTS,
    RATING_LINK_TOKEN_BYTES,
    CampaignStatus,
    EvaluationRule,
)
from feedback.models import EvaluationAssignment, EvaluationCampaign, EvaluationRater
from feedback.selectors.campaigns import WEIGHT_KEYS, campaign_weights
from feedback.selectors.proposal import ORG, PERSON, UNIT, evaluation_proposal
from feedback.services.assessment import assessment_compute
from liaison.models import AuditEvent, OrgNode, Person, Unit, User
from liaison.services.audit import audit_record

# Rows written per INSERT or UPDATE when saving a proposal.
BATCH_SIZE = 1000
# Years a campaign may be created for: from this one to next year.
FIRST_YEAR = 2000
# The column of each kind of party (PairingShape's values).
RATER_COLUMNS: dict[str, str] = {PERSON: "person_id", UNIT: "unit_id", ORG: "org_id"}
RATEE_COLUMNS: dict[str, str] = {PERSON: "ratee_person_id", ORG: "ratee_org_id"}

Rater = Person | Unit | OrgNode
Ratee = Person | OrgNode


def campaign_audit(actor: User | None, campaign: EvaluationCampaign, summary: str, **data) -> None:
    """Write an audit event on the campaign (its page shows them as its history)."""
    action = (
        AuditEvent.Action.CREATED if data.get("event") == "created" else AuditEvent.Action.UPDATED
    )
    audit_record(actor=actor, action=action, obj=campaign, summary=summary, data=data)


def campaign_locked(campaign: EvaluationCampaign) -> EvaluationCampaign:
    """Return the campaign's row, locked until the transaction ends, as it stands now."""
    return EvaluationCampaign.objects.select_for_update().get(pk=campaign.pk)


def campaign_require(campaign: EvaluationCampaign, *statuses: str) -> None:
    """Refuse (ValidationError) unless the campaign is in one of `statuses`."""
    if campaign.status in statuses:
        return
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError(_("This reverse evaluation is closed: it cannot be changed."))
    raise ValidationError(
        _("This can only be done while the reverse evaluation is being prepared.")
    )


def _weights_check(weights: dict[str, int]) -> dict[str, int]:
    if set(weights) != set(WEIGHT_KEYS):
        raise ValidationError(_("Give all four weights."))
    errors = {}
    for key, value in weights.items():
        if not isinstance(value, int) or not 0 <= value <= 100:
            errors[f"weight_{key}"] = _("A weight is a whole number from 0 to 100.")
    if errors:
        raise ValidationError(errors)
    if sum(weights.values()) != 100:
        raise ValidationError(
            _("The weights must add up to 100 (they add up to %(sum)s).")
            % {"sum": sum(weights.values())}
        )
    return weights


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    year: int,
    weights: dict[str, int] | None = None,
    propose: bool = True,
    today: dt.date | None = None,
) -> EvaluationCampaign:
    """Create the draft campaign of `year` with the assessment's weights (the defaults of
    ASSESSMENT_DEFAULT_WEIGHTS unless given) and, unless `propose` is False, save the
    proposal of who rates whom in it."""
    today = today or timezone.localdate()
    if not FIRST_YEAR <= year <= today.year + 1:
        raise ValidationError(
            {
                "year": _("Choose a year from %(first)s to %(last)s.")
                % {"first": FIRST_YEAR, "last": today.year + 1}
            }
        )
    weights = _weights_check(dict(weights or ASSESSMENT_DEFAULT_WEIGHTS))
    exists = _("A reverse evaluation for %(year)s exists already.") % {"year": year}
    if EvaluationCampaign.objects.filter(year=year).exists():
        raise ValidationError({"year": exists})
    campaign = EvaluationCampaign(
        year=year, created_by=actor, **{f"weight_{k}": v for k, v in weights.items()}
    )
    campaign.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:  # created by someone else a moment ago
        raise ValidationError({"year": exists}) from None
    campaign_audit(
        actor,
        campaign,
        _("Reverse evaluation %(year)s created") % {"year": year},
        event="created",
        weights=weights,
    )
    if propose:
        campaign_propose(campaign=campaign, actor=actor)
    return campaign


@transaction.atomic
def campaign_weights_set(
    *, actor: User, campaign: EvaluationCampaign, weights: dict[str, int]
) -> EvaluationCampaign:
    """Set the weights of the year's assessment table (in percent, adding up to 100), while the
    campaign is being prepared."""
    campaign = campaign_locked(campaign)
    campaign_require(campaign, CampaignStatus.DRAFT)
    weights = _weights_check(dict(weights))
    before = campaign_weights(campaign)
    for key, value in weights.items():
        setattr(campaign, f"weight_{key}", value)
    campaign.full_clean(validate_unique=False)
    campaign.save(update_fields=[f"weight_{key}" for key in WEIGHT_KEYS])
    campaign_audit(
        actor, campaign, _("Weights changed"), event="weights", before=before, after=weights
    )
    return campaign


# --- the proposal ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalSaved:
    """What saving a proposal did: pairs per rule, rule-made pairs before, manual pairs kept,
    raters made and raters removed (left without any pair)."""

    counts: dict[str, int]
    replaced: int
    kept_manual: int
    raters_created: int
    raters_removed: int

    @property
    def pairs(self) -> int:
        return sum(self.counts.values())


def _rater_key(person_id: int | None, unit_id: int | None, org_id: int | None) -> tuple[str, int]:
    if person_id:
        return (PERSON, person_id)
    if unit_id:
        return (UNIT, unit_id)
    if org_id:
        return (ORG, org_id)
    raise ValueError("A rater is a person, a unit or a branch (rater_is_one_party).")


def raters_make(
    campaign: EvaluationCampaign, keys: list[tuple[str, int]]
) -> dict[tuple[str, int], int]:
    """Insert a rater for each (kind, id), each with its own nonce and signed token; return
    their ids by key (one INSERT a batch; one SELECT where the database returns no ids)."""
    if not keys:
        return {}
    rows = []
    for kind, pk in keys:
        rater = EvaluationRater(
            campaign=campaign,
            nonce=secrets.token_urlsafe(RATING_LINK_TOKEN_BYTES),
            **{RATER_COLUMNS[kind]: pk},
        )
        rater.token_hash = EvaluationRater.hash_of(rater.token_with(settings.SECRET_KEY))
        rows.append(rater)
    EvaluationRater.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    if all(row.pk for row in rows):
        return {key: row.pk for key, row in zip(keys, rows, strict=True)}
    made = EvaluationRater.objects.filter(
        campaign=campaign, nonce__in=[row.nonce for row in rows]
    ).values_list("pk", "person_id", "unit_id", "org_id")
    return {_rater_key(person, unit, org): pk for pk, person, unit, org in made}


def _ratee_key(ratee_person_id: int | None, ratee_org_id: int | None) -> tuple[str, int]:
    if ratee_person_id:
        return (PERSON, ratee_person_id)
    if ratee_org_id:
        return (ORG, ratee_org_id)
    raise ValueError("A ratee is a person or a branch (assignment_one_ratee).")


@transaction.atomic
def campaign_propose(*, campaign: EvaluationCampaign, actor: User | None = None) -> ProposalSaved:
    """Save the proposal of who rates whom (feedback.selectors.proposal) into a draft
    campaign: the pairs made by the rules replace those of the previous proposal, the pairs
    added by hand stay, raters keep their rows (and links) as long as they rate someone."""
    campaign = campaign_locked(campaign)
    campaign_require(campaign, CampaignStatus.DRAFT)
    proposal = evaluation_proposal(year=campaign.year)
    pairs = EvaluationAssignment.objects.filter(rater__campaign=campaign)
    replaced, _by_model = pairs.exclude(rule=EvaluationRule.MANUAL).delete()
    manual = {
        (rater_id, _ratee_key(person_id, org_id))
        for rater_id, person_id, org_id in pairs.filter(rule=EvaluationRule.MANUAL).values_list(
            "rater_id", "ratee_person_id", "ratee_org_id"
        )
    }
    raters = {
        _rater_key(person_id, unit_id, org_id): pk
        for pk, person_id, unit_id, org_id in EvaluationRater.objects.filter(
            campaign=campaign
        ).values_list("pk", "person_id", "unit_id", "org_id")
    }
    missing = list(dict.fromkeys(p.rater.key for p in proposal.pairs if p.rater.key not in raters))
    raters.update(raters_make(campaign, missing))
    rows = []
    for pair in proposal.pairs:
        rater_id = raters[pair.rater.key]
        if (rater_id, pair.ratee.key) in manual:
            continue  # the department added this very pair by hand: it stays theirs
        rows.append(
            EvaluationAssignment(
                rater_id=rater_id,
                rule=pair.rule,
                level=pair.level,
                **{RATEE_COLUMNS[pair.ratee.kind]: pair.ratee.pk},
            )
        )
    EvaluationAssignment.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    removed, _by_model = (
        EvaluationRater.objects.filter(campaign=campaign)
        .filter(~Exists(EvaluationAssignment.objects.filter(rater_id=OuterRef("pk"))))
        .delete()
    )
    counts = {rule: 0 for rule in proposal.counts()}
    for row in rows:
        counts[row.rule] += 1
    saved = ProposalSaved(counts, replaced, len(manual), len(missing), removed)
    campaign_audit(
        actor,
        campaign,
        _("Proposal saved: %(pairs)s pairs made by the rules, %(manual)s added by hand kept")
        % {"pairs": saved.pairs, "manual": saved.kept_manual},
        event="proposed",
        counts=counts,
        replaced=replaced,
        raters_created=len(missing),
        raters_removed=removed,
    )
    return saved


# --- open, close -------------------------------------------------------------------------------


@transaction.atomic
def campaign_open(
    *,
    actor: User,
    campaign: EvaluationCampaign,
    closes_on: dt.date,
    today: dt.date | None = None,
) -> EvaluationCampaign:
    """Open the campaign until `closes_on` (a later day than today; answers are taken to the
    end of that day): from now on its raters' links work and the proposal is frozen."""
    today = today or timezone.localdate()
    campaign = campaign_locked(campaign)
    campaign_require(campaign, CampaignStatus.DRAFT)
    if closes_on <= today:
        raise ValidationError({"closes_on": _("The closing date must lie after today.")})
    if not EvaluationAssignment.objects.filter(rater__campaign=campaign).exists():
        raise ValidationError(_("Nobody rates anybody yet: save the proposal or add pairs first."))
    campaign.status = CampaignStatus.OPEN
    campaign.closes_on = closes_on
    campaign.opened_at = timezone.now()
    campaign.full_clean(validate_unique=False)
    campaign.save(update_fields=["status", "closes_on", "opened_at"])
    campaign_audit(
        actor,
        campaign,
        _("Opened until %(date)s") % {"date": closes_on.isoformat()},
        event="opened",
        closes_on=closes_on.isoformat(),
    )
    return campaign


@transaction.atomic
def campaign_close(*, actor: User | None, campaign: EvaluationCampaign) -> EvaluationCampaign:
    """Close an open campaign (by hand, or actor None: the closing date passed). Its links stop
    taking answers; what was answered stays."""
    campaign = campaign_locked(campaign)
    campaign_require(campaign, CampaignStatus.OPEN)
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at"])
    summary = _("Closed") if actor else _("Closed: the closing date has passed")
    campaign_audit(actor, campaign, summary, event="closed")
    assessment_compute(campaign=campaign)  # the year's table, from the answers just frozen
    return campaign


def campaign_close_due(*, today: dt.date | None = None) -> list[int]:
    """Close the open campaigns whose closing date has passed (one a year, so one by one);
    return their years. Running it again closes nothing more."""
    today = today or timezone.localdate()
    closed = []
    due = EvaluationCampaign.objects.filter(status=CampaignStatus.OPEN, closes_on__lt=today)
    for campaign in due.order_by("year"):
        try:
            campaign_close(actor=None, campaign=campaign)
        except ValidationError:  # closed by hand meanwhile
            continue
        closed.append(campaign.year)
    return closed
