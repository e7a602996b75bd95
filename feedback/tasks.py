"""Celery tasks of the feedback app: ids in, one service call, safe to run twice."""

from celery import shared_task

from feedback.rollups.services import rollups_rebuild, rollups_refresh


@shared_task(name="feedback.rollups_refresh")
def rollups_refresh_task() -> dict:
    """Every two minutes: bring the roll-ups up to date with what changed since the last run
    (R7). Idempotent, and two at once take turns."""
    return rollups_refresh()


@shared_task(name="feedback.rollups_rebuild")
def rollups_rebuild_task() -> dict:
    """Nightly: recompute every roll-up row from the entries, ratings and visits."""
    return rollups_rebuild()
