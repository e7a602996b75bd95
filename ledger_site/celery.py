"""The Celery app: configured from Django settings (the CELERY_* names), tasks found per app."""

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ledger_site.settings")

app = Celery("ledger_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _redbeat_names(sender: Celery, **kwargs: Any) -> None:
    """celery-redbeat looks its settings up by their own names (redbeat_redis_url …), not
    through the CELERY_ namespace: give them those names too."""
    for key in [key for key in sender.conf if key.startswith("CELERY_REDBEAT_")]:
        sender.conf[key.removeprefix("CELERY_").lower()] = sender.conf[key]


_replica_blocks: dict[str, Any] = {}


@task_prerun.connect
def _replica_reads_start(task_id: str, task: Any, **kwargs: Any) -> None:
    """The tasks named in DATABASE_REPLICA_TASKS read from the replica (ledger_site.db_routers)."""
    from django.conf import settings

    from ledger_site.db_routers import replica_reads

    if task.name in getattr(settings, "DATABASE_REPLICA_TASKS", ()):
        block = replica_reads()
        block.__enter__()
        _replica_blocks[task_id] = block


@task_postrun.connect
def _replica_reads_end(task_id: str, **kwargs: Any) -> None:
    block = _replica_blocks.pop(task_id, None)
    if block is not None:
        block.__exit__(None, None, None)
