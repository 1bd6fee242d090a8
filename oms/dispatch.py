"""Queue Celery tasks by name after the current transaction commits, without importing the task modules.

Services sit below tasks (tasks call services), so a service asks for follow-up work by the task's dotted
name instead of importing it. A broker that cannot be reached never turns a committed business change into
an error: the failure is logged and the periodic sweeps (outbox, allocation, jobs) pick the work up.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def task_send(name: str, /, **kwargs) -> bool:
    """Send the task ``name`` (a dotted path such as ``orders.tasks.allocate_order_task``) now.

    Returns False, after logging, when the broker is unreachable; the caller's work is already committed.
    """
    return task_send_after(name, 0, **kwargs)


def task_send_after(name: str, seconds: float, /, **kwargs) -> bool:
    """``task_send``, the task to start ``seconds`` from now (0: at once)."""
    task = import_string(name)
    try:
        task.apply_async(kwargs=kwargs, countdown=seconds or None)
    except (OperationalError, ConnectionError) as exc:
        logger.warning(
            "task %s not sent (broker unreachable: %s); a periodic sweep will pick it up", name, exc
        )
        return False
    return True


def task_send_later_on_commit(name: str, seconds: int, /, **kwargs) -> None:
    """Send the task after commit, to run ``seconds`` later (e.g. to gather what happens meanwhile)."""

    def send() -> None:
        task = import_string(name)
        try:
            task.apply_async(kwargs=kwargs, countdown=max(int(seconds), 0))
        except (OperationalError, ConnectionError) as exc:
            logger.warning(
                "task %s not sent (broker unreachable: %s); a periodic sweep will pick it up", name, exc
            )

    transaction.on_commit(send)


def task_send_on_commit(name: str, /, **kwargs) -> None:
    """Send the task once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: task_send(name, **kwargs))
