"""Reads of supervision (督办, R6): the notices on an entry page and the supervision board.

The board lists the entries in the user's subtree that are overdue (checked live, as on every
list) or under an unanswered supervision notice, and counts them by org unit one level below the
chosen node and by how many working days they are overdue. The counts are one grouped query over
the overdue part of the subtree; the list is a paginated table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison import permissions
from liaison.constants import (
    OVERDUE_AGE_LIMITS,
    OrgKind,
    OverdueAge,
)
from liaison.deadlines import awaiting_q, overdue_q
from liaison.filters import SupervisionFilter, under_open_notice_q
from liaison.models import Entry, OrgNode, Supervision, User, in_subtree
from liaison.workdays import WorkCalendar


def entry_supervisions(*, entry: Entry) -> list[Supervision]:
    """Return the entry's notices, oldest first, with who issued and answered them (one query
    when there are none: most entries have none)."""
    return list(entry.supervisions.prefetch_related("issued_by", "responded_by").order_by("round"))


@dataclass(frozen=True)
class AgeBounds:
    """Due dates bounding each overdue age (working days past the due date) as of `today`."""

    today: dt.date
    # Largest due date of each bucket's complement: age > limit <=> due_on <= cut[limit].
    cuts: dict[int, dt.date]
    calendar: WorkCalendar

    @classmethod
    def of(cls, today: dt.date, calendar: WorkCalendar | None = None) -> AgeBounds:
        calendar = calendar or WorkCalendar.load(today.year - 1, today.year)
        limits = [limit for limit in OVERDUE_AGE_LIMITS.values() if limit is not None]
        cuts = {n: calendar.working_days_back(today, n + 1) for n in limits}
        return cls(today, cuts, calendar)

    def condition(self, age: str) -> Q:
        """The entries (awaiting a reply) overdue by an age in the bucket `age`."""
        return overdue_q(self.today) & self.due_range(age)

    def due_range(self, age: str) -> Q:
        """The due dates of the bucket `age`, for entries known to be overdue."""
        limits = list(OVERDUE_AGE_LIMITS.items())
        index = [key for key, _limit in limits].index(age)
        lower = limits[index - 1][1] if index else None  # the bucket before's upper limit
        upper = limits[index][1]
        q = Q()
        if upper is not None:
            q &= Q(due_on__gt=self.cuts[upper])
        if lower is not None:
            q &= Q(due_on__lte=self.cuts[lower])
        return q


def _open_notice():
    return Supervision.objects.filter(entry_id=OuterRef("pk"), responded_at__isnull=True)


def _board_scope(user: User) -> QuerySet[Entry]:
    """The entries of the user's subtree (the whole company: no condition on the tree); none
    unless the user has the board."""
    path = permissions.scope_path(user)
    if path is None or not permissions.reads_supervision_board(user):
        return Entry.objects.none()
    return Entry.objects.filter(in_subtree("org_id", path)) if path else Entry.objects.all()


def board_entries(*, user: User, today: dt.date | None = None) -> QuerySet[Entry]:
    """Return the board's entries (unordered): in the user's subtree, awaiting a reply, and
    overdue today or under an unanswered notice; annotated with the open notice's answer date
    and the number of notices so far. None unless the user has the board."""
    today = today or timezone.localdate()
    open_notice = _open_notice().order_by()
    rounds = (
        Supervision.objects.filter(entry_id=OuterRef("pk"))
        .order_by()
        .values("entry_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # Each arm says "awaiting a reply" once (overdue implies it): a second, top-level copy made
    # the planner square its selectivity, misjudge the rows by six times and sort them all
    # where it could read the first page off the due-date index.
    return (
        _board_scope(user)
        .filter(overdue_q(today) | (awaiting_q() & under_open_notice_q()))
        .annotate(
            open_respond_by=Subquery(open_notice.values("respond_by")[:1]),
            supervision_rounds=Subquery(rounds),
        )
    )


# The list filters behind each column's numbers: (age, state).
COLUMN_FILTERS: dict[str, tuple[str | None, str | None]] = {
    "overdue": (None, "overdue"),
    **{age: (age, None) for age in OVERDUE_AGE_LIMITS},
    "supervised": (None, "open"),
    "answer_late": (None, "late"),
}


@dataclass(frozen=True)
class BoardCell:
    key: str
    value: int
    params: dict  # the list filters that show the entries behind the number


@dataclass
class BoardRow:
    node: OrgNode | None  # the unit; for the total, the node the board is about
    label: str
    drillable: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def cells(self) -> list[BoardCell]:
        org = self.node.pk if self.node else None
        return [
            BoardCell(
                key,
                value,
                {"org": org, "age": COLUMN_FILTERS[key][0], "state": COLUMN_FILTERS[key][1]},
            )
            for key, value in self.counts.items()
        ]


@dataclass
class Board:
    node: OrgNode | None  # whose children the rows are; None: the roots
    parents: list[OrgNode]  # the way up to the user's scope, for the breadcrumb
    rows: list[BoardRow]
    total: BoardRow
    columns: list[tuple[str, str]]  # (key, label) in order

    @property
    def age_labels(self) -> list[str]:
        """The labels of the columns by how long overdue (the table's second header row)."""
        return [str(label) for _age, label in OverdueAge.choices]


def _columns() -> list[tuple[str, str]]:
    return [
        ("overdue", _("Overdue")),
        *((age, str(label)) for age, label in OverdueAge.choices),
        ("supervised", _("Under supervision")),
        ("answer_late", _("Answer overdue")),
    ]


def board_summary(
    *,
    user: User,
    node: OrgNode | None,
    today: dt.date,
    bounds: AgeBounds,
    narrow: Callable[[QuerySet[Entry]], QuerySet[Entry]] | None = None,
) -> Board:
    """Count the board's entries by the org unit one level below `node` (the user's scope when
    None) and by age; one row per unit, zeros included. `narrow` applies the board's filters
    (the page's filter set) to each part counted."""
    if node is None and permissions.scope_path(user):
        node = user.scope_org
    roots: list[OrgNode] = []
    if node is None:
        roots = list(OrgNode.objects.get_root_nodes())
        node = roots[0] if len(roots) == 1 else None
    prefix_length = (len(node.path) if node else 0) + OrgNode.steplen
    units = roots if node is None else list(OrgNode.objects.get_children(node))
    # Two counts: the overdue part by age (a range of the due-date index), and the part under
    # an open notice (a few ids). One count over both would read every entry awaiting a reply.
    parts = [
        (
            overdue_q(today),
            {
                "overdue": Count("pk"),
                # within the overdue part, the bucket is its due dates (rows read: half the time)
                **{age: Count("pk", filter=bounds.due_range(age)) for age in OVERDUE_AGE_LIMITS},
            },
        ),
        (
            awaiting_q() & under_open_notice_q(),
            {
                "supervised": Count("pk"),
                "answer_late": Count("pk", filter=under_open_notice_q(answer_late_on=today)),
            },
        ),
    ]
    keys = [key for _part, aggregates in parts for key in aggregates]
    # Counted by ledger (the org id, which the due-date index holds: no join to the tree), then
    # added up by unit here from the paths of the subtree's organisations.
    paths = dict(
        OrgNode.objects.filter(path__startswith=node.path if node else "").values_list("pk", "path")
    )
    grouped: dict[str, dict[str, int]] = {}
    for part, aggregates in parts:
        entries = _board_scope(user).filter(part)
        if narrow is not None:
            entries = narrow(entries)
        for row in entries.order_by().values("org_id").annotate(**aggregates):
            # The counts are annotated under the keys of `aggregates`, which the row's type
            # cannot know.
            counted = cast(dict[str, int], row)
            unit = grouped.setdefault(
                paths[counted["org_id"]][:prefix_length], dict.fromkeys(keys, 0)
            )
            for key in aggregates:
                unit[key] += counted[key]
    rows = []
    if node is not None and node.path in grouped:  # entries in the node's own ledger
        rows.append(BoardRow(node, _("%(name)s itself") % {"name": node.name}, False))
        rows[-1].counts = {k: grouped[node.path][k] for k in keys}
    for unit in units:
        counts = grouped.get(unit.path, {})
        rows.append(
            BoardRow(
                unit,
                unit.name,
                unit.kind != OrgKind.GROUP and not unit.is_leaf(),
                {k: counts.get(k, 0) for k in keys},
            )
        )
    total = BoardRow(node, _("Total"), False, {k: sum(r.counts[k] for r in rows) for k in keys})
    scope = permissions.scope_path(user) or ""
    parents = []
    if node is not None:
        parents = [n for n in OrgNode.objects.get_ancestors(node) if n.path.startswith(scope)] + [
            node
        ]
    return Board(node, parents, rows, total, _columns())


def supervision_board_filter(
    *, user: User, filters: dict | None, today: dt.date | None = None
) -> SupervisionFilter:
    """Return the bound filter over the user's board entries (call reads_supervision_board
    first); the table sorts and paginates it, board_summary counts it."""
    today = today or timezone.localdate()
    queryset = board_entries(user=user, today=today).select_related("org", "owner", "department")
    return SupervisionFilter(filters, queryset=queryset, user=user, bounds=AgeBounds.of(today))
