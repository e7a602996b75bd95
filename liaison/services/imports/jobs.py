"""The life of an import job: submitted, checked (on a worker when large), then applied."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.jobs import enqueue, enqueue_on_commit
from liaison.constants import PHASE_APPLYING, PHASE_CHECKING
from liaison.models import AuditEvent, ImportJob, User
from liaison.services.audit import audit_record
from liaison.services.imports import workbook
from liaison.services.imports.apply import apply_plan
from liaison.services.imports.validate import validate_rows

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 200  # rows between two saves of the progress counter
MAX_STORED_ERRORS = 1000  # more than this is a wrong file, not a list to work through
# A job still waiting for a worker this long after it was submitted has lost its message.
PENDING_REQUEUE_AFTER = dt.timedelta(minutes=2)

Status = ImportJob.Status


def import_job_submit(
    *, actor: User, filename: str, content: bytes, dry_run: bool = True
) -> ImportJob:
    """Keep the workbook as a job and run it: in this request when small, on a worker when large.

    Writes only the job row, which itself records who uploaded what and when; the import proper
    writes its audit event when it is applied.
    """
    job = ImportJob.objects.create(
        uploaded_by=actor,
        filename=filename[:200],
        content=content,
        dry_run=dry_run,
        total_rows=workbook.estimate_rows(content),
    )
    return _dispatch(job)


def import_job_apply(*, actor: User, job: ImportJob) -> ImportJob:
    """Import the workbook of a successful check, as a new job run by `actor`.

    The check is re-done against the database as it is now, in the same transaction as the writes.
    """
    with transaction.atomic():
        checked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not checked.can_apply:
            raise ValidationError(
                _("Only a check without errors can be imported, and only once."), code="state"
            )
        run = ImportJob.objects.create(
            uploaded_by=actor,
            filename=checked.filename,
            content=bytes(checked.content),
            dry_run=False,
            total_rows=checked.total_rows,
            summary={"checked_job": checked.pk},
        )
        checked.summary = {**checked.summary, "applied_job": run.pk}
        checked.save(update_fields=["summary"])
    return _dispatch(run)


def _dispatch(job: ImportJob) -> ImportJob:
    if job.total_rows > settings.IMPORT_INLINE_MAX_ROWS:
        # When the broker (Redis) is down, rather than leave the user with a job that runs "some
        # day", do the work in this request: slower, but nothing is lost and the answer comes
        # now. A job that is somehow enqueued as well runs once: import_job_run claims it.
        enqueue_on_commit(
            "liaison.import_run", job.pk, on_broker_down=partial(import_job_run, job_id=job.pk)
        )
    else:
        import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def import_job_run(*, job_id: int) -> None:
    """Check the job's workbook and, unless it is a dry run, import it all or nothing.

    Idempotent: only a waiting job, or one whose run has stalled (its worker died), is run, so a
    task delivered twice does the work once.
    """
    now = timezone.now()
    claimed = (
        ImportJob.objects.filter(pk=job_id)
        .filter(_claimable(now))
        .update(status=Status.RUNNING, processed_rows=0, started_at=now)
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    # Row messages are stored as text, in the site's language (Chinese): the worker has no
    # request to take a language from, and the people who fix the workbook read Chinese.
    with translation.override(settings.LANGUAGE_CODE):
        try:
            _run(job)
        except Exception:
            logger.exception("Import job %s failed", job_id)
            _finish(
                job,
                Status.FAILED,
                errors=[_file_error(_("The import failed unexpectedly; nothing was written."))],
            )


def import_job_requeue() -> list[int]:
    """Enqueue again the jobs that should be running by now; return their ids.

    A job waits for a worker as long as its message is in the broker. One still waiting after
    PENDING_REQUEUE_AFTER lost its message (or the queue is long: a second message is harmless,
    the job is claimed once), and one running for IMPORT_STALE_AFTER_SECONDS lost its worker.
    """
    now = timezone.now()
    waiting = Q(status=Status.PENDING, created_at__lt=now - PENDING_REQUEUE_AFTER)
    job_ids = list(
        ImportJob.objects.filter(waiting | _stalled(now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for job_id in job_ids:
        enqueue("liaison.import_run", job_id, on_broker_down=partial(import_job_run, job_id=job_id))
    return job_ids


def _stalled(now: dt.datetime) -> Q:
    """A running job whose run started too long ago: its worker is gone."""
    before = now - dt.timedelta(seconds=settings.IMPORT_STALE_AFTER_SECONDS)
    return Q(status=Status.RUNNING) & (
        Q(started_at__lt=before) | Q(started_at__isnull=True, created_at__lt=before)
    )


def _claimable(now: dt.datetime) -> Q:
    return Q(status=Status.PENDING) | _stalled(now)


def _run(job: ImportJob) -> None:
    _set(job, summary={**job.summary, "phase": PHASE_CHECKING})
    try:
        sheets = workbook.read_sheets(bytes(job.content))
    except ValidationError as error:
        _finish(job, Status.INVALID, errors=[_file_error(m) for m in error.messages])
        return
    job.total_rows = sum(len(rows) for rows in sheets.values())
    _set(job, total_rows=job.total_rows)
    progress = _Progress(job)
    plan = validate_rows(sheets, tick=progress.tick)
    if plan.errors:
        _finish(job, Status.INVALID, errors=[e.as_dict() for e in plan.errors], plan=plan)
        return
    if job.dry_run:
        _finish(job, Status.VALID, plan=plan)
        return
    # The rows are written in one transaction, so that a failure writes nothing; other
    # connections cannot see a counter saved inside it. So the progress bar measures the check
    # above, and while the transaction runs the page says "writing…" instead.
    _set(job, processed_rows=job.total_rows, summary={**job.summary, "phase": PHASE_APPLYING})
    try:
        with transaction.atomic():
            # Check again inside the transaction: the database may have changed since.
            plan = validate_rows(sheets)
            if plan.errors:
                raise _StillInvalid(plan)
            apply_plan(plan=plan, actor=job.uploaded_by)
            counts = plan.counts()
            audit_record(
                actor=job.uploaded_by,
                action=AuditEvent.Action.IMPORTED,
                obj=job,
                summary=_("Imported %(file)s") % {"file": job.filename},
                data={"counts": counts},
            )
            _finish(job, Status.DONE, plan=plan)  # commits with the rows, or not at all
    except _StillInvalid as invalid:
        _finish(
            job,
            Status.INVALID,
            errors=[e.as_dict() for e in invalid.plan.errors],
            plan=invalid.plan,
        )
    except (DatabaseError, ValidationError):
        logger.exception("Import job %s rolled back", job.pk)
        message = _(
            "The data changed while importing, so nothing was written. Check the file again."
        )
        _finish(job, Status.FAILED, errors=[_file_error(message)])


class _StillInvalid(Exception):
    def __init__(self, plan) -> None:
        super().__init__("invalid")
        self.plan = plan


class _Progress:
    """Count checked rows; save the count every PROGRESS_EVERY rows for the progress bar."""

    def __init__(self, job: ImportJob) -> None:
        self.job, self.done = job, 0

    def tick(self) -> None:
        self.done += 1
        if self.done % PROGRESS_EVERY == 0:
            _set(self.job, processed_rows=self.done)


def _file_error(message: str) -> dict:
    return {"sheet": "", "row": None, "column": "", "message": str(message)}


def _set(job: ImportJob, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _finish(job: ImportJob, status: str, *, errors: Sequence[dict] = (), plan=None) -> None:
    summary = {k: v for k, v in job.summary.items() if k != "phase"}
    if plan is not None:
        summary["counts"] = plan.counts()
    summary["error_count"] = len(errors)
    _set(
        job,
        status=status,
        errors=list(errors[:MAX_STORED_ERRORS]),
        summary=summary,
        processed_rows=job.total_rows,
        finished_at=timezone.now(),
    )
