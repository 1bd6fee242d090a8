"""Reads of shipments for the reports app: fulfilment times, carrier statistics, units shipped, counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection

from fulfillment.choices import ShipmentStatus
from fulfillment.models import Shipment

# The parcels with their order, warehouse or supplier, and carrier: what the shipping reports group by.
_SHIPMENTS_JOINED = """FROM fulfillment_shipment s
        JOIN orders_order o ON o.id = s.order_id
        LEFT JOIN inventory_warehouse w ON w.id = s.warehouse_id
        LEFT JOIN inventory_supplier sup ON sup.id = s.supplier_id
        LEFT JOIN fulfillment_carrierservice cs ON cs.id = s.carrier_service_id
        LEFT JOIN fulfillment_carrier c ON c.id = cs.carrier_id"""


def _rows(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _shipment_filters(
    *, start: datetime, end: datetime, channel_id: int | None, warehouse_id: int | None, alias: str = "s"
) -> tuple[str, list[Any]]:
    sql, params = f" AND {alias}.shipped_at >= %s AND {alias}.shipped_at < %s", [start, end]
    if channel_id:
        sql += " AND o.channel_id = %s"
        params.append(channel_id)
    if warehouse_id:
        sql += f" AND {alias}.warehouse_id = %s"
        params.append(warehouse_id)
    return sql, params


def shipment_fulfilment_times(
    *, start: datetime, end: datetime, channel_id: int | None = None, warehouse_id: int | None = None
) -> list[tuple]:
    """Per warehouse (or supplier) × carrier, of the parcels shipped in [start, end): count, paid → shipped
    median and p90 hours, delivered count, shipped → delivered median and p90 hours."""
    where, params = _shipment_filters(start=start, end=end, channel_id=channel_id, warehouse_id=warehouse_id)
    return _rows(
        f"""
        SELECT COALESCE(w.name, sup.name, '—'), COALESCE(c.name, '—'), COUNT(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM s.shipped_at - o.paid_at) / 3600),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM s.shipped_at - o.paid_at) / 3600),
               COUNT(s.delivered_at),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM s.delivered_at - s.shipped_at) / 3600),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM s.delivered_at - s.shipped_at) / 3600)
        {_SHIPMENTS_JOINED}
        WHERE s.shipped_at IS NOT NULL AND o.paid_at IS NOT NULL {where}
        GROUP BY 1, 2 ORDER BY 1, 2
        """,  # noqa: S608 - fixed fragments, values are parameters
        params,
    ) + _delivered_without_parcels(start=start, end=end, channel_id=channel_id, warehouse_id=warehouse_id)


def _delivered_without_parcels(
    *, start: datetime, end: datetime, channel_id: int | None, warehouse_id: int | None
) -> list[tuple]:
    """Orders delivered in [start, end) with no parcel on record (marked shipped and delivered without one):
    one row (warehouse and carrier None) counting them shipped and delivered; their times are unknown."""
    if warehouse_id:
        return []
    sql = """
        SELECT NULL, NULL, COUNT(*), NULL, NULL, COUNT(*), NULL, NULL
        FROM orders_order o
        WHERE o.delivered_at >= %s AND o.delivered_at < %s
          AND NOT EXISTS (SELECT 1 FROM fulfillment_shipment s WHERE s.order_id = o.id)"""
    params: list[Any] = [start, end]
    if channel_id:
        sql += " AND o.channel_id = %s"
        params.append(channel_id)
    rows = _rows(sql, params)
    return [r for r in rows if r[2]]


def shipment_carrier_stats(
    *, start: datetime, end: datetime, channel_id: int | None = None, warehouse_id: int | None = None
) -> list[tuple]:
    """Per carrier × warehouse (or supplier), of the parcels shipped in [start, end): count, delivered,
    exceptions, late, total and average shipping cost; most parcels first."""
    where, params = _shipment_filters(start=start, end=end, channel_id=channel_id, warehouse_id=warehouse_id)
    return _rows(
        f"""
        SELECT COALESCE(c.name, '—'), COALESCE(w.name, sup.name, '—'), COUNT(*),
               COUNT(*) FILTER (WHERE s.status = %s),
               COUNT(*) FILTER (WHERE s.status = %s),
               COUNT(*) FILTER (WHERE s.is_late),
               COALESCE(SUM(s.shipping_cost), 0), COALESCE(AVG(s.shipping_cost), 0)
        {_SHIPMENTS_JOINED}
        WHERE s.shipped_at IS NOT NULL {where}
        GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2
        """,  # noqa: S608 - fixed fragments, values are parameters
        [ShipmentStatus.DELIVERED.value, ShipmentStatus.EXCEPTION.value, *params],
    )


# The key each units-shipped breakdown groups by (SQL over the joins below).
UNITS_SHIPPED_KEYS = {
    "sku": "sku.code",
    "channel": "ch.name",
    "supplier": "COALESCE(sup.name, '—')",
}


def units_shipped_by(*, group: str, start: datetime, end: datetime, channel_id: int | None = None) -> dict:
    """Units shipped in [start, end) per SKU code, channel name or supplier name (the shipment's drop-ship
    supplier, else the SKU's preferred supplier)."""
    key_sql = UNITS_SHIPPED_KEYS[group]
    params: list[Any] = [start, end]
    extra = ""
    if channel_id:
        extra = " AND o.channel_id = %s"
        params.append(channel_id)
    return dict(
        _rows(
            f"""
        SELECT {key_sql}, SUM(sl.shipped_qty)
        FROM fulfillment_shipmentline sl
        JOIN fulfillment_shipment s ON s.id = sl.shipment_id
        JOIN orders_order o ON o.id = s.order_id
        JOIN orders_channel ch ON ch.id = o.channel_id
        JOIN inventory_sku sku ON sku.id = sl.sku_id
        LEFT JOIN LATERAL (SELECT ss.supplier_id FROM inventory_suppliersku ss WHERE ss.sku_id = sl.sku_id
                           ORDER BY ss.is_preferred DESC, ss.id LIMIT 1) pref ON true
        LEFT JOIN inventory_supplier sup ON sup.id = COALESCE(s.supplier_id, pref.supplier_id)
        WHERE s.shipped_at >= %s AND s.shipped_at < %s {extra}
        GROUP BY 1
        """,  # noqa: S608 - key_sql comes from the fixed table above
            params,
        )
    )


def shipments_in_status_count(*, statuses) -> int:
    return Shipment.objects.filter(status__in=statuses).count()
