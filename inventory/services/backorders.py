"""Stock arrived: after commit, ask the orders app to allocate its backorders (by task name, never importing it)."""

from __future__ import annotations

import contextlib
import functools
import importlib
from collections.abc import Iterable

from django.db import transaction

BACKORDER_TASK = "orders.tasks.allocate_backorders_task"


def _announce_stock_arrived(sku_ids: Iterable[int]) -> None:
    """After commit, ask the orders app (by task name: inventory never imports it) to allocate backorders."""
    ids = sorted(set(sku_ids))
    if ids:
        transaction.on_commit(functools.partial(send_backorder_task, sku_ids=ids))


def send_backorder_task(*, sku_ids: list[int]) -> bool:
    """Send ``orders.tasks.allocate_backorders_task`` when an app registered it; False when none did."""
    from celery import current_app

    tasks = current_app.tasks
    if BACKORDER_TASK not in tasks:
        # A web process has not imported the tasks modules (only the worker autodiscovers them): import
        # the orders app's by name, which registers its task; without the orders app there is none.
        with contextlib.suppress(ImportError):
            importlib.import_module(BACKORDER_TASK.rpartition(".")[0])
    if BACKORDER_TASK not in tasks:
        return False
    if current_app.conf.task_always_eager:
        tasks[BACKORDER_TASK].apply_async(kwargs={"sku_ids": sku_ids})
    else:
        current_app.send_task(BACKORDER_TASK, kwargs={"sku_ids": sku_ids})
    return True
