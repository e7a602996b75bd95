"""Celery tasks of the liaison app: ids in, one service call, safe to run twice."""

from celery import shared_task

from liaison.selectors.reviews import previous_month
from liaison.services import directory, export_jobs, imports, jobs, reviews


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
    return reviews.monthly_review_prepare(month=previous_month())


@shared_task(name="liaison.overdue_sweep")
def overdue_sweep_task() -> dict:
    """Every 15 minutes and at 00:05: flag overdue entries and tell who must know (R6)."""
    return jobs.overdue_sweep()


@shared_task(name="liaison.due_soon_warnings")
def due_soon_warnings_task() -> dict:
    """Each weekday morning: warn owners whose entries fall due soon (R6)."""
    return jobs.due_soon_warnings()


@shared_task(name="liaison.close_unrated")
def close_unrated_task() -> dict:
    """Daily: close as not rated the replies nobody rated in time (R4)."""
    return jobs.close_unrated()


@shared_task(name="liaison.notification_digests")
def notification_digests_task() -> int:
    """Each morning: one email to each user who chose the daily digest."""
    return jobs.notification_digests_send()


@shared_task(name="liaison.notifications_email")
def notifications_email() -> int:
    """After a job commits: email the notifications not yet emailed."""
    return jobs.notification_emails_send()


@shared_task(name="liaison.directory_sync")
def directory_sync_task() -> dict:
    """Hourly when LDAP_URL is set: switch off the accounts the directory no longer knows."""
    return directory.directory_sync()


@shared_task(name="liaison.export_run")
def export_run(job_id: int) -> None:
    """Write the workbook of a background export."""
    export_jobs.export_job_run(job_id=job_id)


@shared_task(name="liaison.exports_purge")
def exports_purge() -> int:
    """Periodically: delete the exports past their day."""
    return export_jobs.export_jobs_purge()
