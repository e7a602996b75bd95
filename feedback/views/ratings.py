"""Pages of the feedback app. The rating recorded on a return visit is posted from the entry
page, which shows the ratings through the panel registered here; the informant rates through a
signed link on a public page (no login) made for a phone; the owner prints the reply slip."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import wraps
from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from feedback import permissions as feedback_permissions
from feedback import selectors, services
from feedback.constants import RatingChannel, Satisfaction
from feedback.forms import RATING_FORM, LinkRatingForm, RatingForm
from feedback.models import RatingLink
from feedback.selectors import LinkState
from liaison import permissions
from liaison.constants import EntryStatus
from liaison.models import Entry
from liaison.selectors.entries import EntryPanel
from liaison.services import workflow
from liaison.views.entries import entry_page, entry_refused

# --- the owner's side: the entry page's panel, the referral sheet's stub, the reply slip ------


@dataclass(frozen=True)
class LinkCard:
    """What the owner's pages show of the informant's link (made absolute in the template)."""

    link: RatingLink
    path: str
    expires_at: dt.datetime | None  # None until the round is replied


def _link_card(*, entry: Entry, user) -> LinkCard | None:
    link = services.rating_link_current(entry=entry, actor=user)
    if link is None:
        return None
    token = link.token()  # None: made under a key no longer in use (re-issue by hand)
    path = reverse("rate:link", args=[token]) if token else ""
    return LinkCard(link, path, selectors.rating_link_expires_at(link=link))


def entry_ratings_panel(*, user, entry, forms: dict) -> EntryPanel | None:
    """The entry page's ratings: those given so far, the form when the user may rate, and for
    the owner side of a replied entry the informant's link with its QR code."""
    ratings = selectors.entry_ratings(entry=entry) if entry.replied_at else []  # none before
    form = None
    if feedback_permissions.rating_may_record(entry=entry, actor=user):
        form = forms.get(RATING_FORM) or RatingForm(entry=entry)
    card = None
    replied = entry.status == EntryStatus.REPLIED
    if replied and feedback_permissions.rating_link_may_show(entry=entry, user=user):
        card = _link_card(entry=entry, user=user)
    if not ratings and form is None and card is None:
        return None
    context = {"ratings": ratings, "rating_form": form, "link_card": card}
    return EntryPanel("feedback/_entry_ratings.html", context)


def referral_sheet_stub(*, user, entry, sheet: str) -> EntryPanel | None:
    """The informant's stub under the referral sheet: the QR of the link that works once the
    entry is replied. Only on the owner side's print: the department never gets it."""
    if sheet != "referral" or not feedback_permissions.rating_link_may_show(entry=entry, user=user):
        return None
    card = _link_card(entry=entry, user=user)
    return EntryPanel("feedback/_referral_stub.html", {"link_card": card}) if card else None


@require_safe
@login_required
def reply_slip(request, pk: int):
    """The reply slip (回复单) for the informant, A4: the reply, and the QR of the rating link
    while the reply awaits its rating (or boxes to tick on a return visit)."""
    entry = permissions.get_entry_for(request.user, pk)
    if entry.replied_at is None:
        raise Http404
    if not feedback_permissions.rating_link_may_show(entry=entry, user=request.user):
        raise PermissionDenied(feedback_permissions.LINK_REFUSED)
    card = None
    if entry.status == EntryStatus.REPLIED:
        card = _link_card(entry=entry, user=request.user)
    context = {"entry": entry, "link_card": card, "scale": Satisfaction.choices}
    return render(request, "feedback/reply_slip.html", context)


@require_POST
@login_required
def rating_link_reissue(request, pk: int):
    """Replace the informant's link of the current round; the old one stops working."""
    entry = permissions.get_entry_for(request.user, pk)
    try:
        services.rating_link_reissue(entry=entry, actor=request.user)
    except workflow.WorkflowError as error:
        return entry_refused(request, entry, error)
    messages.success(request, _("A new rating link is ready; the earlier one no longer works."))
    return redirect(entry)


