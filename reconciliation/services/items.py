"""Collecting reconcilable items from their sources: drop-ship lines, goods receipts, after-sales charges."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction

from aftersales.selectors_reconciliation import supplier_charges_sql
from fulfillment.selectors_reconciliation import drop_ship_lines_sql
from inventory.selectors_reconciliation import receipts_sql
from reconciliation.choices import ItemKind, ItemStatus
from reconciliation.models import ReconcilableItem
from reconciliation.services._common import _table

# Each kind: the item column holding its source row, and the owning app's SELECT of the rows to collect.
SOURCES = {
    ItemKind.DROP_SHIP: ("shipment_line_id", drop_ship_lines_sql),
    ItemKind.RECEIPT: ("stock_movement_id", receipts_sql),
    ItemKind.AFTERSALES: ("supplier_charge_id", supplier_charges_sql),
}

# What was collected before is read once (a materialized CTE): an anti-join straight against the table
# being inserted into can turn quadratic when its statistics are stale (the first large collection).
# The source CTE is referenced once, so PostgreSQL inlines it into the INSERT's SELECT.
_COLLECT_SQL = """
WITH done AS MATERIALIZED (SELECT {col} AS source_id FROM {item} WHERE {col} IS NOT NULL),
src AS ({source})
INSERT INTO {item} (supplier_id, kind, {col}, reference, order_number, sku_code,
                    description, quantity, unit_cost, amount, item_date, status, created_at)
SELECT src.supplier_id, %(kind)s, src.source_id, src.reference, src.order_number, src.sku_code,
       src.description, src.quantity, src.unit_cost, src.amount, src.item_date, %(open)s, now()
FROM src
WHERE NOT EXISTS (SELECT 1 FROM done WHERE done.source_id = src.source_id)
ON CONFLICT ({col}) DO NOTHING"""


def items_collect(*, supplier_id: int | None = None) -> dict[str, int]:
    """Add every reconcilable source row not collected yet; returns how many of each kind were added.

    Idempotent (INSERT ... SELECT ... ON CONFLICT DO NOTHING). Drop-ship lines are valued at the supplier's
    agreed cost now (a snapshot: later price changes do not change what was shipped). Run by beat every few
    minutes and before a statement is built.
    """
    item = _table(ReconcilableItem)
    added = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for kind, (column, source_sql) in SOURCES.items():
            source, params = source_sql(supplier_id=supplier_id, tz=settings.TIME_ZONE)
            sql = _COLLECT_SQL.format(col=column, item=item, source=source)
            cursor.execute(sql, {**params, "kind": str(kind), "open": str(ItemStatus.OPEN)})
            added[str(kind)] = cursor.rowcount
    return added
