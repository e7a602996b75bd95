"""The dashboards' figures by unit (R8): each child of a node with its open and overdue entries
now, and every branch of a subtree, ranked by satisfaction rate — only with enough ratings
(feedback.constants.ranking_min_ratings). Read from the roll-up tables, like
feedback.selectors.figures, whose Counts they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, Sum

from feedback.constants import ranking_min_ratings
from feedback.models import RATING_FIELDS, EntryMonthlyLevel
from feedback.periods import Period
from feedback.selectors.figures import Counts, level_sums
from liaison.constants import OrgKind
from liaison.models import OrgNode

# What a ranking reads: the ratings and their values, a fifth of the roll-up's counts.
RATINGS = ("rated", *RATING_FIELDS.values())


@dataclass
class UnitRow:
    """A child of the node (or, with `own`, the entries in the node's own ledger)."""

    node: OrgNode
    counts: Counts
    awaiting_now: int = 0  # every entry still awaiting its reply, whatever its due date
    overdue_now: int = 0  # of those, flagged overdue
    own: bool = False
    rank: int | None = None
    tied: bool = False  # another row has the same rank (并列)


@dataclass
class UnitFigures:
    node: OrgNode
    period: Period
    rows: list[UnitRow]
    ranking: list[UnitRow] = field(default_factory=list)  # best first; the ranked rows only
    min_ratings: int = 0

    @property
    def unranked(self) -> list[UnitRow]:
        """The rows with ratings, but fewer than the minimum: listed unranked, with the reason."""
        return [row for row in self.rows if 0 < row.counts.rated < self.min_ratings]

    @property
    def unrated(self) -> int:
        """How many rows have no rating at all in the period."""
        return sum(1 for row in self.rows if not row.counts.rated)


def _rank(rows: list[UnitRow], min_ratings: int) -> list[UnitRow]:
    """Rank the rows with at least `min_ratings` ratings by satisfaction rate, best first,
    then by most ratings, then in the tree's order (equal rates share a rank: 1, 2, 2, 4);
    the others keep rank None."""
    scored = [  # each rate worked out once
        (rate, row)
        for row in rows
        if row.counts.rated >= min_ratings and (rate := row.counts.satisfaction_rate) is not None
    ]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].counts.rated, pair[1].node.path))
    previous: tuple[float, UnitRow] | None = None
    for position, (rate, row) in enumerate(scored, start=1):
        if previous is not None and previous[0] == rate:
            row.rank = previous[1].rank
            row.tied = previous[1].tied = True
        else:
            row.rank = position
        previous = (rate, row)
    return [row for _rate, row in scored]


def _children(node: OrgNode) -> list[OrgNode]:
    return list(
        OrgNode.objects.filter(path__startswith=node.path, depth=node.depth + 1).order_by("path")
    )


def _branches(node: OrgNode) -> list[OrgNode]:
    return list(
        OrgNode.objects.filter(path__startswith=node.path, kind=OrgKind.BRANCH).order_by("path")
    )


def by_unit(*, node: OrgNode, period: Period) -> UnitFigures:
    """Return each child's figures for the period, the entries awaiting a reply and overdue
    now, and the children ranked by satisfaction rate (three queries). A last row, `own`,
    holds the entries of the node's own ledger if it has any."""
    return _by_unit(node, period, _children(node))


def branch_ranking(*, node: OrgNode, period: Period) -> UnitFigures:
    """Return every branch of the subtree with its ratings for the period, ranked by
    satisfaction rate (R8: only with enough ratings) (two queries). The rows' counts hold the
    ratings only (rated and by value): what the ranking and its table read."""
    return _branch_ranking(node, period, _branches(node))


def units_and_branches(*, node: OrgNode, period: Period) -> tuple[UnitFigures, UnitFigures]:
    """Return by_unit and branch_ranking of the node, its children and branches read
    together (four queries instead of five)."""
    below = OrgNode.objects.filter(path__startswith=node.path).filter(
        Q(depth=node.depth + 1) | Q(kind=OrgKind.BRANCH)
    )
    nodes = list(below.order_by("path"))
    children = [child for child in nodes if child.depth == node.depth + 1]
    branches = [branch for branch in nodes if branch.kind == OrgKind.BRANCH]
    return _by_unit(node, period, children), _branch_ranking(node, period, branches)


def _by_unit(node: OrgNode, period: Period, children: list[OrgNode]) -> UnitFigures:
    ids = [node.pk, *(child.pk for child in children)]
    sums = {
        node_id: counts
        for (node_id,), counts in level_sums(
            "node", node_ids=ids, first=period.first, last=period.last
        )
    }
    now = {  # node → (awaiting, of those overdue)
        row["node_id"]: (row["awaiting"] or 0, row["open_overdue"] or 0)
        for row in EntryMonthlyLevel.objects.filter(node_id__in=ids, awaiting__gt=0)
        .order_by()
        .values("node_id")
        .annotate(awaiting=Sum("awaiting"), open_overdue=Sum("open_overdue"))
    }
    rows = [
        UnitRow(child, sums.get(child.pk, Counts()), *now.get(child.pk, (0, 0)))
        for child in children
    ]
    own = sums.get(node.pk, Counts()) - sum((row.counts for row in rows), Counts())
    awaiting, overdue = now.get(node.pk, (0, 0))
    own_awaiting = awaiting - sum(row.awaiting_now for row in rows)
    own_overdue = overdue - sum(row.overdue_now for row in rows)
    if own or own_awaiting or own_overdue:
        rows.append(UnitRow(node, own, own_awaiting, own_overdue, own=True))
    minimum = ranking_min_ratings()
    ranking = _rank([row for row in rows if not row.own], minimum)
    return UnitFigures(node, period, rows, ranking, minimum)


def _branch_ranking(node: OrgNode, period: Period, branches: list[OrgNode]) -> UnitFigures:
    """`branches`: in the tree's order."""
    sums = {
        node_id: counts
        for (node_id,), counts in level_sums(
            "node",
            node_ids=[branch.pk for branch in branches],
            first=period.first,
            last=period.last,
            counts=RATINGS,
        )
    }
    rows = [UnitRow(branch, sums.get(branch.pk, Counts())) for branch in branches]
    minimum = ranking_min_ratings()
    return UnitFigures(node, period, rows, _rank(rows, minimum), minimum)
