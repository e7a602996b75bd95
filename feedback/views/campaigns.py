"""The party-building department's pages of the annual reverse evaluation (R12): the campaigns,
one campaign's pairs and its changes, progress by org unit, the printed sheets of QR codes.
Everyone else gets 404 on every one of them."""

from __future__ import annotations

from http import HTTPStatus

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from feedback import permissions
from feedback.constants import EVALUATION_REMINDER_DAYS, CampaignStatus, EvaluationRule
from feedback.filters import PairFilter, RaterFilter
from feedback.forms.campaigns import (
    CampaignCreateForm,
    CampaignOpenForm,
    PairAddForm,
    SheetForm,
    WeightsForm,
)
from feedback.models import EvaluationCampaign
from feedback.selectors import campaigns as selectors
from feedback.services import campaign_pairs, campaigns
from feedback.tables import PairTable, RaterTable
from liaison.listing import build_table
from liaison.permissions import get_org_for
from liaison.views.pages import wants_fragment

DETAIL = "feedback/evaluations/campaign_detail.html"
PROGRESS = "feedback/evaluations/campaign_progress.html"
SHEET = "feedback/evaluations/sheet_raters.html"
SHEET_CARDS_PER_PAGE = 60  # ten A4 pages of six cards


def _detail_url(campaign: EvaluationCampaign) -> str:
    return reverse("feedback:evaluations:campaign_detail", args=[campaign.pk])


def _form_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on the form: on the field it names if the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


# --- the list and a new campaign ----------------------------------------------------------------


def _list(request, form: CampaignCreateForm, status: int = HTTPStatus.OK):
    context = {"campaigns": selectors.campaign_list(), "form": form}
    return render(request, "feedback/evaluations/campaign_list.html", context, status=status)


@require_safe
@login_required
def campaign_list(request):
    if not permissions.runs_evaluations(request.user):
        raise Http404
    return _list(request, CampaignCreateForm())


