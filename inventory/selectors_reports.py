"""Reads of stock for the reports app: stock levels with recent shipments, open alerts, warehouse choices."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Q, Sum

from inventory.choices import AlertStatus, MovementKind
from inventory.models import LowStockAlert, StockLevel, Warehouse


def warehouse_choices() -> list[tuple[int, str]]:
    """Every warehouse as (pk, name), for a filter's choices."""
    return list(Warehouse.objects.values_list("pk", "name"))


def stock_levels_with_shipped(
    *, since: datetime, warehouse_id: int | None = None, limit: int = 2000
) -> list[StockLevel]:
    """Stock levels, lowest available first, each with ``shipped_28``: the sum of its shipment movements
    (negative quantities) in its own warehouse since ``since``."""
    qs = StockLevel.objects.select_related("sku", "warehouse").annotate(
        shipped_28=Sum(
            "sku__movements__quantity",
            filter=Q(
                sku__movements__kind=MovementKind.SHIPMENT,
                sku__movements__created_at__gte=since,
                sku__movements__warehouse=F("warehouse"),
            ),
        ),
    )
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    return list(qs.order_by("available", "sku__code")[:limit])


def low_stock_alerts_open_count() -> int:
    return LowStockAlert.objects.filter(status=AlertStatus.OPEN).count()
