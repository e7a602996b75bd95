"""Celery tasks of the liaison app: ids in, one service call, safe to run twice."""

from celery import shared_task

from liaison.services import imports, reviews


@shared_task(name="liaison.import_run")
def import_run(job_id: int) -> None:
    """Check, and unless it is a dry run import, the workbook of an import job."""
    imports.import_job_run(job_id=job_id)


@shared_task(name="liaison.import_requeue")
def import_requeue() -> None:
    """Periodically: enqueue again the import jobs whose message or worker was lost."""
    imports.import_job_requeue()


@shared_task(name="liaison.monthly_review_prepare")
def monthly_review_prepare_task() -> int:
    """On the 1st of each month: prepare every branch's sheet for last month (R9)."""
    return reviews.monthly_review_prepare(month=reviews.previous_month())
