"""Entry-list exports too large for a request (issue 16): a job row, a worker writes the
workbook into the "exports" storage, the requester downloads it for a day, then it is deleted.

The worker rebuilds the list from what the job keeps (the requester, the list's scope, the query
string), so the file holds exactly the rows and order the page showed when it was asked for,
written by the same code as the inline export (liaison.services.exports: text cells are never
formulas).
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone, translation

from common.jobs import enqueue_on_commit
from liaison.models import Entry, ExportJob, User
from liaison.selectors.entries_list import entry_list
from liaison.services.audit import audit_export
from liaison.services.exports import entry_export
from liaison.tables import EntryTable

logger = logging.getLogger(__name__)

STORAGE_ALIAS = "exports"
Status = ExportJob.Status


def export_storage() -> Storage:
    """The storage the finished workbooks live in (settings.STORAGES["exports"])."""
    return storages[STORAGE_ALIAS]


def _params(query: QueryDict) -> dict[str, list[str]]:
    return {key: query.getlist(key) for key in sorted(query)}


def _query(params: dict[str, list[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, values in params.items():
        query.setlist(key, values)
    return query


def export_queryset(*, user: User, scope: str, params: dict[str, list[str]]) -> QuerySet[Entry]:
    """The rows of the list `scope` of `user` under the query string `params`, in the list's
    order (its sort parameter, else its default), as the inline export writes them."""
    query = _query(params)
    filterset = entry_list(user=user, filters=query, scope=scope)
    sort = query.get("sort") or None
    return EntryTable(filterset.qs, order_by=sort).data.data


def export_job_start(
    *, actor: User, scope: str, query: QueryDict, filename: str, filters: dict
) -> ExportJob:
    """Record an export of the list `scope` under `query` and hand it to a worker (which counts
    the rows, for the progress bar, and writes them).

    The view has checked the list and its query string (build_table). The audit event is
    written now, as for an inline export: who asked for which list with which filters.
    """
    with transaction.atomic():
        job = ExportJob.objects.create(
            requested_by=actor,
            scope=scope,
            params=_params(query),
            language=translation.get_language() or settings.LANGUAGE_CODE,
            filename=filename[:100],
            expires_at=timezone.now() + dt.timedelta(hours=settings.EXPORT_KEEP_HOURS),
        )
        audit_export(actor=actor, export=f"entries:{scope}", filters=filters)
        # When the broker is down, the user still gets the file: written in this request.
        enqueue_on_commit(
            "liaison.export_run", job.pk, on_broker_down=partial(export_job_run, job_id=job.pk)
        )
    return job


def export_job_run(*, job_id: int) -> None:
    """Write the job's workbook into the exports storage. Runs once: a task delivered twice
    finds the job claimed and does nothing."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, status=Status.PENDING).update(
        status=Status.RUNNING, started_at=now, done_rows=0
    )
    if not claimed:
        return
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    try:
        with translation.override(job.language):
            _write(job)
    except Exception:
        logger.exception("Export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(status=Status.FAILED, finished_at=timezone.now())


def _write(job: ExportJob) -> None:
    queryset = export_queryset(user=job.requested_by, scope=job.scope, params=job.params)
    job.total_rows = queryset.order_by().count()
    ExportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done_rows=done)

    handle = entry_export(queryset=queryset, progress=progress)
    try:
        name = export_storage().save(f"{job.pk}/{job.filename}", File(handle))
    finally:
        handle.close()
    written = ExportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
        status=Status.DONE, file=name, done_rows=job.total_rows, finished_at=timezone.now()
    )
    if not written:  # purged or failed meanwhile: keep no orphan file
        export_storage().delete(name)


def export_jobs_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the files of the exports past their day and mark them expired; return how many."""
    now = now or timezone.now()
    expired = ExportJob.objects.filter(expires_at__lte=now).exclude(status=Status.EXPIRED)
    count = 0
    for job in expired.only("pk", "file").order_by("pk").iterator():
        if job.file:
            export_storage().delete(job.file)
        count += ExportJob.objects.filter(pk=job.pk).update(status=Status.EXPIRED, file="")
    return count
