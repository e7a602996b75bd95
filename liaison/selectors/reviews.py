"""Reads of the monthly review (R9): the figures of a sheet, the sheets a user sees, and the
entries behind a figure."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from liaison.constants import Colour, EntryKind, EntryStatus, EventKind
from liaison.deadlines import overdue_at_q
from liaison.models import Entry, EntryEvent, MonthlyReview, OrgNode, User
from liaison.permissions import preparable_review_branches, visible_reviews

# The figures of a sheet, in the order the sheet shows them.
FIGURES = ("new", "replied", "replied_on_time", "closed", "overdue", "yellow_without_note")
FIGURE_LABELS = {
    "new": gettext_lazy("New entries recorded"),
    "replied": gettext_lazy("Replied"),
    "replied_on_time": gettext_lazy("Of those, replied on time"),
    "closed": gettext_lazy("Closed"),
    "overdue": gettext_lazy("Overdue at the month's end"),
    "yellow_without_note": gettext_lazy("Yellow entries without a progress note"),
}


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """Return the first and the last day of the month `month` falls in."""
    start = month.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return start, following - dt.timedelta(days=1)


def previous_month(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def figure_conditions(month: dt.date) -> dict[str, Q]:
    """One condition per figure, on entries recorded by the month's end and not void.

    Overdue: due before the month's last day and neither replied nor closed by then. Yellow
    without a note: the rule of workflow's progress_note_due as of the month's end — a yellow
    entry recorded before the month, still waiting for its reply at the month's end, with no
    progress note in the month."""
    start, end = month_bounds(month)
    waiting_at_end = (Q(replied_at__isnull=True) | Q(replied_at__date__gt=end)) & (
        Q(closed_at__isnull=True) | Q(closed_at__date__gt=end)
    )
    noted = Exists(
        EntryEvent.objects.filter(
            entry=OuterRef("pk"), kind=EventKind.PROGRESS_NOTE, at__date__range=(start, end)
        )
    )
    return {
        "new": Q(recorded_on__gte=start),
        "replied": Q(replied_at__date__range=(start, end)),
        "replied_on_time": Q(replied_at__date__range=(start, end), replied_on_time=True),
        "closed": Q(closed_at__date__range=(start, end)),
        "overdue": overdue_at_q(day=end, waiting=waiting_at_end),
        "yellow_without_note": Q(colour=Colour.YELLOW, recorded_on__lt=start)
        & ~Q(kind=EntryKind.BASIC)
        & waiting_at_end
        & ~Q(last_progress_on__range=(start, end))
        & Q(~noted),  # Q(): the stubs combine a Q only with a Q; the condition is the same
    }


def month_entries(month: dt.date) -> QuerySet[Entry]:
    """Entries a sheet of `month` looks at: recorded by the month's end, not void."""
    _start, end = month_bounds(month)
    return Entry.objects.filter(recorded_on__lte=end).exclude(status=EntryStatus.VOID)


def review_figures(*, month: dt.date, branches: list[OrgNode]) -> dict[int, dict[str, int]]:
    """Return {branch id: figures} for the month, entries of a branch's groups included: one
    grouped query for all branches."""
    figures = {branch.pk: dict.fromkeys(FIGURES, 0) for branch in branches}
    if not branches:
        return figures
    by_path = {branch.path: branch.pk for branch in branches}
    depths = sorted({len(path) for path in by_path})
    within = Q()
    for path in by_path:
        within |= Q(org__path__startswith=path)
    counts = {name: Count("pk", filter=cond) for name, cond in figure_conditions(month).items()}
    rows = month_entries(month).filter(within).values("org__path").annotate(**counts)
    for row in rows:
        path = row["org__path"]
        branch_id = next((by_path[path[:d]] for d in depths if path[:d] in by_path), None)
        if branch_id is None:
            continue
        # The counts are annotated under the figures' names, which the row's type cannot know.
        figure_counts = cast(dict[str, int], row)
        for name in FIGURES:
            figures[branch_id][name] += figure_counts[name]
    return figures


def figure_entries(*, review: MonthlyReview, figure: str) -> QuerySet[Entry]:
    """The entries behind one figure of a sheet (as they stand now)."""
    condition = figure_conditions(review.month)[figure]
    return (
        month_entries(review.month)
        .filter(org__path__startswith=review.org.path)
        .filter(condition)
        .select_related("org")
        .order_by("recorded_on", "pk")
    )


FIGURE_ENTRIES_CAP = 50


def review_list(
    *, user: User, month: dt.date | None = None, unsigned: bool = False
) -> QuerySet[MonthlyReview]:
    reviews = visible_reviews(user).select_related("org", "signed_by")
    if month is not None:
        reviews = reviews.filter(month=month)
    if unsigned:
        reviews = reviews.filter(signed_at__isnull=True)
    return reviews.order_by("-month", "org__path")


def review_branches_missing(*, user: User, month: dt.date) -> list[OrgNode]:
    """Return the branches whose sheet of `month` the user may prepare and that have none yet
    (a secretary: their own branch or nothing), in the order of the tree."""
    return list(
        preparable_review_branches(user)
        .exclude(monthly_reviews__month=month.replace(day=1))
        .order_by("path")
    )


def review_sheet(*, review: MonthlyReview) -> list[dict]:
    """The sheet's rows: each figure as prepared (or signed) and the entries behind it now
    (at most FIGURE_ENTRIES_CAP of them)."""
    rows = []
    for name in FIGURES:
        entries = list(figure_entries(review=review, figure=name)[: FIGURE_ENTRIES_CAP + 1])
        rows.append(
            {
                "name": name,
                "label": FIGURE_LABELS[name],
                "count": review.figures.get(name, 0),
                "entries": entries[:FIGURE_ENTRIES_CAP],
                "more": len(entries) > FIGURE_ENTRIES_CAP,
            }
        )
    return rows
