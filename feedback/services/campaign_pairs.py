"""Pairs of a reverse-evaluation campaign added and removed by hand (R12): who rates whom beyond
the proposal (rule MANUAL), while the campaign is being prepared (added also while it is open,
for a rater who has not answered yet). Like every campaign service: keyword-only, one
transaction, the campaign row locked, an audit event on the campaign
(feedback.services.campaigns)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from feedback.constants import CampaignStatus, EvaluationRule
from feedback.models import EvaluationAssignment, EvaluationCampaign, EvaluationRater
from feedback.selectors.proposal import ORG, PERSON, UNIT, leadership_cadre_condition, year_bounds
from feedback.services.campaigns import (
    RATEE_COLUMNS,
    RATER_COLUMNS,
    Ratee,
    Rater,
    campaign_audit,
    campaign_locked,
    campaign_require,
    raters_make,
)
from liaison.constants import Level, OrgKind, PersonKind, level_of
from liaison.models import OrgNode, Person, Unit, User


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
        return level_of(role="", org_kind=ratee.kind, branch_type=ratee.branch_type)
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
    campaign = campaign_locked(campaign)
    campaign_require(campaign, CampaignStatus.DRAFT, CampaignStatus.OPEN)
    rater_kind, rater_pk = _check_rater(rater)
    ratee_kind = PERSON if isinstance(ratee, Person) else ORG
    if (rater_kind, rater_pk) == (ratee_kind, ratee.pk):
        raise ValidationError({"ratee": _("Nobody rates themselves.")})
    level = ratee_level(campaign=campaign, ratee=ratee)
    row = EvaluationRater.objects.filter(
        campaign=campaign, **{RATER_COLUMNS[rater_kind]: rater_pk}
    ).first()
    if row is None:
        row_id = raters_make(campaign, [(rater_kind, rater_pk)])[(rater_kind, rater_pk)]
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
    campaign_audit(
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
    campaign = campaign_locked(campaign)
    campaign_require(campaign, CampaignStatus.DRAFT)
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
    campaign_audit(actor, campaign, summary, event="pair_removed", pair=assignment.pk, rule=rule)
