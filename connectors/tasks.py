"""Celery entry points of the connectors app: the stock sweep and the order pulls (thin: ids in, services called)."""

from __future__ import annotations

import logging

from celery import shared_task

from connectors.models import Connection
from connectors.platforms import PlatformError
from connectors.services import orders_pull, stock_sync_due

logger = logging.getLogger(__name__)


@shared_task
def stock_sync_task() -> int:
    return stock_sync_due()


@shared_task
def pull_orders_task() -> dict[int, int]:
    """Pull every shop that is polled; one shop's failure is kept on it and never stops the others."""
    done = {}
    for connection_id in Connection.objects.filter(is_active=True, pull_enabled=True).values_list(
        "pk", flat=True
    ):
        try:
            done[connection_id] = orders_pull(connection_id=connection_id)
        except PlatformError as exc:
            logger.warning("pull of shop %s failed: %s", connection_id, exc)
    return done
