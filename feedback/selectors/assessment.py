"""Reads of the annual assessment table (年度考核, R12): the stored rows a user may see, ranked
as computed for the whole company (feedback.services.assessment computes them and says how)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import F
from django.utils.translation import gettext as _

from feedback.constants import ranking_min_ratings
from feedback.models import AssessmentRow, EvaluationCampaign
from feedback.permissions import assessment_scope
from feedback.selectors.campaigns import campaign_weights
from feedback.selectors.results import branch_names
from liaison.constants import OrgKind
from liaison.models import User


@dataclass(frozen=True)
class AssessmentTable:
    campaign: EvaluationCampaign
    branches: list[AssessmentRow]
    cadres: list[AssessmentRow]
    computed_at: dt.datetime | None
    weights: dict[str, int]
    min_ratings: int  # entries rated below this: the satisfaction rate is not counted


def assessment_table(*, campaign: EvaluationCampaign, user: User) -> AssessmentTable:
    """Return the stored rows the user may see — branches in their subtree, cadres whose
    organisation is — ranked as computed for the whole company (one query, and one for the
    branches of the party groups cadres belong to). Call with a campaign from
    feedback.permissions.get_assessment_campaign_for."""
    rows = list(
        AssessmentRow.objects.filter(assessment_scope(user), campaign=campaign)
        .select_related("org", "person__org")
        .order_by(F("rank").asc(nulls_last=True), "org__path", "person__name", "pk")
    )
    branches = [row for row in rows if row.org_id]
    cadre_orgs = [(row, row.person.org) for row in rows if row.person is not None]
    groups = branch_names({org.path for _row, org in cadre_orgs if org.kind == OrgKind.GROUP})
    for row, org in cadre_orgs:  # "branch · group" for a cadre in a party group
        row.org_label = f"{groups[org.path]} · {org.name}" if org.path in groups else org.name
    cadres = [row for row, _org in cadre_orgs]
    computed = max((row.computed_at for row in rows), default=None)
    minimum = ranking_min_ratings()
    for part in (branches, cadres):
        _explain_ranks(part, minimum)
    return AssessmentTable(
        campaign, branches, cadres, computed, campaign_weights(campaign), minimum
    )


def _explain_ranks(rows: list[AssessmentRow], minimum: int) -> None:
    """Set `tied` (the rank is shared) and `unranked_reason` on each row."""
    shared = Counter(row.rank for row in rows if row.rank is not None)
    for row in rows:
        row.tied = row.rank is not None and shared[row.rank] > 1
        if row.rank is not None:
            row.unranked_reason = ""
        elif row.score is None:
            row.unranked_reason = _("Not ranked: no figures in the year")
        else:
            row.unranked_reason = _(
                "Not ranked: %(rated)d entry ratings (fewer than %(minimum)d) and no "
                "reverse-evaluation result"
            ) % {"rated": row.rated, "minimum": minimum}
