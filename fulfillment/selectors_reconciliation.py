"""Fulfillment's rows that supplier reconciliation collects: shipped drop-ship lines, as one SQL SELECT."""

from __future__ import annotations

from django.db import connection

from fulfillment.choices import ShipmentStatus
from fulfillment.models import Shipment, ShipmentLine
from inventory.models import SKU, SupplierSKU
from orders.models import Order

# Once a drop-ship has left the supplier it is billable, whatever happened to it on the way.
BILLABLE_STATUSES = [
    ShipmentStatus.SHIPPED,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.DELIVERED,
    ShipmentStatus.EXCEPTION,
]


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def drop_ship_lines_sql(*, supplier_id: int | None = None, tz: str) -> tuple[str, dict]:
    """A SELECT of shipped drop-ship lines valued at the supplier's agreed cost now, and its parameters.

    Columns: source_id (the shipment line), supplier_id, reference, order_number, sku_code, description,
    quantity, unit_cost, amount, item_date (in ``tz``). Reconciliation wraps it in its idempotent INSERT.
    """
    only = " AND s.supplier_id = %(supplier)s" if supplier_id else ""
    sql = f"""
        SELECT sl.id AS source_id, s.supplier_id, s.number AS reference, o.number AS order_number,
               k.code AS sku_code, ''::text AS description, sl.shipped_qty AS quantity, ss.cost AS unit_cost,
               round(sl.shipped_qty * ss.cost, 2) AS amount, (s.shipped_at AT TIME ZONE %(tz)s)::date AS item_date
        FROM {_table(ShipmentLine)} sl
        JOIN {_table(Shipment)} s ON s.id = sl.shipment_id
        JOIN {_table(Order)} o ON o.id = s.order_id
        JOIN {_table(SKU)} k ON k.id = sl.sku_id
        JOIN {_table(SupplierSKU)} ss ON ss.supplier_id = s.supplier_id AND ss.sku_id = sl.sku_id
        WHERE s.is_drop_ship AND s.supplier_id IS NOT NULL AND s.shipped_at IS NOT NULL
          AND s.status = ANY(%(billable)s) AND sl.shipped_qty > 0{only}"""  # noqa: S608 - table names from model meta, values are parameters
    params = {"tz": tz, "supplier": supplier_id, "billable": [str(s) for s in BILLABLE_STATUSES]}
    return sql, params
