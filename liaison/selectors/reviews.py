"""Reads of the monthly review (R9): which sheets a user sees, and the entries behind a figure."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404

from liaison.constants import Role
from liaison.models import MonthlyReview, User
from liaison.permissions import scope_path, sees_whole_company
from liaison.services.reviews import FIGURE_LABELS, FIGURES, figure_entries

# Who reads the sheets: the branch's secretary, committee staff for their subtree, and the
# party-building department (and administrators) for every branch.
REVIEW_READER_ROLES = frozenset({Role.BRANCH_SECRETARY, Role.COMMITTEE_STAFF})
FIGURE_ENTRIES_CAP = 50


def reads_reviews(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return sees_whole_company(user) or user.role in REVIEW_READER_ROLES


def visible_reviews(user: User) -> QuerySet[MonthlyReview]:
    path = scope_path(user) if reads_reviews(user) else None
    if path is None:
        return MonthlyReview.objects.none()
    return MonthlyReview.objects.filter(org__path__startswith=path)


def get_review_for(user: User, pk: int) -> MonthlyReview:
    """Return the sheet if the user may read it; 404 for both a missing and a forbidden one."""
    review = visible_reviews(user).select_related("org", "signed_by").filter(pk=pk).first()
    if review is None:
        raise Http404
    return review


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
