"""Writes of the reverse-evaluation campaigns (R12): create a year's campaign and set its
weights, save the proposal of who rates whom, add and remove pairs by hand, open, close (by
hand or on the closing date) and remind the raters who have not answered.

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
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.constants import (
    ASSESSMENT_DEFAULT_WEIGHTS,
    EVALUATION_REMINDER_DAYS,
    RATING_LINK_TOKEN_BYTES,
    CampaignStatus,
    EvaluationRule,
    rating_link_base_url,
)
from feedback.evaluations.assessment import assessment_compute
from feedback.evaluations.campaigns_selectors import rater_link_path
from feedback.evaluations.proposal import (
    ORG,
    PERSON,
    UNIT,
    evaluation_proposal,
    leadership_cadre_condition,
    year_bounds,
)
from feedback.models import EvaluationAssignment, EvaluationCampaign, EvaluationRater
from liaison.constants import BRANCH_TYPE_LEVELS, Level, OrgKind, PersonKind
from liaison.models import AuditEvent, OrgNode, Person, Unit, User
from liaison.services.audit import audit_record

logger = logging.getLogger(__name__)

# Rows written per INSERT or UPDATE when saving a proposal.
BATCH_SIZE = 1000
# Years a campaign may be created for: from this one to next year.
FIRST_YEAR = 2000
WEIGHT_KEYS = tuple(ASSESSMENT_DEFAULT_WEIGHTS)  # satisfaction, on_time, reverse, review
RATER_COLUMNS = {PERSON: "person_id", UNIT: "unit_id", ORG: "org_id"}
RATEE_COLUMNS = {PERSON: "ratee_person_id", ORG: "ratee_org_id"}

Rater = Person | Unit | OrgNode
Ratee = Person | OrgNode


def _audit(actor: User | None, campaign: EvaluationCampaign, summary: str, **data) -> None:
    action = (
        AuditEvent.Action.CREATED if data.get("event") == "created" else AuditEvent.Action.UPDATED
    )
    audit_record(actor=actor, action=action, obj=campaign, summary=summary, data=data)


def _locked(campaign: EvaluationCampaign) -> EvaluationCampaign:
    """The campaign's row, locked until the transaction ends, as it stands now."""
    return EvaluationCampaign.objects.select_for_update().get(pk=campaign.pk)


def _require(campaign: EvaluationCampaign, *statuses: str) -> None:
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


