"""The rater's pages of the reverse evaluation (R12): no login, made for a phone, like the
informant's rating link (never cached, no Referer, not indexed)."""

from __future__ import annotations

from http import HTTPStatus

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from feedback.constants import evaluation_min_ratings
from feedback.evaluations.answers import (
    EvaluationRefused,
    RaterLookup,
    RaterState,
    evaluation_submit,
    rater_lookup,
)
from feedback.evaluations.forms_answers import EvaluationAnswersForm
from feedback.views.ratings import public

# Why a link cannot answer, as a status: a forged one does not exist; a campaign not open yet,
# or one with nobody to rate, conflicts with the campaign's state; the rest are gone for good.
REFUSED_STATUS = {
    RaterState.FORGED: HTTPStatus.NOT_FOUND,
    RaterState.NOT_OPEN: HTTPStatus.CONFLICT,
    RaterState.NOTHING: HTTPStatus.CONFLICT,
    RaterState.CLOSED: HTTPStatus.GONE,
    RaterState.SUBMITTED: HTTPStatus.GONE,
}


def _refused(request, lookup: RaterLookup):
    context = {"lookup": lookup, "campaign": lookup.campaign, "state": str(lookup.state)}
    status = REFUSED_STATUS[lookup.state]
    return render(request, "feedback/evaluations/public_refused.html", context, status=status)


def _form_page(request, lookup: RaterLookup, form, status=HTTPStatus.OK):
    context = {
        "lookup": lookup,
        "campaign": lookup.campaign,
        "rater": lookup.rater,
        "form": form,
        "min_ratings": evaluation_min_ratings(),
    }
    return render(request, "feedback/evaluations/public_form.html", context, status=status)


@public
@require_http_methods(["GET", "HEAD", "POST"])
def evaluation_form(request, token: str):
    """The rater's page: every ratee with the scale (GET shows; POST answers all at once)."""
    lookup = rater_lookup(token=token)
    if lookup.state != RaterState.USABLE:
        return _refused(request, lookup)
    if request.method != "POST":
        return _form_page(request, lookup, EvaluationAnswersForm(assignments=lookup.assignments))
    form = EvaluationAnswersForm(request.POST, assignments=lookup.assignments)
    if not form.is_valid():
        return _form_page(request, lookup, form, status=HTTPStatus.BAD_REQUEST)
    try:
        evaluation_submit(rater=lookup.rater, answers=form.answers())
    except EvaluationRefused as refused:  # a second tab was quicker, or the campaign closed
        return _refused(request, RaterLookup(refused.state, lookup.rater))
    except ValidationError as error:
        form.add_error(None, error)
        return _form_page(request, lookup, form, status=HTTPStatus.BAD_REQUEST)
    return redirect("evaluate:thanks", token=token)


@public
@require_safe
def evaluation_thanks(request, token: str):
    """Thank the rater for their answers (what they answered is not shown again)."""
    lookup = rater_lookup(token=token)
    if lookup.state == RaterState.USABLE:
        return redirect("evaluate:form", token=token)
    if lookup.state != RaterState.SUBMITTED:
        return _refused(request, lookup)
    context = {"campaign": lookup.campaign, "rater": lookup.rater}
    return render(request, "feedback/evaluations/public_thanks.html", context)