@require_POST
@login_required
def rating_record(request, pk: int):
    """Record the rating the owner heard on a return visit (回访)."""
    entry = permissions.get_entry_for(request.user, pk)
    form = RatingForm(request.POST, entry=entry)
    if not form.is_valid():
        messages.error(request, _("Some of the fields are not valid; nothing was saved."))
        return entry_page(request, entry, status=HTTPStatus.BAD_REQUEST, forms={RATING_FORM: form})
    try:
        rating = services.rating_record(
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


# --- the informant's side: the public pages of a signed link ----------------------------------

# Why a link cannot rate, as a status: a forged one does not exist; one whose round has no
# reply yet conflicts with the entry's state; every other one is gone for good.
REFUSED_STATUS = {
    LinkState.FORGED: HTTPStatus.NOT_FOUND,
    LinkState.NOT_REPLIED: HTTPStatus.CONFLICT,
}


def public(view):
    """Mark a page of the signed link: never cached (a shared phone's back button), no Referer
    carrying the token to another site, not indexed. "same-origin", not "no-referrer": under
    no-referrer a browser posts the form with "Origin: null", which fails the CSRF check."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _refused(request, lookup: selectors.LinkLookup):
    status = REFUSED_STATUS.get(lookup.state, HTTPStatus.GONE)
    context = {"lookup": lookup, "entry": lookup.entry, "state": str(lookup.state)}
    return render(request, "feedback/rating_link_refused.html", context, status=status)


def _rating_page(request, lookup, form, *, status=HTTPStatus.OK, changed=False):
    context = {"lookup": lookup, "entry": lookup.entry, "form": form, "changed": changed}
    return render(request, "feedback/rating_link.html", context, status=status)


@public
@require_http_methods(["GET", "HEAD", "POST"])
def rating_link_page(request, token: str):
    """The informant's page: the reply, and one rating on the scale (GET shows, POST rates)."""
    lookup = selectors.rating_link_lookup(token=token)
    if lookup.state != LinkState.USABLE:
        return _refused(request, lookup)
    if request.method != "POST":
        return _rating_page(request, lookup, LinkRatingForm(entry=lookup.entry))
    form = LinkRatingForm(request.POST, entry=lookup.entry)
    if not form.is_valid():
        return _rating_page(request, lookup, form, status=HTTPStatus.BAD_REQUEST)
    data = form.cleaned_data
    try:
        services.rating_link_rate(
            link=lookup.link,
            value=data["value"],
            comment=data["comment"],
            expected_version=data["version"],
        )
    except (services.RatingLinkUnusable, workflow.WorkflowError, workflow.EntryConflict):
        return _rating_changed(request, token)
    except ValidationError as error:
        form.add_error(None, error)
        return _rating_page(request, lookup, form, status=HTTPStatus.BAD_REQUEST)
    return redirect("rate:thanks", token=token)


def _rating_changed(request, token: str):
    """Answer a rating that lost a race: the link was used meanwhile (a second tab) or the
    entry changed since the page was shown. Nothing was written."""
    lookup = selectors.rating_link_lookup(token=token)
    if lookup.state != LinkState.USABLE:
        return _refused(request, lookup)
    form = LinkRatingForm(entry=lookup.entry)  # with the current version
    return _rating_page(request, lookup, form, status=HTTPStatus.CONFLICT, changed=True)


@public
@require_safe
def rating_link_thanks(request, token: str):
    """Thank the informant for the rating the link recorded."""
    lookup = selectors.rating_link_lookup(token=token)
    if lookup.state == LinkState.USABLE:
        return redirect("rate:link", token=token)
    if lookup.state != LinkState.USED:
        return _refused(request, lookup)
    context = {"entry": lookup.entry, "rating": lookup.link.rating}
    return render(request, "feedback/rating_link_thanks.html", context)
