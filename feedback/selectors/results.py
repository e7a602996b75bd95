"""Results of the reverse evaluation (R12): per ratee and level, and by the four levels (R7).

The unit of a result is a ratee at a level (a person rated as a leadership cadre, a branch as a
grassroots branch …): its count, satisfaction rate (R8: satisfied ÷ rated, satisfied per
feedback.constants.satisfied_values()) and the distribution over the scale. A result is shown
only with at least evaluation_min_ratings() ratings, so that no single rater can be picked out;
below it only the count shows. Every sum above a result — the four levels, a ratee's pooled
reverse-evaluation rate in the assessment table — adds up shown results only: a total that
held a hidden result could be subtracted from the shown ones to reveal it.

Nothing here reads who rated: the queries group the answers by ratee and level and never
select a rater's person, unit or branch; comments are listed unattributed, in the order of
their text (not of their time, which the progress page could tie to a rater).

Who sees what, and when (decided in feedback.permissions: results_statuses, ratee_scope,
sees_all_results):

- draft campaigns: nothing (404);
- open campaigns: the party-building department and administrators see how many of the raters
  asked about each ratee have answered, no rates (a rate read before and after one rater
  answered would show that rater's answer); everyone else 404;
- closed campaigns: the department and administrators every ratee, with the comments of the
  shown results; committee staff and branch secretaries the ratees of their subtree (people
  by their organisation, branches by their place in the tree), without the comments — they work
  beside the raters and could tell a comment's author by what it says; everyone else 404.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import cast

from django.db.models import Count, F, Q

from feedback.constants import (
    CampaignStatus,
    Satisfaction,
    evaluation_min_ratings,
    satisfaction_rate,
    satisfied_values,
)
from feedback.models import EvaluationAnswer, EvaluationAssignment, EvaluationCampaign
from feedback.permissions import ratee_scope, results_statuses
from liaison.constants import BranchType, Level, OrgKind
from liaison.models import OrgNode, User

__all__ = [
    "CampaignResults",
    "LevelSummary",
    "RateeResult",
    "campaign_results",
    "result_comments",
    "results_campaigns",
    "reverse_rates",
]

_LEVEL_ORDER = {level: n for n, level in enumerate(Level.values)}
_VALUE_FIELDS = {value: f"n_{value}" for value in Satisfaction.values}


def results_campaigns(*, user: User) -> list[EvaluationCampaign]:
    """Return the campaigns whose results the user may read, newest first (one query)."""
    return list(EvaluationCampaign.objects.filter(status__in=results_statuses(user)))


@dataclass(frozen=True)
class Share:
    value: str
    label: str
    count: int
    share: float  # of the ratings, 0 to 1


@dataclass
class RateeResult:
    """A ratee at one level: how many were asked, how many answered, and the answers."""

    kind: str  # "person" or "branch"
    pk: int
    name: str
    detail: str  # a person's position and organisation, a branch's kind
    path: str  # a branch's place in the tree ("" for a person)
    level: str
    assigned: int
    count: int
    ratings: dict[str, int]
    min_ratings: int
    group_path: str = ""  # a person in a party group: the group's path (its branch is named)
    comments: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.pk)

    @property
    def level_label(self) -> str:
        return str(Level(self.level).label)

    @property
    def shown(self) -> bool:
        return self.count >= self.min_ratings and self.count > 0

    @property
    def satisfied(self) -> int | None:
        """The satisfied answers; None while the result is hidden."""
        if not self.shown:
            return None
        return sum(n for value, n in self.ratings.items() if value in satisfied_values())

    @property
    def satisfaction_rate(self) -> float | None:
        satisfied = self.satisfied
        return None if satisfied is None else satisfaction_rate(satisfied, self.count)

    @property
    def distribution(self) -> list[Share]:
        if not self.shown:
            return []
        return [
            Share(value, str(label), self.ratings[value], self.ratings[value] / self.count)
            for value, label in Satisfaction.choices
        ]


@dataclass
class LevelSummary:
    """One of the four levels: the shown results in it and their ratings pooled."""

    level: str
    label: str
    ratees: int = 0  # shown results
    hidden: int = 0  # results with answers, but too few to show
    ratings: int = 0
    satisfied: int = 0
    assigned: int = 0  # asked (for the progress of an open campaign)
    answered: int = 0  # answers so far, shown or not

    @property
    def satisfaction_rate(self) -> float | None:
        return satisfaction_rate(self.satisfied, self.ratings)


@dataclass
class CampaignResults:
    campaign: EvaluationCampaign
    rates_visible: bool  # closed: rates and distributions; open: progress only
    min_ratings: int
    rows: list[RateeResult]
    levels: list[LevelSummary]
    total: LevelSummary


def _grouped(campaign: EvaluationCampaign, condition: Q) -> list[RateeResult]:
    """Every ratee and level of the campaign matching `condition`, with the answers counted
    per value of the scale (one query; self-ratings, which the answers service refuses, are
    left out here too)."""
    rows = (
        EvaluationAssignment.objects.filter(condition, rater__campaign=campaign)
        .exclude(ratee_person_id=F("rater__person_id"))
        .exclude(ratee_org_id=F("rater__org_id"))
        .order_by()
        .values(
            "ratee_person_id",
            "ratee_person__name",
            "ratee_person__position",
            "ratee_person__org__name",
            "ratee_person__org__path",
            "ratee_person__org__kind",
            "ratee_org_id",
            "ratee_org__name",
            "ratee_org__path",
            "ratee_org__kind",
            "ratee_org__branch_type",
            "level",
        )
        .annotate(
            assigned=Count("pk"),
            answered=Count("answer"),
            **{
                name: Count("answer", filter=Q(answer__value=value))
                for value, name in _VALUE_FIELDS.items()
            },
        )
    )
    minimum = evaluation_min_ratings()
    results = []
    for row in rows:
        group = ""
        if row["ratee_person_id"] is not None:
            position = row["ratee_person__position"]
            org = row["ratee_person__org__name"] or ""
            detail = f"{position} · {org}" if position and org else position or org
            kind, pk, name, path = "person", row["ratee_person_id"], row["ratee_person__name"], ""
            if row["ratee_person__org__kind"] == OrgKind.GROUP:
                group = row["ratee_person__org__path"]
        else:
            detail = _org_kind_label(row["ratee_org__kind"], row["ratee_org__branch_type"])
            kind, pk, name = "branch", row["ratee_org_id"], row["ratee_org__name"]
            path = row["ratee_org__path"]
        # The counts per value are annotated under names made at run time, which the row's
        # inferred type does not know.
        counts = cast(dict[str, int], row)
        ratings = {value: counts[name_] for value, name_ in _VALUE_FIELDS.items()}
        results.append(
            RateeResult(
                kind=kind,
                pk=pk,
                name=name,
                detail=detail,
                path=path,
                level=row["level"],
                assigned=row["assigned"],
                count=row["answered"],
                ratings=ratings,
                min_ratings=minimum,
                group_path=group,
            )
        )
    results.sort(key=lambda r: (_LEVEL_ORDER[r.level], r.kind != "branch", r.path, r.name, r.pk))
    return results


def _org_kind_label(kind: str, branch_type: str) -> str:
    if kind == OrgKind.BRANCH and branch_type:
        return str(BranchType(branch_type).label)
    return str(OrgKind(kind).label)


def branch_names(groups: set[str]) -> dict[str, str]:
    """Return the name of the branch above each party group (by the groups' paths), in one
    query (none without groups): a group's name ("第一党小组") says little on its own."""
    parents = {path[: -OrgNode.steplen] for path in groups if path}
    if not parents:
        return {}
    names = dict(OrgNode.objects.filter(path__in=parents).values_list("path", "name"))
    return {path: names.get(path[: -OrgNode.steplen], "") for path in groups}


def _summaries(rows: list[RateeResult]) -> tuple[list[LevelSummary], LevelSummary]:
    levels = {level.value: LevelSummary(level.value, str(level.label)) for level in Level}
    total = LevelSummary("", "")
    for row in rows:
        satisfied = row.satisfied  # None: the result is hidden
        for summary in (levels[row.level], total):
            summary.assigned += row.assigned
            summary.answered += row.count
            if satisfied is not None:
                summary.ratees += 1
                summary.ratings += row.count
                summary.satisfied += satisfied
            elif row.count:
                summary.hidden += 1
    return list(levels.values()), total


def campaign_results(
    *, campaign: EvaluationCampaign, user: User, level: str | None = None
) -> CampaignResults:
    """Return the results of the ratees the user may see (all levels summed; the rows of one
    `level` if given), in one query, and one more for the branches of the party groups their
    people belong to. Call with a campaign from get_results_campaign_for."""
    rows = _grouped(campaign, ratee_scope(user))
    levels, total = _summaries(rows)
    if level:
        rows = [row for row in rows if row.level == level]
    branches = branch_names({row.group_path for row in rows if row.group_path})
    for row in rows:
        if row.group_path and branches.get(row.group_path):
            row.detail = f"{row.detail} · {branches[row.group_path]}"
    return CampaignResults(
        campaign=campaign,
        rates_visible=campaign.status == CampaignStatus.CLOSED,
        min_ratings=evaluation_min_ratings(),
        rows=rows,
        levels=levels,
        total=total,
    )


def result_comments(*, campaign: EvaluationCampaign, rows: list[RateeResult]) -> None:
    """Attach to each shown result among `rows` its comments, unattributed and in the order of
    their text (one query; none if no row is shown). For the party-building department of a
    closed campaign only: the caller checks."""
    shown = {(row.kind, row.pk, row.level): row for row in rows if row.shown}
    if not shown:
        return
    people = [pk for kind, pk, _level in shown if kind == "person"]
    branches = [pk for kind, pk, _level in shown if kind == "branch"]
    comments = (
        EvaluationAnswer.objects.filter(assignment__rater__campaign=campaign)
        .filter(
            Q(assignment__ratee_person_id__in=people) | Q(assignment__ratee_org_id__in=branches)
        )
        .exclude(comment="")
        .order_by("comment")
        .values_list(
            "assignment__ratee_person_id",
            "assignment__ratee_org_id",
            "assignment__level",
            "comment",
        )
    )
    for person_id, org_id, level, comment in comments:
        key = ("person", person_id, level) if person_id else ("branch", org_id, level)
        if key in shown:
            shown[key].comments.append(comment)


@dataclass(frozen=True)
class ReverseRate:
    satisfied: int
    count: int

    @property
    def rate(self) -> float | None:
        return satisfaction_rate(self.satisfied, self.count)


def reverse_rates(*, campaign: EvaluationCampaign) -> dict[tuple[str, int], ReverseRate]:
    """Return each ratee's reverse-evaluation result pooled over their shown results (every
    level with enough ratings), keyed ("person", pk) or ("branch", pk) (one query)."""
    pooled: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for row in _grouped(campaign, Q()):
        satisfied = row.satisfied  # None: the result is hidden
        if satisfied is not None:
            pooled[row.key][0] += satisfied
            pooled[row.key][1] += row.count
    return {key: ReverseRate(satisfied, count) for key, (satisfied, count) in pooled.items()}
