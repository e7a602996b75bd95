"""Reads of the reverse-evaluation campaigns (R12): the campaign list and page, its weights,
progress by org unit, the raters of a printed sheet. Every read is for the party-building
department (and administrators), who alone get a campaign (feedback.permissions.get_campaign_for);
anyone else gets 404 (DESIGN.md §3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Substr
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from feedback.constants import ASSESSMENT_DEFAULT_WEIGHTS, CampaignStatus, EvaluationRule
from feedback.models import EvaluationAssignment, EvaluationCampaign, EvaluationRater
from liaison.constants import OrgKind
from liaison.models import AuditEvent, OrgNode

RATER_RELATED = ("person__org", "unit__branch", "org")
WEIGHT_KEYS = tuple(ASSESSMENT_DEFAULT_WEIGHTS)  # satisfaction, on_time, reverse, review


def rater_home_path(prefix: str = "") -> Coalesce:
    """Where a rater belongs in the org tree: a person by their branch or group, a unit by its
    covering branch, a branch by itself (`prefix`: "rater__" from a pair)."""
    return Coalesce(*(f"{prefix}{name}__path" for name in RATER_RELATED))


def campaign_weights(campaign: EvaluationCampaign) -> dict[str, int]:
    """Return the weights of the campaign's assessment table, in percent, by part."""
    return {key: getattr(campaign, f"weight_{key}") for key in WEIGHT_KEYS}


def campaign_accepts_answers(campaign: EvaluationCampaign, today: dt.date) -> bool:
    """Whether raters may answer now: the campaign is open and its closing date has not passed
    (answers are taken until the end of `closes_on`; the close job runs the day after)."""
    return (
        campaign.status == CampaignStatus.OPEN
        and campaign.closes_on is not None
        and today <= campaign.closes_on
    )


def rater_link_path(token: str) -> str:
    """The rater's public page: /e/<token>/ (the URL "evaluate:form" where it is defined)."""
    try:
        return reverse("evaluate:form", args=[token])
    except NoReverseMatch:  # the rater's pages are not mounted yet: the path they will have
        return f"/e/{token}/"


def campaign_list() -> QuerySet[EvaluationCampaign]:
    """Every campaign, newest year first, with its raters counted (one query)."""
    return EvaluationCampaign.objects.annotate(
        rater_total=Count("raters"),
        rater_answered=Count("raters", filter=Q(raters__submitted_at__isnull=False)),
    ).order_by("-year")


@dataclass
class CampaignCounts:
    """The figures of a campaign's page: pairs per rule, raters by kind and answered."""

    by_rule: list[tuple[str, str, int]]  # (rule, label, pairs)
    pairs: int
    raters: int
    answered: int
    persons: int
    units: int
    orgs: int

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.raters if self.raters else None


def campaign_counts(*, campaign: EvaluationCampaign) -> CampaignCounts:
    """Count the campaign's pairs by rule and its raters (two queries)."""
    found = dict(
        EvaluationAssignment.objects.filter(rater__campaign=campaign)
        .order_by()
        .values("rule")
        .annotate(n=Count("pk"))
        .values_list("rule", "n")
    )
    raters = EvaluationRater.objects.filter(campaign=campaign).aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=Q(submitted_at__isnull=False)),
        persons=Count("pk", filter=Q(person__isnull=False)),
        units=Count("pk", filter=Q(unit__isnull=False)),
        orgs=Count("pk", filter=Q(org__isnull=False)),
    )
    by_rule = [(rule, str(label), found.get(rule, 0)) for rule, label in EvaluationRule.choices]
    return CampaignCounts(
        by_rule=by_rule,
        pairs=sum(found.values()),
        raters=raters["total"],
        answered=raters["answered"],
        persons=raters["persons"],
        units=raters["units"],
        orgs=raters["orgs"],
    )


def campaign_pairs(*, campaign: EvaluationCampaign) -> QuerySet[EvaluationAssignment]:
    """The campaign's pairs with both sides loaded (for the paginated table; sorted by rater,
    whose ids follow the proposal's order: by rule, then by code)."""
    return (
        EvaluationAssignment.objects.filter(rater__campaign=campaign)
        .select_related("rater", *(f"rater__{name}" for name in RATER_RELATED))
        .select_related("ratee_person__org", "ratee_org")
    )


def in_subtree(node: OrgNode | None) -> Q:
    """Raters whose home (see rater_home_path) lies in `node`'s subtree (prefix "rater__"
    left to the caller: this is for EvaluationRater)."""
    if node is None:
        return Q()
    return (
        Q(person__org__path__startswith=node.path)
        | Q(unit__branch__path__startswith=node.path)
        | Q(org__path__startswith=node.path)
    )


