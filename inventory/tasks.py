"""Celery tasks of the inventory app (names "inventory.tasks.<name>_task")."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="inventory.tasks.check_stock_task")
def check_stock_task() -> int:
    """Nightly: log every stock level that drifts from its ledger; returns how many drift."""
    from inventory.selectors import stock_drift

    drift = stock_drift()
    for row in drift:
        logger.error("stock drift: %s", row.describe())
    return len(drift)
