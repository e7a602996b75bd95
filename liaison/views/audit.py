"""The audit log page and its Excel export: the audit administrator's alone (三员分立)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from liaison.listing import build_table
from liaison.selectors.audit import audit_log
from liaison.services.audit import audit_export, export_filters
from liaison.services.audit_export import audit_log_export
from liaison.tables import AuditEventTable
from liaison.views.pages import wants_fragment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_safe
@login_required
@vary_on_headers("HX-Request")
def audit_log_list(request):
    filterset = audit_log(user=request.user, filters=request.GET)
    table = build_table(request, filterset, AuditEventTable)
    template = "liaison/audit_log.html"
    template += "#results" if wants_fragment(request) else ""
    context = {"filter": filterset, "table": table, "retention_days": settings.AUDIT_RETENTION_DAYS}
    return render(request, template, context)


@require_safe
@login_required
def audit_log_export_view(request):
    """The filtered rows (every page, in the list's order) as an .xlsx file; the export is
    itself an audit event, with its filter."""
    filterset = audit_log(user=request.user, filters=request.GET)
    table = build_table(request, filterset, AuditEventTable)
    workbook = audit_log_export(queryset=table.data.data)
    audit_export(actor=request.user, export="audit_log", filters=export_filters(request.GET))
    filename = f"audit-log-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(workbook, as_attachment=True, filename=filename, content_type=XLSX)
