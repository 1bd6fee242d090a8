"""Aftersales' rows that supplier reconciliation collects: open supplier charges, as one SQL SELECT."""

from __future__ import annotations

from django.db import connection

from aftersales.choices import ReconciliationStatus
from aftersales.models import AftersalesCase, CaseLine, SupplierCharge
from inventory.models import SKU
from orders.models import Order


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def supplier_charges_sql(*, supplier_id: int | None = None, tz: str) -> tuple[str, dict]:
    """A SELECT of the supplier's share of cases not on a statement yet, and its parameters.

    Columns: source_id (the charge), supplier_id, reference (the case number), order_number, sku_code (the
    case's first line), description, quantity (0: money only), unit_cost (none), amount, item_date.
    Reconciliation wraps it in its idempotent INSERT; ``tz`` is accepted for the same call shape.
    """
    only = " AND c.supplier_id = %(supplier)s" if supplier_id else ""
    sql = f"""
        SELECT c.id AS source_id, c.supplier_id, COALESCE(a.number, 'AS-' || a.id) AS reference,
               o.number AS order_number,
               COALESCE((SELECT k.code FROM {_table(CaseLine)} cl JOIN {_table(SKU)} k ON k.id = cl.sku_id
                         WHERE cl.case_id = a.id ORDER BY cl.id LIMIT 1), '') AS sku_code,
               left(c.description, 300) AS description, 0 AS quantity, NULL::numeric AS unit_cost,
               c.amount, c.date AS item_date
        FROM {_table(SupplierCharge)} c
        JOIN {_table(AftersalesCase)} a ON a.id = c.case_id
        JOIN {_table(Order)} o ON o.id = a.order_id
        WHERE c.reconciliation_status = %(charge_open)s AND c.statement_id IS NULL{only}"""  # noqa: S608 - table names from model meta, values are parameters
    return sql, {"supplier": supplier_id, "charge_open": str(ReconciliationStatus.OPEN)}
