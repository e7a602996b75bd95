"""Excel import pages: upload and check, download the template, follow a job, apply it."""

from functools import wraps
from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from liaison import permissions, selectors
from liaison.forms import ImportUploadForm
from liaison.services import imports

TEMPLATE_FILENAME = "台账导入模板.xlsx"


def maintainers_only(view):
    """Log in first; then anyone who does not maintain master data gets a 404."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not permissions.can_maintain_master_data(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(wrapped)


@maintainers_only
@require_http_methods(["GET", "POST"])
def import_start(request):
    form = ImportUploadForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )
    if form.is_bound and form.is_valid():
        job = imports.import_job_submit(
            actor=request.user,
            filename=form.cleaned_data["file"].name,
            content=form.cleaned_data["content"],
            dry_run=form.cleaned_data["dry_run"],
        )
        return redirect("liaison:import_detail", pk=job.pk)
    jobs = selectors.import_job_list(user=request.user)
    status = HTTPStatus.BAD_REQUEST if form.is_bound else HTTPStatus.OK
    return render(request, "liaison/import_start.html", {"form": form, "jobs": jobs}, status=status)


@maintainers_only
@require_safe
def import_template(request):
    response = HttpResponse(imports.template_bytes(), content_type=imports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, TEMPLATE_FILENAME)
    return response


@login_required
@require_safe
def import_detail(request, pk: int):
    job = permissions.get_import_job_for(request.user, pk)
    view = selectors.import_job_view(job=job)
    template = "liaison/import_detail.html#job" if request.htmx else "liaison/import_detail.html"
    return render(request, template, {"job": job, "view": view})


@login_required
@require_POST
def import_apply(request, pk: int):
    job = permissions.get_import_job_for(request.user, pk)
    try:
        run = imports.import_job_apply(actor=request.user, job=job)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        view = selectors.import_job_view(job=job)
        context = {"job": job, "view": view}
        return render(request, "liaison/import_detail.html", context, status=HTTPStatus.CONFLICT)
    return redirect("liaison:import_detail", pk=run.pk)
