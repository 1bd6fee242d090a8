"""Inventory's rows that supplier reconciliation collects: costed goods receipts (one SQL SELECT), PO costs."""

from __future__ import annotations

from django.db import connection

from inventory.choices import MovementKind, PurchaseOrderStatus
from inventory.models import SKU, PurchaseOrderLine, StockMovement, Warehouse


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def receipts_sql(*, supplier_id: int | None = None, tz: str) -> tuple[str, dict]:
    """A SELECT of goods received from a supplier at a known unit cost, and its parameters.

    Columns: source_id (the stock movement), supplier_id, reference, order_number, sku_code, description
    (the warehouse code), quantity, unit_cost, amount, item_date (in ``tz``). Reconciliation wraps it in
    its idempotent INSERT.
    """
    only = " AND m.supplier_id = %(supplier)s" if supplier_id else ""
    sql = f"""
        SELECT m.id AS source_id, m.supplier_id, COALESCE(NULLIF(m.reference, ''), 'RCV-' || m.id) AS reference,
               ''::text AS order_number, k.code AS sku_code, w.code AS description, m.quantity,
               m.unit_cost, round(m.quantity * m.unit_cost, 2) AS amount,
               (m.created_at AT TIME ZONE %(tz)s)::date AS item_date
        FROM {_table(StockMovement)} m
        JOIN {_table(SKU)} k ON k.id = m.sku_id
        JOIN {_table(Warehouse)} w ON w.id = m.warehouse_id
        WHERE m.kind = %(receipt)s AND m.supplier_id IS NOT NULL AND m.unit_cost IS NOT NULL
          AND m.quantity > 0{only}"""  # noqa: S608 - table names from model meta, values are parameters
    return sql, {"tz": tz, "supplier": supplier_id, "receipt": str(MovementKind.RECEIPT)}


def purchase_order_costs(*, supplier_id: int, number: str = "") -> list[dict]:
    """The agreed unit cost of each line of the supplier's sent purchase orders, with what was received.

    Reconciliation compares a supplier's billed unit prices with these (a receipt's movement carries the
    PO number as its reference and the line's cost as its unit cost).
    """
    lines = PurchaseOrderLine.objects.filter(purchase_order__supplier_id=supplier_id).exclude(
        purchase_order__status__in=[PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.CANCELLED]
    )
    if number:
        lines = lines.filter(purchase_order__number=number)
    return [
        {
            "number": row["purchase_order__number"],
            "sku_code": row["sku__code"],
            "ordered": row["quantity_ordered"],
            "received": row["quantity_received"],
            "unit_cost": row["unit_cost"],
        }
        for row in lines.order_by("purchase_order_id", "pk").values(
            "purchase_order__number", "sku__code", "quantity_ordered", "quantity_received", "unit_cost"
        )
    ]
