"""The matters of the month (每月一题): the list by month, one matter's figures and entries, and
the dashboard's card of the open ones. A matter is ad hoc (tens to hundreds of entries picked
by hand), so its figures are counted from its entries with SQL aggregates, not from roll-ups.

Who may open a matter is feedback.permissions (visible_matters, get_matter_for). A committee
reader sees a matter that links an entry of their subtree, and of it only those entries: its
figures and list are counted over them (`scope_path`), the department's over all.

The figures, the dashboards' definitions applied to the matter's entries as they stand now:

- by status: open (awaiting the reply, in time), overdue (awaiting it past the due date, the
  live rule liaison.deadlines.overdue_q), replied (awaiting the rating), closed; void apart;
- on-time rate = replied on time ÷ (replied + overdue), feedback.selectors.figures' rule: a
  deadline still ahead is neither kept nor missed yet (the current round's flag, R5);
- satisfaction rate = satisfied ÷ rated over every rating of the entries (each round counts,
  as on the dashboards), satisfied as feedback.constants.satisfied_values() says (R8).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from feedback.constants import (
    DASHBOARD_MATTERS,
    MatterStatus,
    satisfaction_rate,
    satisfied_values,
)
from feedback.models import MonthlyMatter, Rating
from feedback.permissions import reads_hot_topics, visible_matters
from liaison.constants import EntryStatus
from liaison.deadlines import awaiting_q, overdue_q
from liaison.models import AuditEvent, Entry, OrgNode, User
from liaison.permissions import scope_path, visible_entries

REPLIED = (EntryStatus.REPLIED, EntryStatus.CLOSED)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class MatterFigures:
    total: int
    open: int
    overdue: int
    replied: int  # replied, awaiting the rating
    closed: int
    void: int
    replied_on_time: int
    replied_late: int
    rated: int
    satisfied: int

    @property
    def answered(self) -> int:
        """Replied or closed: the entries that have had their answer."""
        return self.replied + self.closed

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.replied_on_time, self.replied_on_time + self.replied_late + self.overdue)

    @property
    def satisfaction_rate(self) -> float | None:
        return satisfaction_rate(self.satisfied, self.rated)


def matter_entries(*, matter: MonthlyMatter, user: User) -> QuerySet[Entry]:
    """The matter's entries the user may count: all for the department, else those of the
    user's subtree."""
    entries = Entry.objects.filter(matter_links__matter=matter)
    path = scope_path(user)
    return entries if not path else entries.filter(org__path__startswith=path)


def matter_figures(*, matter: MonthlyMatter, user: User, today: dt.date) -> MatterFigures:
    """Return the figures of the matter's entries the user may count (two queries)."""
    entries = matter_entries(matter=matter, user=user).order_by()
    overdue = overdue_q(today)
    replied = Q(status__in=REPLIED)
    # Named apart from the entry's fields (an aggregate may not shadow one).
    counts = entries.aggregate(
        n_total=Count("pk"),
        n_open=Count("pk", filter=awaiting_q() & ~overdue),
        n_overdue=Count("pk", filter=overdue),
        n_replied=Count("pk", filter=Q(status=EntryStatus.REPLIED)),
        n_closed=Count("pk", filter=Q(status=EntryStatus.CLOSED)),
        n_void=Count("pk", filter=Q(status=EntryStatus.VOID)),
        n_replied_on_time=Count("pk", filter=replied & Q(replied_on_time=True)),
        n_replied_late=Count("pk", filter=replied & Q(replied_on_time=False)),
    )
    ratings = (
        Rating.objects.filter(entry__in=entries.values("pk"))
        .order_by()
        .aggregate(
            n_rated=Count("pk"), n_satisfied=Count("pk", filter=Q(value__in=satisfied_values()))
        )
    )
    return MatterFigures(**{key[2:]: n for key, n in {**counts, **ratings}.items()})


def matter_entry_list(*, matter: MonthlyMatter, user: User) -> QuerySet[Entry]:
    """The matter's entries the user may count, for its page's list (one query)."""
    return (
        matter_entries(matter=matter, user=user)
        .select_related("org", "owner", "item")
        .order_by("recorded_on", "pk")
    )


def matter_history(*, matter: MonthlyMatter) -> QuerySet[AuditEvent]:
    """The audit events of the matter, newest first (its page's history)."""
    return AuditEvent.objects.filter(
        object_type=MonthlyMatter._meta.label_lower, object_id=str(matter.pk)
    ).select_related("actor")


def _progress(matters: QuerySet[MonthlyMatter], path: str) -> QuerySet[MonthlyMatter]:
    """Annotate each matter with its entries of the subtree at `path` (total, answered) and
    their ratings (rated, satisfied), in one query; keep those with an entry there. `path` ""
    is the whole company (liaison.permissions.scope_path): every entry, no join to the tree."""
    in_scope = Q(links__entry__org__path__startswith=path) if path else Q()
    rating = Q(links__entry__ratings__isnull=False)
    return (
        matters.annotate(
            n_total=Count("links", filter=in_scope, distinct=True),
            n_answered=Count(
                "links", filter=in_scope & Q(links__entry__status__in=REPLIED), distinct=True
            ),
            n_rated=Count("links__entry__ratings", filter=in_scope & rating),
            n_satisfied=Count(
                "links__entry__ratings",
                filter=in_scope & Q(links__entry__ratings__value__in=satisfied_values()),
            ),
        )
        .filter(n_total__gt=0)
        .select_related("owner")
    )


@dataclass(frozen=True)
class MatterProgress:
    matter: MonthlyMatter
    total: int
    answered: int
    rated: int
    satisfied: int

    @property
    def satisfaction_rate(self) -> float | None:
        return satisfaction_rate(self.satisfied, self.rated)


def _progress_rows(matters) -> list[MatterProgress]:
    return [MatterProgress(m, m.n_total, m.n_answered, m.n_rated, m.n_satisfied) for m in matters]


def matter_list(*, user: User, month: dt.date | None = None) -> list[MatterProgress]:
    """The matters the user may open (of `month`, if given), newest month first, each with the
    progress of its entries in the user's subtree (one query)."""
    matters = visible_matters(user)
    if month is not None:
        matters = matters.filter(month=month)
    rows = _progress(matters, scope_path(user) or "").order_by("-month", "status", "due_on", "pk")
    return _progress_rows(rows)


def dashboard_matters(*, user: User, node: OrgNode) -> list[MatterProgress]:
    """The open matters touching `node`'s subtree, the soonest due first, with the progress of
    their entries there (one query; none for a user who does not read matters)."""
    if not reads_hot_topics(user):
        return []
    matters = MonthlyMatter.objects.filter(status=MatterStatus.OPEN)
    path = node.path if node.depth > 1 else ""  # the top of the tree: the whole company
    rows = _progress(matters, path).order_by("due_on", "pk")[:DASHBOARD_MATTERS]
    return _progress_rows(rows)


def entries_to_link(*, user: User, numbers: list[str]) -> tuple[list[int], list[str]]:
    """Return the ids of the entries the user may see with these numbers, and the numbers not
    found among them (one query)."""
    found = dict(
        visible_entries(user).filter(number__in=numbers).values_list("number", "pk").order_by()
    )
    return sorted(found.values()), [n for n in numbers if n not in found]


def entries_preview(*, user: User, ids: list[int]) -> QuerySet[Entry]:
    """The entries a new matter would link, as the user may see them (one query)."""
    return (
        visible_entries(user)
        .filter(pk__in=ids)
        .select_related("org", "item")
        .order_by("recorded_on", "pk")
    )
