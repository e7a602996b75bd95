"""The satisfaction dashboard (R7, R8, R11, R13, R14) and its Excel export: one node of the
user's subtree, one period, read from the roll-up tables."""

from http import HTTPStatus

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from feedback.exports import dashboard_workbook
from feedback.forms.dashboards import DashboardForm
from feedback.permissions import closes_months, dashboard_node_for, reads_dashboards
from feedback.selectors.dashboard import dashboard_for, period_choices
from feedback.selectors.matters import dashboard_matters
from liaison.services.audit import audit_export, export_filters

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _dashboard(request):
    """Return (form, dashboard or None); 404 for a user without dashboards or a node outside
    their subtree."""
    if not reads_dashboards(request.user):
        raise Http404
    form = DashboardForm(request.GET)
    if not form.is_valid():
        return form, None
    node = dashboard_node_for(user=request.user, pk=form.cleaned_data.get("org"))
    period = form.cleaned_data["the_period"]
    channels = list(form.cleaned_data.get("channels") or [])
    return form, dashboard_for(user=request.user, node=node, period=period, channels=channels)


@require_safe
@login_required
def dashboard(request):
    form, board = _dashboard(request)
    context = {
        "form": form,
        "board": board,
        "choices": period_choices(),
        "closes_months": closes_months(request.user),  # R24: a link to the page
    }
    if board:  # the open matters of the month touching the node (每月一题; one query)
        context["matters"] = dashboard_matters(user=request.user, node=board.node)
    status = HTTPStatus.OK if board else HTTPStatus.BAD_REQUEST
    return render(request, "feedback/dashboard.html", context, status=status)


@require_safe
@login_required
def dashboard_export(request):
    """The dashboard's tables as an Excel workbook, one sheet each."""
    form, board = _dashboard(request)
    if board is None:
        context = {"form": form, "board": None, "choices": period_choices()}
        return render(request, "feedback/dashboard.html", context, status=HTTPStatus.BAD_REQUEST)
    filename = f"dashboard-{board.node.code}-{board.period}.xlsx".replace("..", "_")
    audit_export(actor=request.user, export="dashboard", filters=export_filters(request.GET))
    return FileResponse(
        dashboard_workbook(board), as_attachment=True, filename=filename, content_type=XLSX
    )