@require_POST
@login_required
def campaign_create(request):
    if not permissions.runs_evaluations(request.user):
        raise Http404
    form = CampaignCreateForm(request.POST)
    if form.is_valid():
        try:
            campaign = campaigns.campaign_create(
                actor=request.user, year=form.cleaned_data["year"], weights=form.weights()
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The reverse evaluation is created, with its proposal."))
            return redirect(_detail_url(campaign))
    return _list(request, form, HTTPStatus.BAD_REQUEST)


# --- one campaign ------------------------------------------------------------------------------


def _detail(request, campaign, bound: dict | None = None, status: int = HTTPStatus.OK):
    """The campaign's page; `bound` holds a posted form that was refused, by name."""
    bound = bound or {}
    draft, is_open = campaign.status == CampaignStatus.DRAFT, campaign.status == CampaignStatus.OPEN
    queryset = selectors.campaign_pairs(campaign=campaign)
    filterset = PairFilter(request.GET, queryset=queryset, user=request.user)
    table = build_table(request, filterset, PairTable, exclude=() if draft else ("remove",))
    context = {
        "campaign": campaign,
        "counts": selectors.campaign_counts(campaign=campaign),
        "filter": filterset,
        "table": table,
        "history": selectors.campaign_history(campaign=campaign),
        "weights_form": bound.get("weights") or WeightsForm(initial=_weights(campaign)),
        "open_form": (bound.get("open") or CampaignOpenForm()) if draft else None,
        "pair_form": (bound.get("pair") or PairAddForm()) if draft or is_open else None,
        "manual": EvaluationRule.MANUAL,
    }
    template = DETAIL + ("#results" if wants_fragment(request) else "")
    return render(request, template, context, status=status)


def _weights(campaign) -> dict:
    return {f"weight_{k}": v for k, v in selectors.campaign_weights(campaign).items()}


@require_safe
@login_required
@vary_on_headers("HX-Request")
def campaign_detail(request, pk: int):
    return _detail(request, permissions.get_campaign_for(request.user, pk))


def _act(request, campaign, act, done: str, *, form=None, name: str = ""):
    """Run a service on a posted form (or none); redirect with `done`, or show the page again
    with the refusal and 400."""
    if form is not None and not form.is_valid():
        return _detail(request, campaign, {name: form}, HTTPStatus.BAD_REQUEST)
    try:
        act()
    except ValidationError as error:
        # A refusal about a field goes on the form; one about the campaign's state (closed,
        # open already …) on top of the page, which may no longer show that form.
        if form is None or not hasattr(error, "error_dict"):
            for message in error.messages:
                messages.error(request, message)
            return _detail(request, campaign, status=HTTPStatus.BAD_REQUEST)
        _form_errors(form, error)
        return _detail(request, campaign, {name: form}, HTTPStatus.BAD_REQUEST)
    messages.success(request, done)
    return redirect(_detail_url(campaign))


@require_POST
@login_required
def campaign_weights(request, pk: int):
    campaign = permissions.get_campaign_for(request.user, pk)
    form = WeightsForm(request.POST)

    def act():
        campaigns.campaign_weights_set(
            actor=request.user, campaign=campaign, weights=form.weights()
        )

    return _act(request, campaign, act, _("The weights are saved."), form=form, name="weights")


@require_POST
@login_required
def campaign_propose(request, pk: int):
    campaign = permissions.get_campaign_for(request.user, pk)

    def act():
        campaigns.campaign_propose(campaign=campaign, actor=request.user)

    return _act(request, campaign, act, _("The proposal is saved again from the pairings."))


@require_POST
@login_required
def campaign_pair_add(request, pk: int):
    campaign = permissions.get_campaign_for(request.user, pk)
    form = PairAddForm(request.POST)

    def act():
        data = form.cleaned_data
        campaign_pairs.campaign_pair_add(
            actor=request.user, campaign=campaign, rater=data["rater"], ratee=data["ratee"]
        )

    return _act(request, campaign, act, _("The pair is added."), form=form, name="pair")


@require_POST
@login_required
def campaign_pair_remove(request, pk: int, pair_pk: int):
    campaign = permissions.get_campaign_for(request.user, pk)
    pair = permissions.get_assignment_for(campaign, pair_pk)

    def act():
        campaign_pairs.campaign_pair_remove(actor=request.user, campaign=campaign, assignment=pair)

    return _act(request, campaign, act, _("The pair is removed."))


@require_POST
@login_required
def campaign_open(request, pk: int):
    campaign = permissions.get_campaign_for(request.user, pk)
    form = CampaignOpenForm(request.POST)

    def act():
        campaigns.campaign_open(
            actor=request.user, campaign=campaign, closes_on=form.cleaned_data["closes_on"]
        )

    return _act(
        request, campaign, act, _("The reverse evaluation is open."), form=form, name="open"
    )


@require_POST
@login_required
def campaign_close(request, pk: int):
    campaign = permissions.get_campaign_for(request.user, pk)

    def act():
        campaigns.campaign_close(actor=request.user, campaign=campaign)

    return _act(request, campaign, act, _("The reverse evaluation is closed."))


# --- progress and the printed sheets --------------------------------------------------------


@require_safe
@login_required
@vary_on_headers("HX-Request")
def campaign_progress(request, pk: int):
    """Raters and answers by org unit (drill down), and the raters still to answer."""
    campaign = permissions.get_campaign_for(request.user, pk)
    queryset = selectors.campaign_raters(campaign=campaign, unanswered=True)
    filterset = RaterFilter(request.GET, queryset=queryset, user=request.user)
    table = build_table(request, filterset, RaterTable)
    node = filterset.form.cleaned_data.get("org")
    progress = selectors.campaign_progress(campaign=campaign, node=node)
    context = {
        "campaign": campaign,
        "filter": filterset,
        "table": table,
        "progress": progress,
        "reminder_days": EVALUATION_REMINDER_DAYS,
    }
    return render(request, PROGRESS + ("#results" if wants_fragment(request) else ""), context)


@require_safe
@login_required
def campaign_sheet(request, pk: int, org_pk: int):
    """One card per rater of an org unit and its subtree (A4): name, ratees, QR and link."""
    campaign = permissions.get_campaign_for(request.user, pk)
    node = get_org_for(request.user, org_pk)
    form = SheetForm(request.GET)
    if set(request.GET) - set(form.fields) or not form.is_valid():
        raise BadRequest(_("The sheet takes only “unanswered” and “page”."))
    context = {"campaign": campaign, "node": node, "form": form}
    if campaign.status != CampaignStatus.OPEN:
        return render(request, SHEET, context, status=HTTPStatus.CONFLICT)
    unanswered = form.cleaned_data["unanswered"]
    raters = selectors.campaign_raters(
        campaign=campaign, node=node, unanswered=unanswered, by_place=True
    )
    try:
        page = Paginator(raters, SHEET_CARDS_PER_PAGE).page(form.cleaned_data["page"] or 1)
    except EmptyPage:
        raise BadRequest(_("This sheet has no such page.")) from None
    cards = [
        (rater, selectors.rater_link_path(token) if token else None)
        for rater, token in selectors.rater_tokens(page.object_list)
    ]
    return render(request, SHEET, {**context, "page": page, "cards": cards})
