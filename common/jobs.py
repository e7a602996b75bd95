"""Enqueue a Celery task once the current transaction commits, by the task's name.

Services never import a tasks module (the tasks import the services): they name the task, and
the message leaves only if the write it follows has committed, so a worker never reads a row
that is not there yet and a rolled-back write sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)


def task_send(name: str, *args: Any) -> None:
    """Send the task `name` with `args` now (eagerly in the tests, as the task's own settings
    say). Raises BrokerUnavailable (kombu's OperationalError) when the broker is down."""
    # Through the registered task, whose apply_async honours task_always_eager (app.send_task
    # would not); a process that has not loaded the apps' tasks modules yet loads them first.
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    current_app.tasks[name].apply_async(args=args)


def enqueue(name: str, *args: Any, on_broker_down: Callable[[], None] | None = None) -> None:
    """Send the task `name` with `args` now, outside any write (a periodic job's re-send).

    When the broker (Redis) is down, the periodic jobs recompute from the database, so the
    message is only logged as lost; or `on_broker_down` runs instead (for work a user waits for,
    done in the request rather than "some day").
    """
    try:
        task_send(name, *args)
    except BrokerUnavailable:
        if on_broker_down is None:
            logger.warning("Broker unavailable; task %s waits for its periodic run", name)
            return
        logger.warning("Broker unavailable; running %s in the request", name)
        on_broker_down()


def enqueue_on_commit(
    name: str, *args: Any, on_broker_down: Callable[[], None] | None = None
) -> None:
    """After the transaction commits, send the task `name` with `args` (as enqueue does)."""
    transaction.on_commit(partial(enqueue, name, *args, on_broker_down=on_broker_down))
