"""Fulfilment reports: paid → shipped → delivered times, and shipments by carrier and warehouse."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from fulfillment.selectors_reports import shipment_carrier_stats, shipment_fulfilment_times
from reports.registry.base import Filters, Report, ReportResult, _hours, register
from reports.summaries import _bounds


def _selector_filters(f: Filters) -> dict:
    start, end = _bounds(f.date_from, f.date_to)
    return {"start": start, "end": end, "channel_id": f.channel, "warehouse_id": f.warehouse}


def fulfilment_time(f: Filters) -> ReportResult:
    """Paid → shipped and shipped → delivered, median and p90 hours, by warehouse and carrier."""
    rows = shipment_fulfilment_times(**_selector_filters(f))
    # Orders delivered with no parcel on record come as one row without a warehouse: counted, times unknown.
    no_parcel = str(_("No parcel recorded"))
    table = [
        [r[0] or no_parcel, r[1] or "—", r[2], _hours(r[3]), _hours(r[4]), r[5], _hours(r[6]), _hours(r[7])]
        for r in rows
    ]
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


def shipments(f: Filters) -> ReportResult:
    """Shipment statistics by carrier and warehouse: shipped, delivered, exceptions, late, cost."""
    rows = shipment_carrier_stats(**_selector_filters(f))
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


register(
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
    extra=True,
)
