"""Reads of the monthly review (R9): which sheets a user sees, and the entries behind a figure."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from liaison.models import MonthlyReview, User
from liaison.permissions import visible_reviews
from liaison.services.reviews import FIGURE_LABELS, FIGURES, figure_entries

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
