"""Reads of purchase orders, stock counts and transfers that the screens, PDFs and check_stock share."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum

from inventory.choices import PO_OPEN_STATUSES, TransferStatus
from inventory.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    StockCount,
    StockCountLine,
    StockLevel,
    StockTransfer,
    StockTransferLine,
)


def purchase_orders_list(
    *, q: str = "", status: str = "", supplier_id: int | None = None, warehouse_id: int | None = None
) -> QuerySet[PurchaseOrder]:
    """Purchase orders, newest first, with their totals (one query per page)."""
    qs = PurchaseOrder.objects.select_related("supplier", "warehouse").annotate(
        line_count=Count("lines"),
        ordered=Sum("lines__quantity_ordered"),
        received=Sum("lines__quantity_received"),
        total=Sum(
            ExpressionWrapper(
                F("lines__quantity_ordered") * F("lines__unit_cost"),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        ),
    )
    if q:
        qs = qs.filter(
            Q(number__icontains=q) | Q(supplier__name__icontains=q) | Q(lines__sku__code__iexact=q)
        ).distinct()
    if status:
        qs = qs.filter(status=status)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    return qs.order_by("-created_at", "-pk")


def purchase_order_lines(po: PurchaseOrder) -> list[PurchaseOrderLine]:
    return list(po.lines.select_related("sku__product").order_by("pk"))


def stock_counts_list(*, status: str = "", warehouse_id: int | None = None) -> QuerySet[StockCount]:
    qs = StockCount.objects.select_related("warehouse", "created_by", "approved_by").annotate(
        line_count=Count("lines"),
        varied=Count("lines", filter=~Q(lines__counted=F("lines__expected"))),
    )
    if status:
        qs = qs.filter(status=status)
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    return qs.order_by("-created_at", "-pk")


def stock_count_lines(count: StockCount, *, only_varied: bool = False) -> QuerySet[StockCountLine]:
    qs = count.lines.select_related("sku__product").order_by("sku__code")
    if only_varied:
        qs = qs.exclude(counted=F("expected"))
    return qs


def transfers_list(*, status: str = "", warehouse_id: int | None = None) -> QuerySet[StockTransfer]:
    qs = StockTransfer.objects.select_related("from_warehouse", "to_warehouse").annotate(
        line_count=Count("lines"), units=Sum("lines__quantity")
    )
    if status:
        qs = qs.filter(status=status)
    if warehouse_id:
        qs = qs.filter(Q(from_warehouse_id=warehouse_id) | Q(to_warehouse_id=warehouse_id))
    return qs.order_by("-created_at", "-pk")


def transfer_lines(transfer: StockTransfer) -> list[StockTransferLine]:
    return list(transfer.lines.select_related("sku__product").order_by("pk"))


# --- check_stock: on order and in transit explained by the documents ---------------------------


@dataclass(frozen=True)
class PipelineDrift:
    sku_code: str
    warehouse_code: str
    on_order: int
    expected_on_order: int
    in_transit: int
    expected_in_transit: int

    def describe(self) -> str:
        parts = []
        if self.on_order != self.expected_on_order:
            parts.append(
                f"on_order {self.on_order} but sent purchase orders leave {self.expected_on_order} to come"
            )
        if self.in_transit != self.expected_in_transit:
            parts.append(
                f"in_transit {self.in_transit} but shipped transfers carry {self.expected_in_transit}"
            )
        return f"{self.sku_code} @ {self.warehouse_code}: " + "; ".join(parts)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def pipeline_drift() -> list[PipelineDrift]:
    """Stock levels whose on order / in transit differ from the open purchase orders / shipped transfers."""
    sql = f"""
    WITH po AS (
        SELECT l.sku_id, p.warehouse_id, SUM(GREATEST(l.quantity_ordered - l.quantity_received, 0)) AS n
        FROM {_table(PurchaseOrderLine)} l JOIN {_table(PurchaseOrder)} p ON p.id = l.purchase_order_id
        WHERE p.status = ANY(%s) GROUP BY l.sku_id, p.warehouse_id
    ), tr AS (
        SELECT l.sku_id, t.to_warehouse_id AS warehouse_id, SUM(l.quantity) AS n
        FROM {_table(StockTransferLine)} l JOIN {_table(StockTransfer)} t ON t.id = l.transfer_id
        WHERE t.status = %s GROUP BY l.sku_id, t.to_warehouse_id
    )
    SELECT s.code, w.code, v.on_order, COALESCE(po.n, 0), v.in_transit, COALESCE(tr.n, 0)
    FROM {_table(StockLevel)} v
    JOIN inventory_sku s ON s.id = v.sku_id
    JOIN inventory_warehouse w ON w.id = v.warehouse_id
    LEFT JOIN po ON po.sku_id = v.sku_id AND po.warehouse_id = v.warehouse_id
    LEFT JOIN tr ON tr.sku_id = v.sku_id AND tr.warehouse_id = v.warehouse_id
    WHERE v.on_order <> COALESCE(po.n, 0) OR v.in_transit <> COALESCE(tr.n, 0)
    ORDER BY s.code, w.code"""  # noqa: S608 - table names from model meta, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [[str(s) for s in PO_OPEN_STATUSES], str(TransferStatus.SHIPPED)])
        return [PipelineDrift(*row) for row in cursor.fetchall()]
