"""The public pages (no login), made for a phone: the informant's signed rating link (/r/,
R8) and the rater's link of the reverse evaluation (/e/, R12). Never cached, no Referer, not
indexed (`public`)."""

from __future__ import annotations

from functools import wraps
from http import HTTPStatus

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_safe

from feedback.constants import Satisfaction, evaluation_min_ratings
from feedback.forms.answers import EvaluationAnswersForm
from feedback.forms.ratings import LinkRatingForm
from feedback.selectors.answers import RaterLookup, RaterState, rater_lookup
from feedback.selectors.ratings import LinkLookup, LinkState, rating_link_lookup
from feedback.services.answers import EvaluationRefused, evaluation_submit
from feedback.services.rating_links import RatingLinkUnusable, rating_link_rate
from liaison.services import workflow


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


# --- the informant's signed rating link (/r/) ------------------------------------------------

# Why a link cannot rate, as a status: a forged one does not exist; one whose round has no
# reply yet conflicts with the entry's state; every other one is gone for good.
RATING_LINK_REFUSED_STATUS = {
    LinkState.FORGED: HTTPStatus.NOT_FOUND,
    LinkState.NOT_REPLIED: HTTPStatus.CONFLICT,
}


def _rating_link_refused(request, lookup: LinkLookup):
    status = RATING_LINK_REFUSED_STATUS.get(lookup.state, HTTPStatus.GONE)
    context = {
        "lookup": lookup,
        "entry": lookup.entry,
        "state": lookup.state,
        "LinkState": LinkState,
    }
    return render(request, "feedback/rating_link_refused.html", context, status=status)


def _rating_page(request, lookup, form, *, status=HTTPStatus.OK, changed=False):
    context = {
        "lookup": lookup,
        "entry": lookup.entry,
        "form": form,
        "changed": changed,
        "Satisfaction": Satisfaction,
    }
    return render(request, "feedback/rating_link.html", context, status=status)


@public
@require_http_methods(["GET", "HEAD", "POST"])
def rating_link_page(request, token: str):
    """The informant's page: the reply, and one rating on the scale (GET shows, POST rates)."""
    lookup = rating_link_lookup(token=token)
    if lookup.state != LinkState.USABLE:
        return _rating_link_refused(request, lookup)
    if request.method != "POST":
        return _rating_page(request, lookup, LinkRatingForm(entry=lookup.entry))
    form = LinkRatingForm(request.POST, entry=lookup.entry)
    if not form.is_valid():
        return _rating_page(request, lookup, form, status=HTTPStatus.BAD_REQUEST)
    data = form.cleaned_data
    try:
        rating_link_rate(
            link=lookup.link,
            value=data["value"],
            comment=data["comment"],
            expected_version=data["version"],
        )
    except (RatingLinkUnusable, workflow.WorkflowError, workflow.EntryConflict):
        return _rating_changed(request, token)
    except ValidationError as error:
        form.add_error(None, error)
        return _rating_page(request, lookup, form, status=HTTPStatus.BAD_REQUEST)
    return redirect("rate:thanks", token=token)


def _rating_changed(request, token: str):
    """Answer a rating that lost a race: the link was used meanwhile (a second tab) or the
    entry changed since the page was shown. Nothing was written."""
    lookup = rating_link_lookup(token=token)
    if lookup.state != LinkState.USABLE:
        return _rating_link_refused(request, lookup)
    form = LinkRatingForm(entry=lookup.entry)  # with the current version
    return _rating_page(request, lookup, form, status=HTTPStatus.CONFLICT, changed=True)


@public
@require_safe
def rating_link_thanks(request, token: str):
    """Thank the informant for the rating the link recorded."""
    lookup = rating_link_lookup(token=token)
    if lookup.state == LinkState.USABLE:
        return redirect("rate:link", token=token)
    if lookup.state != LinkState.USED:
        return _rating_link_refused(request, lookup)
    context = {"entry": lookup.entry, "rating": lookup.link.rating}
    return render(request, "feedback/rating_link_thanks.html", context)


# --- the rater's link of the reverse evaluation (/e/) -----------------------------------------

# Why a link cannot answer, as a status: a forged one does not exist; a campaign not open yet,
# or one with nobody to rate, conflicts with the campaign's state; the rest are gone for good.
EVALUATION_REFUSED_STATUS = {
    RaterState.FORGED: HTTPStatus.NOT_FOUND,
    RaterState.NOT_OPEN: HTTPStatus.CONFLICT,
    RaterState.NOTHING: HTTPStatus.CONFLICT,
    RaterState.CLOSED: HTTPStatus.GONE,
    RaterState.SUBMITTED: HTTPStatus.GONE,
}


def _evaluation_refused(request, lookup: RaterLookup):
    context = {
        "lookup": lookup,
        "campaign": lookup.campaign,
        "state": lookup.state,
        "RaterState": RaterState,
    }
    status = EVALUATION_REFUSED_STATUS[lookup.state]
    return render(request, "feedback/evaluations/public_refused.html", context, status=status)


def _evaluation_page(request, lookup: RaterLookup, form, status=HTTPStatus.OK):
    context = {
        "lookup": lookup,
        "campaign": lookup.campaign,
        "rater": lookup.rater,
        "form": form,
        "min_ratings": evaluation_min_ratings(),
        "Satisfaction": Satisfaction,
    }
    return render(request, "feedback/evaluations/public_form.html", context, status=status)


@public
@require_http_methods(["GET", "HEAD", "POST"])
def evaluation_form(request, token: str):
    """The rater's page: every ratee with the scale (GET shows; POST answers all at once)."""
    lookup = rater_lookup(token=token)
    if lookup.state != RaterState.USABLE:
        return _evaluation_refused(request, lookup)
    if request.method != "POST":
        return _evaluation_page(
            request, lookup, EvaluationAnswersForm(assignments=lookup.assignments)
        )
    form = EvaluationAnswersForm(request.POST, assignments=lookup.assignments)
    if not form.is_valid():
        return _evaluation_page(request, lookup, form, status=HTTPStatus.BAD_REQUEST)
    try:
        evaluation_submit(rater=lookup.rater, answers=form.answers())
    except EvaluationRefused as refused:  # a second tab was quicker, or the campaign closed
        return _evaluation_refused(request, RaterLookup(refused.state, lookup.rater))
    except ValidationError as error:
        form.add_error(None, error)
        return _evaluation_page(request, lookup, form, status=HTTPStatus.BAD_REQUEST)
    return redirect("evaluate:thanks", token=token)


@public
@require_safe
def evaluation_thanks(request, token: str):
    """Thank the rater for their answers (what they answered is not shown again)."""
    lookup = rater_lookup(token=token)
    if lookup.state == RaterState.USABLE:
        return redirect("evaluate:form", token=token)
    if lookup.state != RaterState.SUBMITTED:
        return _evaluation_refused(request, lookup)
    context = {"campaign": lookup.campaign, "rater": lookup.rater}
    return render(request, "feedback/evaluations/public_thanks.html", context)
