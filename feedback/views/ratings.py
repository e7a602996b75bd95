"""The owner's side of ratings (R8). The rating heard on a return visit is posted from the entry
page, which shows the ratings and the informant's link through the panel registered here (and
the referral sheet its stub); the owner prints the reply slip and may re-issue the link. The
informant's own pages (no login) are in feedback.views.public.

The informant's link is made when the entry is referred or replied (in that transaction), or
re-issued by a POST; these pages only show it.
"""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from feedback import permissions
from feedback.constants import RatingChannel, Satisfaction
from feedback.forms.ratings import RATING_FORM, RatingForm
from feedback.selectors import entry_panels
from feedback.selectors.ratings import rating_link_current
from feedback.services import rating_links, ratings
from liaison.constants import EntryStatus
from liaison.models import Entry, User
from liaison.permissions import get_entry_for
from liaison.selectors.entries import EntryPanel
from liaison.services import workflow
from liaison.views.entries import entry_page, entry_refused

# --- the entry page's panel and the referral sheet's stub (registered in apps.py) -------------


def entry_ratings_panel(*, user: User, entry: Entry, forms: dict) -> EntryPanel | None:
    """The entry page's ratings: those given so far, the form when the user may rate, and for
    the owner side of a replied entry the informant's link with its QR code (or the button that
    issues it, for an entry replied before links were made with the reply)."""
    form = None
    if permissions.rating_may_record(entry=entry, actor=user):
        form = forms.get(RATING_FORM) or RatingForm(entry=entry)
    shows_link = entry.status == EntryStatus.REPLIED and permissions.rating_link_may_show(
        entry=entry, user=user
    )
    link = rating_link_current(entry=entry) if shows_link else None
    return entry_panels.ratings_panel(
        entry=entry, form=form, link=link, can_issue=shows_link and link is None
    )


def referral_sheet_stub(*, user: User, entry: Entry, sheet: str) -> EntryPanel | None:
    """The informant's stub under the referral sheet: the QR of the link (made with the
    referral) that works once the entry is replied. Only on the owner side's print: the
    department never gets it."""
    if sheet != "referral" or not permissions.rating_link_may_show(entry=entry, user=user):
        return None
    return entry_panels.referral_stub_panel(link=rating_link_current(entry=entry))


# --- the owner's pages ------------------------------------------------------------------------


@require_safe
@login_required
def reply_slip(request, pk: int):
    """The reply slip (回复单) for the informant, A4: the reply, and the QR of the rating link
    while the reply awaits its rating (or boxes to tick on a return visit)."""
    entry = get_entry_for(request.user, pk)
    if entry.replied_at is None:
        raise Http404
    if not permissions.rating_link_may_show(entry=entry, user=request.user):
        raise PermissionDenied(permissions.LINK_REFUSED)
    card = None
    if entry.status == EntryStatus.REPLIED:
        card = entry_panels.link_card(link=rating_link_current(entry=entry))
    context = {"entry": entry, "link_card": card, "scale": Satisfaction.choices}
    return render(request, "feedback/reply_slip.html", context)


@require_POST
@login_required
def rating_link_reissue(request, pk: int):
    """Issue the informant's link of the current round, replacing the live one (which then
    stops working) if there is one."""
    entry = get_entry_for(request.user, pk)
    replaces = rating_link_current(entry=entry) is not None
    try:
        rating_links.rating_link_reissue(entry=entry, actor=request.user)
    except workflow.WorkflowError as error:
        return entry_refused(request, entry, error)
    if replaces:
        messages.success(request, _("A new rating link is ready; the earlier one no longer works."))
    else:
        messages.success(request, _("The rating link is ready: send it to the informant."))
    return redirect(entry)


@require_POST
@login_required
def rating_record(request, pk: int):
    """Record the rating the owner heard on a return visit (回访)."""
    entry = get_entry_for(request.user, pk)
    form = RatingForm(request.POST, entry=entry)
    if not form.is_valid():
        messages.error(request, _("Some of the fields are not valid; nothing was saved."))
        return entry_page(request, entry, status=HTTPStatus.BAD_REQUEST, forms={RATING_FORM: form})
    try:
        rating = ratings.rating_record(
            entry=entry,
            actor=request.user,
            channel=RatingChannel.RETURN_VISIT,
            expected_version=form.cleaned_data["version"],
            **form.service_kwargs(),
        )
    except (workflow.WorkflowError, workflow.EntryConflict, ValidationError) as error:
        return entry_refused(request, entry, error, forms={RATING_FORM: form})
    if rating.value == Satisfaction.UNSATISFIED:
        reopened = _("Rated unsatisfied: the entry is reopened with a fresh deadline.")
        messages.warning(request, reopened)
    else:
        messages.success(request, _("Rating recorded; the entry is closed."))
    return redirect(entry)
