"""The results of a reverse evaluation and the year's assessment table (staff pages): who may
read them is decided in feedback.permissions (404 for everyone else)."""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from feedback import permissions
from feedback.constants import Satisfaction
from feedback.exports import assessment_workbook
from feedback.forms.results import ResultsQueryForm
from feedback.selectors import results
from feedback.selectors.assessment import assessment_table
from feedback.services import assessment
from liaison.services.audit import audit_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESULTS_PER_PAGE = 100
SCALE = Satisfaction.choices


@require_safe
@login_required
def results_list(request):
    """The campaigns whose results the user may read."""
    if not permissions.reads_results(request.user):
        raise Http404
    campaigns = results.results_campaigns(user=request.user)
    context = {"campaigns": campaigns, "sees_all": permissions.sees_all_results(request.user)}
    return render(request, "feedback/evaluations/results_list.html", context)


def _page(request, data: results.CampaignResults, number: int | None):
    """The page of results asked for, with the comments when the user may read them."""
    page = Paginator(data.rows, RESULTS_PER_PAGE).page(number or 1)
    if data.rates_visible and permissions.sees_all_results(request.user):
        results.result_comments(campaign=data.campaign, rows=page.object_list)
    return page


@require_safe
@login_required
def results_page(request, pk: int):
    """A campaign's results per ratee and by the four levels (progress only while open)."""
    campaign = permissions.get_results_campaign_for(request.user, pk)
    form = ResultsQueryForm(request.GET)
    context = {
        "campaign": campaign,
        "form": form,
        "sees_all": permissions.sees_all_results(request.user),
        "scale": SCALE,
    }
    if form.is_valid():
        level = form.cleaned_data["level"] or None
        data = results.campaign_results(campaign=campaign, user=request.user, level=level)
        try:
            context.update(results=data, page=_page(request, data, form.cleaned_data["page"]))
        except InvalidPage:
            form.add_error("page", _("There is no such page."))
    status = HTTPStatus.OK if form.is_valid() else HTTPStatus.BAD_REQUEST
    return render(request, "feedback/evaluations/results_detail.html", context, status=status)


@require_safe
@login_required
def assessment_page(request, pk: int):
    """The year's assessment table: branches and cadres, ranked."""
    campaign = permissions.get_assessment_campaign_for(request.user, pk)
    table = assessment_table(campaign=campaign, user=request.user)
    context = {
        "campaign": campaign,
        "table": table,
        "sees_all": permissions.sees_all_results(request.user),
    }
    return render(request, "feedback/evaluations/assessment_table.html", context)


@require_POST
@login_required
def assessment_compute(request, pk: int):
    """Compute the table again (the party-building department and administrators)."""
    campaign = permissions.get_assessment_campaign_for(request.user, pk)
    if not permissions.sees_all_results(request.user):
        raise PermissionDenied
    try:
        rows = assessment.assessment_compute(campaign=campaign)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Assessment computed: %(n)d rows.") % {"n": len(rows)})
    return redirect("feedback:evaluations:assessment", pk=campaign.pk)


@require_safe
@login_required
def assessment_export(request, pk: int):
    """The assessment table as an Excel workbook (branches, cadres, weights)."""
    campaign = permissions.get_assessment_campaign_for(request.user, pk)
    table = assessment_table(campaign=campaign, user=request.user)
    audit_export(actor=request.user, export="assessment", filters={"campaign": str(campaign.pk)})
    return FileResponse(
        assessment_workbook(table),
        as_attachment=True,
        filename=f"assessment-{campaign.year}.xlsx",
        content_type=XLSX,
    )
