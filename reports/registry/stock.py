"""The inventory analysis report: days of cover, turnover, stock-outs and slow movers per SKU × warehouse."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.selectors_reports import stock_levels_with_shipped
from reports.registry.base import Filters, Report, ReportResult, register

STOCK_OUT, SLOW_MOVER = "stock-out", "slow"


def _stock_row(level) -> tuple[list, str | None]:
    """The table row of one stock level, and whether it is a stock-out or a slow mover (else None)."""
    shipped = -(level.shipped_28 or 0)
    per_day = Decimal(shipped) / 28
    cover = (Decimal(level.available) / per_day).quantize(Decimal("0.1")) if per_day else None
    turnover = (Decimal(shipped) / level.on_hand).quantize(Decimal("0.01")) if level.on_hand else None
    kind, state = None, ""
    if level.available <= 0:
        kind, state = STOCK_OUT, str(_("Stock-out"))
    elif shipped == 0 and level.on_hand > 0:
        kind, state = SLOW_MOVER, str(_("Slow mover"))
    row = [
        level.sku.code,
        level.warehouse.code,
        level.on_hand,
        level.available,
        shipped,
        per_day.quantize(Decimal("0.01")),
        cover if cover is not None else "∞",
        turnover if turnover is not None else "—",
        state,
    ]
    return row, kind


def inventory(f: Filters) -> ReportResult:
    """Days of cover, turnover, stock-outs and slow movers per SKU × warehouse (shipments of the last 28 days)."""
    since = timezone.now() - timedelta(days=28)
    table = []
    stockouts = slow = 0
    for level in stock_levels_with_shipped(since=since, warehouse_id=f.warehouse):
        row, kind = _stock_row(level)
        stockouts += kind == STOCK_OUT
        slow += kind == SLOW_MOVER
        table.append(row)
    return ReportResult(
        columns=[
            _("SKU"),
            _("Warehouse"),
            _("On hand"),
            _("Available"),
            _("Shipped (28 days)"),
            _("Per day"),
            _("Days of cover"),
            _("Turnover (28 days)"),
            _("State"),
        ],
        rows=table,
        chart={
            "type": "doughnut",
            "labels": [str(_("Stock-out")), str(_("Slow mover")), str(_("Other"))],
            "datasets": [{"label": str(_("SKUs")), "data": [stockouts, slow, len(table) - stockouts - slow]}],
        },
        notes=[
            str(
                _("%(out)s stock-outs and %(slow)s slow movers among %(n)s SKU × warehouse rows.")
                % {"out": stockouts, "slow": slow, "n": len(table)}
            )
        ],
    )


register(
    Report(
        "inventory",
        _("Inventory analysis"),
        _("Days of cover, turnover, stock-outs and slow movers"),
        inventory,
        uses_warehouse=True,
    ),
)