def campaign_raters(
    *,
    campaign: EvaluationCampaign,
    node: OrgNode | None = None,
    unanswered: bool = False,
    by_place: bool = False,
) -> QuerySet[EvaluationRater]:
    """The campaign's raters in `node`'s subtree, each with its number of ratees; in the order
    of the proposal, or `by_place` in the tree (the printed sheet: one unit's cards together;
    a sort over the whole subtree, so for a subtree at a time)."""
    raters = EvaluationRater.objects.filter(in_subtree(node), campaign=campaign)
    if unanswered:
        raters = raters.filter(submitted_at__isnull=True)
    ratees = (
        EvaluationAssignment.objects.filter(rater_id=OuterRef("pk"))
        .order_by()
        .values("rater_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    raters = raters.select_related(*RATER_RELATED).annotate(
        ratee_count=Coalesce(Subquery(ratees), 0), home_path=rater_home_path()
    )
    return raters.order_by("home_path", "pk") if by_place else raters.order_by("pk")


@dataclass
class ProgressRow:
    node: OrgNode | None  # None: the total of a tree with several roots
    label: str
    drillable: bool
    total: int = 0
    answered: int = 0

    @property
    def unanswered(self) -> int:
        return self.total - self.answered

    @property
    def rate(self) -> float | None:
        return self.answered / self.total if self.total else None


@dataclass
class Progress:
    node: OrgNode | None
    parents: list[OrgNode]
    rows: list[ProgressRow]
    total: ProgressRow


def progress_node(node: OrgNode | None) -> tuple[OrgNode | None, list[OrgNode]]:
    """The node whose children the progress board shows (the company when none is chosen)
    and the roots when the tree has several."""
    if node is not None:
        return node, []
    roots = list(OrgNode.objects.get_root_nodes())
    return (roots[0], []) if len(roots) == 1 else (None, roots)


def campaign_progress(*, campaign: EvaluationCampaign, node: OrgNode | None) -> Progress:
    """Raters and those who answered, by org unit one level below `node` (persons by their
    org, units by their branch, branches by themselves), zeros included: one query to count,
    one for the children and one for the breadcrumb."""
    node, roots = progress_node(node)
    units = roots if node is None else list(OrgNode.objects.get_children(node))
    prefix_length = (len(node.path) if node else 0) + OrgNode.steplen
    raters = EvaluationRater.objects.filter(campaign=campaign).annotate(home=rater_home_path())
    if node is not None:
        raters = raters.filter(home__startswith=node.path)
    grouped = {
        row["place"]: row
        for row in raters.order_by()
        .annotate(place=Substr("home", 1, prefix_length))
        .values("place")
        .annotate(total=Count("pk"), answered=Count("pk", filter=Q(submitted_at__isnull=False)))
    }
    rows = []
    if node is not None and node.path in grouped:  # raters attached to the node itself
        itself = grouped[node.path]
        label = _("%(name)s itself") % {"name": node.name}
        rows.append(ProgressRow(node, label, False, itself["total"], itself["answered"]))
    for unit in units:
        counted = grouped.get(unit.path)
        drillable = unit.kind != OrgKind.GROUP and not unit.is_leaf()
        row = ProgressRow(unit, unit.name, drillable)
        if counted is not None:
            row.total, row.answered = counted["total"], counted["answered"]
        rows.append(row)
    total = ProgressRow(
        node,
        _("Total"),
        False,
        sum(r.total for r in rows),
        sum(r.answered for r in rows),
    )
    parents = [*OrgNode.objects.get_ancestors(node), node] if node is not None else []
    return Progress(node, parents, rows, total)


def rater_tokens(raters) -> list[tuple[EvaluationRater, str | None]]:
    """Each rater with its token (None: the key that made it is gone; re-issue it)."""
    return [(rater, rater.token()) for rater in raters]


def rater_kind_label(rater: EvaluationRater) -> str:
    if rater.person_id:
        return _("Person")
    if rater.unit_id:
        return _("Unit")
    return _("Branch")


def rater_home(rater: EvaluationRater) -> OrgNode | None:
    """The org node a rater is counted under (its objects loaded with RATER_RELATED)."""
    if rater.person is not None:
        return rater.person.org
    if rater.unit is not None:
        return rater.unit.branch
    return rater.org


def campaign_history(*, campaign: EvaluationCampaign, limit: int = 30) -> list[AuditEvent]:
    """The campaign's latest changes, newest first (the audit events its services wrote)."""
    return list(
        AuditEvent.objects.filter(
            object_type=EvaluationCampaign._meta.label_lower, object_id=str(campaign.pk)
        ).select_related("actor")[:limit]
    )
