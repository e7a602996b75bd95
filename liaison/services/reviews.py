"""The monthly review (一月一审, R9): preparing each branch's sheet and the secretary's sign-off."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.constants import Colour, EntryKind, EntryStatus, EventKind, OrgKind
from liaison.deadlines import overdue_at_q
from liaison.models import AuditEvent, Entry, EntryEvent, MonthlyReview, OrgNode, User
from liaison.permissions import can_sign_review
from liaison.services.audit import audit_record

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
COMMENT_MAX_LENGTH = 2000


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
        & ~noted,
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
        for name in FIGURES:
            figures[branch_id][name] += row[name]
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


def monthly_review_prepare(
    *, month: dt.date, orgs: list[OrgNode] | QuerySet[OrgNode] | None = None
) -> int:
    """Create the sheets of `month` for every active branch (or for `orgs`) that has none yet;
    refresh the figures of the unsigned ones. Return how many sheets were created."""
    month = month.replace(day=1)
    branches = OrgNode.objects.filter(kind=OrgKind.BRANCH, is_active=True)
    if orgs is not None:
        branches = branches.filter(pk__in=[org.pk for org in orgs])
    branches = list(branches)
    figures = review_figures(month=month, branches=branches)
    now = timezone.now()
    with transaction.atomic():
        existing = set(
            MonthlyReview.objects.filter(month=month, org__in=branches).values_list(
                "org_id", flat=True
            )
        )
        created = MonthlyReview.objects.bulk_create(
            [
                MonthlyReview(org=branch, month=month, figures=figures[branch.pk], prepared_at=now)
                for branch in branches
                if branch.pk not in existing
            ],
            ignore_conflicts=True,
        )
        unsigned = MonthlyReview.objects.filter(
            month=month, org_id__in=existing, signed_at__isnull=True
        )
        for review in unsigned:
            review.figures = figures[review.org_id]
            review.prepared_at = now
        MonthlyReview.objects.bulk_update(unsigned, ["figures", "prepared_at"])
    return len(created)


@transaction.atomic
def monthly_review_sign(*, actor: User, review: MonthlyReview, comment: str) -> MonthlyReview:
    """Sign a sheet off with a comment; the figures are computed again so that the signed sheet
    shows what was signed. A signed sheet cannot be signed again."""
    if not can_sign_review(actor, review):
        raise PermissionDenied(_("Only the branch's secretary may sign its monthly review."))
    review = MonthlyReview.objects.select_for_update().select_related("org").get(pk=review.pk)
    if review.is_signed:
        raise ValidationError(
            _("This review was already signed on %(date)s; it cannot be signed again.")
            % {"date": timezone.localtime(review.signed_at).strftime("%Y-%m-%d")},
            code="already_signed",
        )
    comment = comment.strip()
    if not comment:
        raise ValidationError(_("Write a comment to sign the review."), code="required")
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(_("The comment is too long."), code="max_length")
    review.figures = review_figures(month=review.month, branches=[review.org])[review.org_id]
    review.signed_by = actor
    review.signed_at = timezone.now()
    review.comment = comment
    review.full_clean()
    review.save(update_fields=["figures", "signed_by", "signed_at", "comment"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATED,
        obj=review,
        summary=f"Monthly review signed: {review.org.name} {review.month:%Y-%m}",
        data={"figures": review.figures, "comment": comment},
    )
    return review
