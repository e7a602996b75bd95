"""The entry lists (branch ledger, my entries, department inbox, all in scope) and their Excel
export: the same filters, scope and order, every page."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from liaison.listing import build_table
from liaison.permissions import has_entry_list
from liaison.selectors.entries_list import ENTRY_LIST_TITLES, entry_list
from liaison.services.audit import audit_export, export_filters
from liaison.services.exports import entry_export
from liaison.tables import EntryTable
from liaison.views.pages import wants_fragment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filtered_table(request, scope: str) -> tuple:
    if not has_entry_list(request.user, scope):
        raise Http404
    filterset = entry_list(user=request.user, filters=request.GET, scope=scope)
    return filterset, build_table(request, filterset, EntryTable)


@require_safe
@login_required
@vary_on_headers("HX-Request")
def ledger(request, scope: str):
    filterset, table = _filtered_table(request, scope)
    template = "liaison/entry_list.html"
    template += "#results" if wants_fragment(request) else ""
    context = {
        "filter": filterset,
        "table": table,
        "title": ENTRY_LIST_TITLES[scope],
        "export_url": reverse(f"liaison:ledger_{scope}_export"),
    }
    return render(request, template, context)


@require_safe
@login_required
def ledger_export(request, scope: str):
    """Stream the whole filtered list (every page, in the list's order) as an .xlsx file."""
    _filterset, table = _filtered_table(request, scope)
    workbook = entry_export(queryset=table.data.data)
    audit_export(actor=request.user, export=f"entries:{scope}", filters=export_filters(request.GET))
    filename = f"entries-{scope}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(workbook, as_attachment=True, filename=filename, content_type=XLSX)