def campaign_weights(campaign: EvaluationCampaign) -> dict[str, int]:
    return {key: getattr(campaign, f"weight_{key}") for key in WEIGHT_KEYS}


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
    _audit(
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
    campaign = _locked(campaign)
    _require(campaign, CampaignStatus.DRAFT)
    weights = _weights_check(dict(weights))
    before = campaign_weights(campaign)
    for key, value in weights.items():
        setattr(campaign, f"weight_{key}", value)
    campaign.full_clean(validate_unique=False)
    campaign.save(update_fields=[f"weight_{key}" for key in WEIGHT_KEYS])
    _audit(actor, campaign, _("Weights changed"), event="weights", before=before, after=weights)
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
    return (ORG, org_id)


def _raters_make(
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
    return (PERSON, ratee_person_id) if ratee_person_id else (ORG, ratee_org_id)


@transaction.atomic
def campaign_propose(*, campaign: EvaluationCampaign, actor: User | None = None) -> ProposalSaved:
    """Save the proposal of who rates whom (feedback.evaluations.proposal) into a draft
    campaign: the pairs made by the rules replace those of the previous proposal, the pairs
    added by hand stay, raters keep their rows (and links) as long as they rate someone."""
    campaign = _locked(campaign)
    _require(campaign, CampaignStatus.DRAFT)
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
    raters.update(_raters_make(campaign, missing))
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
    _audit(
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


# --- pairs by hand -----------------------------------------------------------------------------


def party_text(party: Rater | Ratee) -> str:
    code = getattr(party, "code", "")
    return f"{code} {party.name}".strip()


def _check_rater(rater: Rater) -> tuple[str, int]:
    if isinstance(rater, Person):
        kind = PERSON
    elif isinstance(rater, Unit):
        kind = UNIT
    elif isinstance(rater, OrgNode):
        if rater.kind != OrgKind.BRANCH:
            raise ValidationError({"rater": _("A rating organisation must be a party branch.")})
        kind = ORG
    else:
        raise ValidationError({"rater": _("Choose a person, a unit or a party branch.")})
    if not rater.is_active:
        raise ValidationError({"rater": _("%(name)s is no longer active.") % {"name": rater.name}})
    return (kind, rater.pk)


def ratee_level(*, campaign: EvaluationCampaign, ratee: Ratee) -> str:
    """The level (R7) at which ratings of `ratee` count: a branch's type; a person is rated
    as a leadership cadre (by account or contact point in the campaign's year), else as a party
    member. Refuse anyone else."""
    if isinstance(ratee, OrgNode):
        if ratee.kind != OrgKind.BRANCH or not ratee.branch_type:
            raise ValidationError({"ratee": _("A rated organisation must be a party branch.")})
        if not ratee.is_active:
            raise ValidationError(
                {"ratee": _("%(name)s is no longer active.") % {"name": ratee.name}}
            )
        return BRANCH_TYPE_LEVELS[ratee.branch_type]
    if not isinstance(ratee, Person):
        raise ValidationError({"ratee": _("Choose a person or a party branch to be rated.")})
    if not ratee.is_active or ratee.kind != PersonKind.EMPLOYEE:
        raise ValidationError(
            {
                "ratee": _("Only an active employee can be rated: %(name)s is not.")
                % {"name": ratee.name}
            }
        )
    first, last = year_bounds(campaign.year)
    if Person.objects.filter(leadership_cadre_condition(first, last), pk=ratee.pk).exists():
        return Level.LEADERSHIP
    if ratee.is_party_member:
        return Level.PARTY_MEMBER
    raise ValidationError(
        {
            "ratee": _("%(name)s is neither a leadership cadre nor a party member.")
            % {"name": ratee.name}
        }
    )


@transaction.atomic
def campaign_pair_add(
    *, actor: User, campaign: EvaluationCampaign, rater: Rater, ratee: Ratee
) -> EvaluationAssignment:
    """Add by hand that `rater` (a person, unit or branch) rates `ratee` (a person or a
    branch), rule MANUAL, while the campaign is being prepared or open (the rater must not have
    answered yet). Refuse self-rating, a pair already there, a closed campaign."""
    campaign = _locked(campaign)
    _require(campaign, CampaignStatus.DRAFT, CampaignStatus.OPEN)
    rater_kind, rater_pk = _check_rater(rater)
    ratee_kind = PERSON if isinstance(ratee, Person) else ORG
    if (rater_kind, rater_pk) == (ratee_kind, ratee.pk):
        raise ValidationError({"ratee": _("Nobody rates themselves.")})
    level = ratee_level(campaign=campaign, ratee=ratee)
    row = EvaluationRater.objects.filter(
        campaign=campaign, **{RATER_COLUMNS[rater_kind]: rater_pk}
    ).first()
    if row is None:
        row_id = _raters_make(campaign, [(rater_kind, rater_pk)])[(rater_kind, rater_pk)]
        row = EvaluationRater.objects.get(pk=row_id)
    elif row.submitted_at is not None:
        raise ValidationError(
            {
                "rater": _("%(name)s has already answered: add the pair to another rater.")
                % {"name": rater.name}
            }
        )
    pair = EvaluationAssignment(
        rater=row,
        rule=EvaluationRule.MANUAL,
        level=level,
        added_by=actor,
        **{RATEE_COLUMNS[ratee_kind]: ratee.pk},
    )
    duplicate = _("%(rater)s already rates %(ratee)s in this evaluation.") % {
        "rater": rater.name,
        "ratee": ratee.name,
    }
    try:
        with transaction.atomic():
            pair.save()
    except IntegrityError:
        raise ValidationError({"ratee": duplicate}) from None
    _audit(
        actor,
        campaign,
        _("Pair added: %(rater)s rates %(ratee)s")
        % {"rater": party_text(rater), "ratee": party_text(ratee)},
        event="pair_added",
        pair=pair.pk,
        rater=[rater_kind, rater_pk],
        ratee=[ratee_kind, ratee.pk],
        level=level,
    )
    return pair


@transaction.atomic
def campaign_pair_remove(
    *, actor: User, campaign: EvaluationCampaign, assignment: EvaluationAssignment
) -> None:
    """Remove one pair while the campaign is being prepared (a rater left with none goes too).
    A pair the rules made comes back if the proposal is saved again."""
    campaign = _locked(campaign)
    _require(campaign, CampaignStatus.DRAFT)
    pair = (
        EvaluationAssignment.objects.select_related(
            "rater__person", "rater__unit", "rater__org", "ratee_person", "ratee_org"
        )
        .filter(pk=assignment.pk, rater__campaign=campaign)
        .first()
    )
    if pair is None:
        raise ValidationError(_("This pair was removed already."))
    rater = pair.rater
    summary = _("Pair removed: %(rater)s rates %(ratee)s") % {
        "rater": party_text(rater.party),
        "ratee": party_text(pair.ratee),
    }
    rule = pair.rule
    pair.delete()
    EvaluationRater.objects.filter(pk=rater.pk, assignments__isnull=True).delete()
    _audit(actor, campaign, summary, event="pair_removed", pair=assignment.pk, rule=rule)


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
    campaign = _locked(campaign)
    _require(campaign, CampaignStatus.DRAFT)
    if closes_on <= today:
        raise ValidationError({"closes_on": _("The closing date must lie after today.")})
    if not EvaluationAssignment.objects.filter(rater__campaign=campaign).exists():
        raise ValidationError(_("Nobody rates anybody yet: save the proposal or add pairs first."))
    campaign.status = CampaignStatus.OPEN
    campaign.closes_on = closes_on
    campaign.opened_at = timezone.now()
    campaign.full_clean(validate_unique=False)
    campaign.save(update_fields=["status", "closes_on", "opened_at"])
    _audit(
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
    campaign = _locked(campaign)
    _require(campaign, CampaignStatus.OPEN)
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at"])
    summary = _("Closed") if actor else _("Closed: the closing date has passed")
    _audit(actor, campaign, summary, event="closed")
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


# --- reminders ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reminder:
    email: str
    year: int
    closes_on: dt.date
    path: str


def evaluation_reminders_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind the raters of open campaigns who have not answered, were not reminded in the
    last EVALUATION_REMINDER_DAYS days, and can be written to (a person with an active account,
    an address and email on): mark them reminded (one UPDATE a batch) and, after the commit,
    email them their link. The first run after opening is everyone's invitation. Raters are
    claimed with SKIP LOCKED, so two runs at once share them and nobody is written to twice."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    cutoff = now - dt.timedelta(days=EVALUATION_REMINDER_DAYS)
    with transaction.atomic():
        due = list(
            EvaluationRater.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                Q(reminded_at__isnull=True) | Q(reminded_at__lte=cutoff),
                campaign__status=CampaignStatus.OPEN,
                campaign__closes_on__gte=today,
                submitted_at__isnull=True,
                # Only raters who can be written to are reminded (and so marked): the others
                # get their card from the unit's sheet of QR codes.
                person__account__is_active=True,
                person__account__email_notifications=True,
            )
            .exclude(person__account__email="")
            .order_by("pk")
            .values_list(
                "pk",
                "campaign_id",
                "nonce",
                "token_hash",
                "campaign__year",
                "campaign__closes_on",
                "person__account__email",
                "person__account__is_active",
                "person__account__email_notifications",
            )
        )
        ids = [row[0] for row in due]
        for start in range(0, len(ids), BATCH_SIZE):
            EvaluationRater.objects.filter(pk__in=ids[start : start + BATCH_SIZE]).update(
                reminded_at=now
            )
        reminders = []
        for pk, campaign_id, nonce, token_hash, year, closes_on, email, active, wants in due:
            if not (email and active and wants):
                continue
            rater = EvaluationRater(
                pk=pk, campaign_id=campaign_id, nonce=nonce, token_hash=token_hash
            )
            token = rater.token()
            if token is not None:
                reminders.append(_Reminder(email, year, closes_on, rater_link_path(token)))
        if reminders:
            transaction.on_commit(lambda: _reminders_email(reminders))
    return {"reminded": len(ids), "emailed": len(reminders)}


def _reminders_email(reminders: list[_Reminder]) -> None:
    base = rating_link_base_url()
    messages = [
        EmailMessage(
            subject=_("Reverse evaluation %(year)s: your rating is awaited") % {"year": r.year},
            body=_(
                "Please rate the cadres, party members and branches you were asked about in the "
                "reverse evaluation of %(year)s, by %(date)s:\n%(url)s\n\nThe link is yours "
                "alone; no account is needed."
            )
            % {"year": r.year, "date": r.closes_on.isoformat(), "url": base + r.path},
            to=[r.email],
        )
        for r in reminders
    ]
    try:
        with get_connection() as connection:
            connection.send_messages(messages)
    except Exception:  # the mail server is down: the reminders were marked; next week's go
        logger.exception("Reverse-evaluation reminders could not be emailed")
