"""The low-stock alert: opened when available stock falls below safety stock, closed when it recovers.

Every stock write reviews the levels it changed by calling ``stock_alerts_review`` at its end, inside
its transaction (see the callers listed in that function's docstring).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.choices import AlertStatus
from inventory.hooks import run_stock_changed_handlers
from inventory.models import LowStockAlert, StockLevel
from oms.models import OutboxMessage
from oms.notifications import outbox_enqueue


def stock_alerts_review(levels: Iterable[StockLevel], *, may_recover: bool) -> None:
    """Open one alert per SKU × warehouse when available < safety stock; close it when stock recovers.

    Called by every stock write on the locked levels it changed, after the change: ``stock_receive``,
    ``stock_adjust``, ``stock_count``, ``stock_transfer``, ``stock_restock_return`` (resellable),
    ``stock_level_set_policy`` (ledger.py), ``stock_reserve`` and ``reservation_release``
    (reservations.py), ``allocate`` (allocation.py) and ``allocate_batch`` (allocation_batch.py). ``may_recover`` is False
    for writes that only take stock away (they can open an alert, never close one).

    The partial unique constraint decides who opens the alert (INSERT … ON CONFLICT DO NOTHING), so
    concurrent services never open two and only the one that opened it queues the notification.
    The apps above that follow stock (connectors' stock push) are told through ``inventory.hooks``.
    """
    levels = list(levels)
    for level in levels:
        available = level.on_hand - level.reserved
        if level.safety_stock and available < level.safety_stock:
            _open_alert(level, available)
        elif may_recover:
            LowStockAlert.objects.filter(
                sku_id=level.sku_id, warehouse_id=level.warehouse_id, status=AlertStatus.OPEN
            ).update(status=AlertStatus.CLOSED, closed_at=timezone.now())
    run_stock_changed_handlers(levels)


def _open_alert(level: StockLevel, available: int) -> None:
    alert_id = _insert_open_alert(level, available)
    if alert_id is None:
        return  # an alert is already open
    _tell_purchasing(level, available, alert_id)


def _insert_open_alert(level: StockLevel, available: int) -> int | None:
    """The new alert's id, or None when one is already open for this SKU × warehouse."""
    table = LowStockAlert._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (sku_id, warehouse_id, status, available_at_open, safety_stock, opened_at) "  # noqa: S608 - table name from model meta
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
            [
                level.sku_id,
                level.warehouse_id,
                AlertStatus.OPEN,
                available,
                level.safety_stock,
                timezone.now(),
            ],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def _tell_purchasing(level: StockLevel, available: int, alert_id: int) -> None:
    sku_code, warehouse_code = level.sku.code, level.warehouse.code
    outbox_enqueue(
        channel=OutboxMessage.Channel.EMAIL,
        recipient=getattr(settings, "OMS_PURCHASING_EMAIL", "purchasing@example.com"),
        subject=_("Low stock: %(sku)s in %(warehouse)s") % {"sku": sku_code, "warehouse": warehouse_code},
        body=_(
            "%(sku)s %(name)s in %(warehouse)s: %(available)s available, safety stock %(safety)s. "
            "Please reorder (see Replenishment in the back office)."
        )
        % {
            "sku": sku_code,
            "name": level.sku.name,
            "warehouse": warehouse_code,
            "available": available,
            "safety": level.safety_stock,
        },
        event="inventory.low_stock",
        dedupe_key=f"low-stock-alert:{alert_id}",
    )
