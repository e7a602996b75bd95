"""Celery tasks of the feedback app: ids in, one service call, safe to run twice."""

from celery import shared_task

from feedback.selectors.dashboard import warm_dashboards
from feedback.services.campaigns import campaign_close_due
from feedback.services.closing import months_close_due
from feedback.services.reminders import evaluation_reminders_send
from feedback.services.rollups import rollups_rebuild, rollups_refresh


@shared_task(name="feedback.rollups_refresh")
def rollups_refresh_task() -> dict:
    """Every two minutes: bring the roll-ups up to date with what changed since the last run
    (R7), then have the dashboards read lately read again. Idempotent, and two at once take
    turns."""
    result = rollups_refresh()
    dashboards_warm_task.delay()
    return result


@shared_task(name="feedback.rollups_rebuild")
def rollups_rebuild_task() -> dict:
    """Nightly: recompute every roll-up row from the entries, ratings and visits, then have the
    dashboards read lately read again."""
    result = rollups_rebuild()
    dashboards_warm_task.delay()
    return result


@shared_task(name="feedback.dashboards_warm")
def dashboards_warm_task() -> int:
    """After a refresh or rebuild: read the roll-up part of the dashboards read in the last day
    into the shared cache, for the roll-ups' new version; return how many were read."""
    return warm_dashboards()


@shared_task(name="feedback.evaluation_close_due")
def evaluation_close_due_task() -> list[int]:
    """Daily just after midnight: close the reverse evaluations whose closing date has passed
    (R12). Running it twice closes nothing more."""
    return campaign_close_due()


@shared_task(name="feedback.evaluation_reminders")
def evaluation_reminders_task() -> dict:
    """Daily in the morning: remind the raters who have not answered and were not reminded in
    the last EVALUATION_REMINDER_DAYS days (R12); nobody is reminded twice within those days."""
    return evaluation_reminders_send()


@shared_task(name="feedback.months_close_due")
def months_close_due_task() -> list[str]:
    """Daily: close last month once today is on or after its MONTH_CLOSE_WORKING_DAY'th working
    day after it ended (R24; 0 disables it). Running it twice closes nothing more."""
    return [f"{row.month:%Y-%m}" for row in months_close_due()]
