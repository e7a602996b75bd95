"""The entry lists (branch ledger, my entries, department inbox, all in scope) and their Excel
export: the same filters, scope and order, every page."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from liaison.listing import build_table
from liaison.permissions import has_entry_list
from liaison.selectors.entries_list import ENTRY_LIST_TITLES, entry_list
from liaison.services.audit import audit_export, export_filters
from liaison.services.export_jobs import export_job_start
from liaison.services.exports import entry_export
from liaison.tables import EntryTable
from liaison.views.pages import wants_fragment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filtered_table(request, scope: str) -> tuple:
    if not has_entry_list(request.user, scope):
        raise Http404
    filterset = entry_list(user=request.user, filters=request.GET, scope=scope)
    # A list in parts (the department inbox) is counted and paged through them.
    return filterset, build_table(request, filterset, EntryTable, parts=filterset.part_querysets)


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


def _more_rows_than(table, limit: int) -> bool:
    """Whether the table's list holds more than `limit` rows: from the count the table made
    (capped at LIST_COUNT_CAP) when it tells, else with a count of its own up to limit + 1."""
    paginator = table.paginator
    if limit <= paginator.cap:
        return paginator.counted > limit
    return table.data.data.order_by()[: limit + 1].count() > limit


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def ledger_export(request, scope: str):
    """Stream the whole filtered list (every page, in the list's order) as an .xlsx file.

    Over EXPORT_INLINE_MAX_ROWS rows, GET shows a page that offers to write it in the background
    (GET writes nothing), and its POST (same query string) hands it to a worker, then shows the
    export's progress page.
    """
    _filterset, table = _filtered_table(request, scope)
    queryset = table.data.data
    filters = export_filters(request.GET)
    filename = f"entries-{scope}-{timezone.localdate():%Y%m%d}.xlsx"
    if request.method == "POST":
        job = export_job_start(
            actor=request.user, scope=scope, query=request.GET, filename=filename, filters=filters
        )
        return redirect("liaison:export_job_detail", pk=job.pk)
    limit = settings.EXPORT_INLINE_MAX_ROWS
    if _more_rows_than(table, limit):
        context = {"title": ENTRY_LIST_TITLES[scope], "limit": limit, "query": request.GET}
        return render(request, "liaison/export_start.html", context)
    workbook = entry_export(queryset=queryset)
    audit_export(actor=request.user, export=f"entries:{scope}", filters=filters)
    return FileResponse(workbook, as_attachment=True, filename=filename, content_type=XLSX)
