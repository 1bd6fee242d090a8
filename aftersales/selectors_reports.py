"""Reads of after-sales cases for the reports app: cases per group, supplier performance, open cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection

from aftersales.choices import OPEN_STATUSES, RETURN_TYPES
from aftersales.models import AftersalesCase


def _rows(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The key each after-sales breakdown groups cases by (SQL over the joins below).
CASE_GROUP_KEYS = {
    "sku": "sku.code",
    "supplier": "COALESCE(sup.name, '—')",
    "channel": "ch.name",
    "reason": "r.name",
}


def cases_by(*, group: str, start: datetime, end: datetime, channel_id: int | None = None) -> list[tuple]:
    """Per SKU code, supplier, channel or reason name, of the cases opened in [start, end): cases, units,
    return or exchange cases, compensation; most cases first, at most 500 keys."""
    group_sql = CASE_GROUP_KEYS[group]
    return_types = ", ".join(["%s"] * len(RETURN_TYPES))
    params: list[Any] = [*(t.value for t in RETURN_TYPES), start, end]
    extra = ""
    if channel_id:
        extra = " AND c.channel_id = %s"
        params.append(channel_id)
    return _rows(
        f"""
        WITH per_case AS (
            SELECT {group_sql} AS key, c.id, MAX(c.compensation_total) AS compensation,
                   SUM(cl.quantity) AS units, BOOL_OR(c.case_type IN ({return_types})) AS is_return
            FROM aftersales_aftersalescase c
            JOIN aftersales_caseline cl ON cl.case_id = c.id
            JOIN inventory_sku sku ON sku.id = cl.sku_id
            JOIN orders_channel ch ON ch.id = c.channel_id
            LEFT JOIN inventory_supplier sup ON sup.id = c.supplier_id
            LEFT JOIN aftersales_reason r ON r.id = c.reason_id
            WHERE c.created_at >= %s AND c.created_at < %s {extra}
            GROUP BY 1, 2
        )
        SELECT key, COUNT(*), SUM(units), COUNT(*) FILTER (WHERE is_return), SUM(compensation)
        FROM per_case GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 500
        """,  # noqa: S608 - group_sql comes from the fixed table above, values are parameters
        params,
    )


def supplier_performance_rows(*, start: datetime, end: datetime) -> list[tuple]:
    """Per supplier with drop-ship parcels shipped or cases opened in [start, end): name, parcels, lead time
    (approved → shipped) median and p90 hours, cases, share of all cases %, supplier's compensation share.

    One statement over shipments and cases (after-sales sits above fulfilment, so it may read both)."""
    return _rows(
        """
        WITH ds AS (
            SELECT s.supplier_id, COUNT(*) AS parcels,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM s.shipped_at - s.approved_at) / 3600)
                       AS median_h,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM s.shipped_at - s.approved_at) / 3600)
                       AS p90_h
            FROM fulfillment_shipment s
            WHERE s.is_drop_ship AND s.shipped_at >= %s AND s.shipped_at < %s AND s.approved_at IS NOT NULL
            GROUP BY s.supplier_id
        ), cases AS (
            SELECT c.supplier_id, COUNT(*) AS n, COALESCE(SUM(c.supplier_share), 0) AS supplier_share
            FROM aftersales_aftersalescase c
            WHERE c.created_at >= %s AND c.created_at < %s AND c.supplier_id IS NOT NULL
            GROUP BY c.supplier_id
        ), total AS (SELECT COALESCE(SUM(n), 0) AS n FROM cases)
        SELECT sup.name, COALESCE(ds.parcels, 0), ds.median_h, ds.p90_h, COALESCE(cases.n, 0),
               CASE WHEN total.n > 0 THEN COALESCE(cases.n, 0) * 100.0 / total.n END,
               COALESCE(cases.supplier_share, 0)
        FROM inventory_supplier sup
        CROSS JOIN total
        LEFT JOIN ds ON ds.supplier_id = sup.id
        LEFT JOIN cases ON cases.supplier_id = sup.id
        WHERE ds.parcels IS NOT NULL OR cases.n IS NOT NULL
        ORDER BY 5 DESC, 2 DESC, 1
        """,
        [start, end, start, end],
    )


def cases_open_count() -> int:
    return AftersalesCase.objects.filter(status__in=OPEN_STATUSES).count()


def refunds_completed_between(*, start: datetime, end: datetime, channel_id: int | None = None):
    """After-sales refunds and compensations paid out (completed) in [start, end), oldest first, with their
    case and order's channel (the finance journal)."""
    from aftersales.choices import RefundStatus
    from aftersales.models import Refund

    refunds = (
        Refund.objects.filter(status=RefundStatus.COMPLETED, completed_at__gte=start, completed_at__lt=end)
        .select_related("case", "order__channel")
        .order_by("completed_at", "pk")
    )
    if channel_id:
        refunds = refunds.filter(order__channel_id=channel_id)
    return refunds
