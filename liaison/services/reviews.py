"""The monthly review (一月一审, R9): preparing each branch's sheet and the secretary's sign-off."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.constants import OrgKind
from liaison.models import AuditEvent, MonthlyReview, OrgNode, User
from liaison.permissions import can_prepare_review, can_sign_review
from liaison.selectors.reviews import previous_month, review_figures
from liaison.services.audit import audit_record

COMMENT_MAX_LENGTH = 2000


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
def monthly_review_prepare_branch(
    *, actor: User, branch: OrgNode, today: dt.date | None = None
) -> tuple[MonthlyReview, bool]:
    """Prepare last month's sheet of one branch from the browser, when the job of the 1st made
    none; return the sheet and whether it was created now.

    Idempotent: a sheet that exists is returned as it stands (no new sheet, no audit row, its
    figures untouched); the branch's row is locked so that two clicks at once take turns, and
    the unique (org, month) key stops a second sheet whatever happens."""
    if not can_prepare_review(actor, branch):
        raise PermissionDenied(_("You may not prepare this branch's monthly review."))
    branch = OrgNode.objects.select_for_update().get(pk=branch.pk)
    month = previous_month(today)
    review = MonthlyReview.objects.filter(org=branch, month=month).first()
    if review is not None:
        return review, False
    monthly_review_prepare(month=month, orgs=[branch])
    review = MonthlyReview.objects.select_related("org").get(org=branch, month=month)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED,
        obj=review,
        summary=f"Monthly review prepared: {branch.name} {month:%Y-%m}",
        data={"figures": review.figures},
    )
    return review, True


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
