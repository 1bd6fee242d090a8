"""Reports over fulfilment, after-sales and suppliers (shipments, cases, drop-ship lead times)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _

from reports.summaries import _bounds


def _hours(value) -> Decimal | str:
    return Decimal(str(value)).quantize(Decimal("0.1")) if value is not None else "—"


def _rows(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _shipment_filters(f, alias: str = "s") -> tuple[str, list[Any]]:
    start, end = _bounds(f.date_from, f.date_to)
    sql, params = f" AND {alias}.shipped_at >= %s AND {alias}.shipped_at < %s", [start, end]
    if f.channel:
        sql += " AND o.channel_id = %s"
        params.append(f.channel)
    if f.warehouse:
        sql += f" AND {alias}.warehouse_id = %s"
        params.append(f.warehouse)
    return sql, params


def fulfilment_time(f):
    """Paid → shipped and shipped → delivered, median and p90 hours, by warehouse and carrier."""
    from reports.registry import ReportResult

    where, params = _shipment_filters(f)
    rows = _rows(
        f"""
        SELECT COALESCE(w.name, sup.name, '—'), COALESCE(c.name, '—'), COUNT(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM s.shipped_at - o.paid_at) / 3600),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM s.shipped_at - o.paid_at) / 3600),
               COUNT(s.delivered_at),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM s.delivered_at - s.shipped_at) / 3600),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM s.delivered_at - s.shipped_at) / 3600)
        FROM fulfillment_shipment s
        JOIN orders_order o ON o.id = s.order_id
        LEFT JOIN inventory_warehouse w ON w.id = s.warehouse_id
        LEFT JOIN inventory_supplier sup ON sup.id = s.supplier_id
        LEFT JOIN fulfillment_carrierservice cs ON cs.id = s.carrier_service_id
        LEFT JOIN fulfillment_carrier c ON c.id = cs.carrier_id
        WHERE s.shipped_at IS NOT NULL AND o.paid_at IS NOT NULL {where}
        GROUP BY 1, 2 ORDER BY 1, 2
        """,  # noqa: S608 - fixed fragments, values are parameters
        params,
    )
    table = [[r[0], r[1], r[2], _hours(r[3]), _hours(r[4]), r[5], _hours(r[6]), _hours(r[7])] for r in rows]
    return ReportResult(
        columns=[
            _("Warehouse or supplier"),
            _("Carrier"),
            _("Shipped"),
            _("Paid → shipped, median h"),
            _("p90 h"),
            _("Delivered"),
            _("Shipped → delivered, median h"),
            _("p90 h"),
        ],
        rows=table,
        chart={
            "type": "bar",
            "labels": [f"{r[0]} · {r[1]}" for r in table],
            "datasets": [
                {
                    "label": str(_("Paid → shipped, median h")),
                    "data": [float(r[3]) if r[3] != "—" else 0 for r in table],
                },
                {
                    "label": str(_("Shipped → delivered, median h")),
                    "data": [float(r[6]) if r[6] != "—" else 0 for r in table],
                },
            ],
        },
    )


def shipments(f):
    """Shipment statistics by carrier and warehouse: shipped, delivered, exceptions, late, cost."""
    from reports.registry import ReportResult

    where, params = _shipment_filters(f)
    rows = _rows(
        f"""
        SELECT COALESCE(c.name, '—'), COALESCE(w.name, sup.name, '—'), COUNT(*),
               COUNT(*) FILTER (WHERE s.status = 'delivered'),
               COUNT(*) FILTER (WHERE s.status = 'exception'),
               COUNT(*) FILTER (WHERE s.is_late),
               COALESCE(SUM(s.shipping_cost), 0), COALESCE(AVG(s.shipping_cost), 0)
        FROM fulfillment_shipment s
        JOIN orders_order o ON o.id = s.order_id
        LEFT JOIN inventory_warehouse w ON w.id = s.warehouse_id
        LEFT JOIN inventory_supplier sup ON sup.id = s.supplier_id
        LEFT JOIN fulfillment_carrierservice cs ON cs.id = s.carrier_service_id
        LEFT JOIN fulfillment_carrier c ON c.id = cs.carrier_id
        WHERE s.shipped_at IS NOT NULL {where}
        GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2
        """,  # noqa: S608
        params,
    )
    table = [
        [
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            Decimal(r[6]).quantize(Decimal("0.01")),
            Decimal(r[7]).quantize(Decimal("0.01")),
        ]
        for r in rows
    ]
    return ReportResult(
        columns=[
            _("Carrier"),
            _("Warehouse or supplier"),
            _("Shipped"),
            _("Delivered"),
            _("Exceptions"),
            _("Late"),
            _("Shipping cost"),
            _("Average cost"),
        ],
        rows=table,
        chart={
            "type": "bar",
            "labels": [f"{r[0]} · {r[1]}" for r in table],
            "datasets": [
                {"label": str(_("Shipped")), "data": [r[2] for r in table]},
                {"label": str(_("Exceptions")), "data": [r[4] for r in table]},
            ],
        },
    )


AFTERSALES_GROUPS = {
    # key: (label of the column, SQL of the group, SQL of units shipped in the group for the rate)
    "sku": (_("SKU"), "sku.code", "sl.sku_id = cl.sku_id"),
    "supplier": (_("Supplier"), "COALESCE(sup.name, '—')", None),
    "channel": (_("Channel"), "ch.name", None),
    "reason": (_("Reason"), "r.name", None),
}


def _aftersales_by(group: str):
    label, group_sql, _unused = AFTERSALES_GROUPS[group]

    def compute(f):
        from reports.registry import ReportResult

        start, end = _bounds(f.date_from, f.date_to)
        params: list[Any] = [start, end]
        extra = ""
        if f.channel:
            extra = " AND c.channel_id = %s"
            params.append(f.channel)
        rows = _rows(
            f"""
            WITH per_case AS (
                SELECT {group_sql} AS key, c.id, MAX(c.compensation_total) AS compensation,
                       SUM(cl.quantity) AS units, BOOL_OR(c.case_type IN ('return_refund', 'exchange')) AS is_return
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
            """,  # noqa: S608 - group_sql comes from the fixed table above
            params,
        )
        shipped = _units_shipped(f, group) if group in {"sku", "channel", "supplier"} else {}
        table = []
        for key, cases, units, returns, compensation in rows:
            base = shipped.get(key)
            rate = (Decimal(units) * 100 / base).quantize(Decimal("0.01")) if base else "—"
            table.append(
                [
                    key,
                    cases,
                    units,
                    returns,
                    Decimal(compensation).quantize(Decimal("0.01")),
                    base if base is not None else "—",
                    rate,
                ]
            )
        return ReportResult(
            columns=[
                label,
                _("Cases"),
                _("Units"),
                _("Returns and exchanges"),
                _("Compensation"),
                _("Units shipped"),
                _("After-sales rate %"),
            ],
            rows=table,
            chart={
                "type": "bar",
                "labels": [str(r[0]) for r in table[:20]],
                "datasets": [{"label": str(_("Cases")), "data": [r[1] for r in table[:20]]}],
            },
        )

    return compute


def _units_shipped(f, group: str) -> dict:
    """Units shipped in the period per SKU code, channel name or (preferred) supplier name: the rate's base."""
    start, end = _bounds(f.date_from, f.date_to)
    key_sql = {
        "sku": "sku.code",
        "channel": "ch.name",
        "supplier": "COALESCE(sup.name, '—')",
    }[group]
    params: list[Any] = [start, end]
    extra = ""
    if f.channel:
        extra = " AND o.channel_id = %s"
        params.append(f.channel)
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


def supplier_performance(f):
    """Per supplier: drop-ship parcels and lead time (approved → shipped), and its share of after-sales."""
    from reports.registry import ReportResult

    start, end = _bounds(f.date_from, f.date_to)
    rows = _rows(
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
    table = [
        [
            r[0],
            r[1],
            _hours(r[2]),
            _hours(r[3]),
            r[4],
            Decimal(str(r[5])).quantize(Decimal("0.1")) if r[5] is not None else "—",
            Decimal(r[6]).quantize(Decimal("0.01")),
        ]
        for r in rows
    ]
    return ReportResult(
        columns=[
            _("Supplier"),
            _("Drop-ship parcels"),
            _("Lead time, median h"),
            _("p90 h"),
            _("After-sales cases"),
            _("Share of cases %"),
            _("Supplier's compensation share"),
        ],
        rows=table,
        chart={
            "type": "bar",
            "labels": [r[0] for r in table],
            "datasets": [{"label": str(_("After-sales cases")), "data": [r[4] for r in table]}],
        },
    )


def available() -> list:
    from reports.registry import Report

    return [
        Report(
            "fulfilment-time",
            _("Fulfilment time"),
            _("Paid → shipped and shipped → delivered, median and p90, by warehouse and carrier"),
            fulfilment_time,
            uses_warehouse=True,
        ),
        Report(
            "shipments",
            _("Shipments by carrier and warehouse"),
            _("Shipped, delivered, exceptions, late parcels and shipping cost"),
            shipments,
            uses_warehouse=True,
        ),
        Report(
            "aftersales-sku",
            _("After-sales by SKU"),
            _("Cases, units and after-sales rate per SKU"),
            _aftersales_by("sku"),
        ),
        Report(
            "aftersales-supplier",
            _("After-sales by supplier"),
            _("Cases, units and after-sales rate per supplier"),
            _aftersales_by("supplier"),
        ),
        Report(
            "aftersales-channel",
            _("After-sales by channel"),
            _("Cases, units and after-sales rate per channel"),
            _aftersales_by("channel"),
        ),
        Report(
            "aftersales-reason",
            _("After-sales reasons"),
            _("Cases and units per reason"),
            _aftersales_by("reason"),
        ),
        Report(
            "suppliers",
            _("Supplier performance"),
            _("Drop-ship lead time and share of after-sales per supplier"),
            supplier_performance,
        ),
    ]
