"""Background exports: the progress page (polled by htmx) and the download, for the requester
only."""

from http import HTTPStatus

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from liaison import permissions
from liaison.models import ExportJob
from liaison.services.export_jobs import export_storage
from liaison.views.ledgers import XLSX


@require_safe
@login_required
@vary_on_headers("HX-Request")
def export_job_detail(request, pk: int):
    job = permissions.get_export_job_for(request.user, pk)
    template = "liaison/export_detail.html#job" if request.htmx else "liaison/export_detail.html"
    return render(request, template, {"job": job})


@require_safe
@login_required
def export_job_download(request, pk: int):
    """The finished workbook, as an attachment; 410 with the progress page once expired."""
    job = permissions.get_export_job_for(request.user, pk)
    if job.is_expired:
        return render(request, "liaison/export_detail.html", {"job": job}, status=HTTPStatus.GONE)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    try:
        handle = export_storage().open(job.file, "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=job.filename, content_type=XLSX)
