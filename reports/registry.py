"""The reports: each computes a table (and the chart drawn from it) for the shared filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import F, Q, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.models import DailyAmountBucket, DailyOrderStat
from reports.summaries import _bounds, value_band_labels

TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
ZERO = Decimal("0.00")


@dataclass
class ReportResult:
    columns: list[str]
    rows: list[list[Any]]
    chart: dict | None = None
    notes: list[str] = field(default_factory=list)
    uses_summary: bool = False


@dataclass(frozen=True)
class Filters:
    date_from: date
    date_to: date
    channel: int | None = None
    warehouse: int | None = None
    granularity: str = "day"


def _aov(amount: Decimal, orders: int) -> Decimal:
    return (amount / orders).quantize(Decimal("0.01")) if orders else ZERO


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal("0.0")


def _stats(f: Filters):
    qs = DailyOrderStat.objects.filter(day__range=(f.date_from, f.date_to))
    if f.channel:
        qs = qs.filter(channel_id=f.channel)
    return qs


def _channel_names() -> dict[int, str]:
    from orders.models import Channel

    return dict(Channel.objects.values_list("pk", "name"))


def volume(f: Filters) -> ReportResult:
    """Orders and amount over time (day / week / month), with the average order value."""
    rows = (
        _stats(f)
        .annotate(period=TRUNC[f.granularity]("day"))
        .values("period")
        .annotate(orders=Sum("orders"), cancelled=Sum("cancelled"), amount=Sum("amount"), units=Sum("units"))
        .order_by("period")
    )
    table = []
    for r in rows:
        kept = r["orders"] - r["cancelled"]
        table.append(
            [r["period"], r["orders"], r["cancelled"], r["amount"], r["units"], _aov(r["amount"], kept)]
        )
    return ReportResult(
        columns=[_("Period"), _("Orders"), _("Cancelled"), _("Amount"), _("Units"), _("Average order value")],
        rows=table,
        chart={
            "type": "bar",
            "labels": [str(r[0]) for r in table],
            "datasets": [
                {"label": str(_("Orders")), "data": [r[1] for r in table]},
                {
                    "label": str(_("Amount")),
                    "data": [float(r[3]) for r in table],
                    "type": "line",
                    "yAxisID": "y1",
                },
            ],
        },
        uses_summary=True,
    )


def value_distribution(f: Filters) -> ReportResult:
    """How many orders fall in each value band, and the average order value."""
    qs = DailyAmountBucket.objects.filter(day__range=(f.date_from, f.date_to))
    if f.channel:
        qs = qs.filter(channel_id=f.channel)
    counts = dict(qs.values("bucket").annotate(n=Sum("orders")).values_list("bucket", "n"))
    labels = value_band_labels()
    total = sum(counts.values())
    table = [[label, counts.get(i, 0), _share(counts.get(i, 0), total)] for i, label in enumerate(labels)]
    totals = _stats(f).aggregate(orders=Sum("orders"), cancelled=Sum("cancelled"), amount=Sum("amount"))
    kept = (totals["orders"] or 0) - (totals["cancelled"] or 0)
    return ReportResult(
        columns=[_("Order value"), _("Orders"), _("Share %")],
        rows=table,
        chart={
            "type": "bar",
            "labels": labels,
            "datasets": [{"label": str(_("Orders")), "data": [r[1] for r in table]}],
        },
        notes=[
            str(
                _("Average order value: %(aov)s over %(n)s orders.")
                % {"aov": _aov(totals["amount"] or ZERO, kept), "n": kept}
            )
        ],
        uses_summary=True,
    )


def channels(f: Filters) -> ReportResult:
    """Orders by channel."""
    names = _channel_names()
    rows = list(
        _stats(f)
        .values("channel_id")
        .annotate(orders=Sum("orders"), cancelled=Sum("cancelled"), amount=Sum("amount"))
        .order_by("-orders")
    )
    total = sum(r["orders"] for r in rows)
    table = [
        [
            names.get(r["channel_id"], r["channel_id"]),
            r["orders"],
            r["cancelled"],
            r["amount"],
            _aov(r["amount"], r["orders"] - r["cancelled"]),
            _share(r["orders"], total),
        ]
        for r in rows
    ]
    return ReportResult(
        columns=[
            _("Channel"),
            _("Orders"),
            _("Cancelled"),
            _("Amount"),
            _("Average order value"),
            _("Share %"),
        ],
        rows=table,
        chart={
            "type": "doughnut",
            "labels": [str(r[0]) for r in table],
            "datasets": [{"label": str(_("Orders")), "data": [r[1] for r in table]}],
        },
        uses_summary=True,
    )


def provinces(f: Filters) -> ReportResult:
    """Geographic distribution of orders by province."""
    rows = list(
        _stats(f)
        .values("province")
        .annotate(orders=Sum("orders"), amount=Sum("amount"))
        .order_by("-orders", "province")
    )
    total = sum(r["orders"] for r in rows)
    table = [[r["province"], r["orders"], r["amount"], _share(r["orders"], total)] for r in rows]
    return ReportResult(
        columns=[_("Province"), _("Orders"), _("Amount"), _("Share %")],
        rows=table,
        chart={
            "type": "bar",
            "labels": [r[0] for r in table[:20]],
            "datasets": [{"label": str(_("Orders")), "data": [r[1] for r in table[:20]]}],
        },
        uses_summary=True,
    )


def promotion(f: Filters) -> ReportResult:
    """Promotion-tagged orders against the baseline: volume, value, average order value, cancellations."""
    rows = {
        r["is_promotion"]: r
        for r in _stats(f)
        .values("is_promotion")
        .annotate(orders=Sum("orders"), cancelled=Sum("cancelled"), amount=Sum("amount"), units=Sum("units"))
    }
    empty = {"orders": 0, "cancelled": 0, "amount": ZERO, "units": 0}
    base, promo = rows.get(False, empty), rows.get(True, empty)
    table = []
    for label, r in ((_("Baseline"), base), (_("Promotion"), promo)):
        kept = r["orders"] - r["cancelled"]
        table.append(
            [
                label,
                r["orders"],
                r["amount"],
                _aov(r["amount"], kept),
                (Decimal(r["units"]) / kept).quantize(Decimal("0.01")) if kept else ZERO,
                _share(r["cancelled"], r["orders"]),
            ]
        )
    notes = []
    if table[0][3] and table[1][1]:
        uplift = ((table[1][3] - table[0][3]) * 100 / table[0][3]).quantize(Decimal("0.1"))
        notes.append(
            str(
                _("Promotion orders' average value is %(uplift)s%% against the baseline.")
                % {"uplift": f"{uplift:+}"}
            )
        )
    daily = _stats(f).values("day", "is_promotion").annotate(orders=Sum("orders")).order_by("day")
    days = sorted({r["day"] for r in daily})
    by = {(r["day"], r["is_promotion"]): r["orders"] for r in daily}
    return ReportResult(
        columns=[
            _("Orders"),
            _("Count"),
            _("Amount"),
            _("Average order value"),
            _("Units per order"),
            _("Cancelled %"),
        ],
        rows=table,
        chart={
            "type": "line",
            "labels": [str(d) for d in days],
            "datasets": [
                {"label": str(_("Baseline")), "data": [by.get((d, False), 0) for d in days]},
                {"label": str(_("Promotion")), "data": [by.get((d, True), 0) for d in days]},
            ],
        },
        notes=notes,
        uses_summary=True,
    )


def repurchase(f: Filters) -> ReportResult:
    """Customer repurchase rate: of the customers who ordered in the period, how many ordered again."""
    start, end = _bounds(f.date_from, f.date_to)
    params: list[Any] = [start, end]
    channel_sql = ""
    if f.channel:
        channel_sql = " AND channel_id = %s"
        params.append(f.channel)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COUNT(*), COUNT(*) FILTER (WHERE n >= 2), COUNT(*) FILTER (WHERE n >= 3), COALESCE(SUM(n), 0)
            FROM (SELECT customer_id, COUNT(*) AS n FROM orders_order
                  WHERE placed_at >= %s AND placed_at < %s AND status <> 'cancelled'{channel_sql}
                  GROUP BY customer_id) c
            """,  # noqa: S608 - channel_sql is a fixed fragment, values are parameters
            params,
        )
        customers, twice, thrice, orders = cursor.fetchone()
    table = [
        [_("Customers who ordered"), customers, Decimal("100.0") if customers else Decimal("0.0")],
        [_("Ordered twice or more"), twice, _share(twice, customers)],
        [_("Ordered three times or more"), thrice, _share(thrice, customers)],
        [
            _("Orders per customer"),
            orders,
            (Decimal(orders) / customers).quantize(Decimal("0.01")) if customers else ZERO,
        ],
    ]
    return ReportResult(
        columns=[_("Measure"), _("Count"), _("Rate %")],
        rows=table,
        chart={
            "type": "bar",
            "labels": [str(r[0]) for r in table[:3]],
            "datasets": [{"label": str(_("Customers")), "data": [r[1] for r in table[:3]]}],
        },
    )


def inventory(f: Filters) -> ReportResult:
    """Days of cover, turnover, stock-outs and slow movers per SKU × warehouse (shipments of the last 28 days)."""
    from inventory.models import StockLevel

    since = timezone.now() - timedelta(days=28)
    qs = StockLevel.objects.select_related("sku", "warehouse").annotate(
        shipped_28=Sum(
            "sku__movements__quantity",
            filter=Q(
                sku__movements__kind="shipment",
                sku__movements__created_at__gte=since,
                sku__movements__warehouse=F("warehouse"),
            ),
        ),
    )
    if f.warehouse:
        qs = qs.filter(warehouse_id=f.warehouse)
    table = []
    stockouts = slow = 0
    for level in qs.order_by("available", "sku__code")[:2000]:
        shipped = -(level.shipped_28 or 0)
        per_day = Decimal(shipped) / 28
        cover = (Decimal(level.available) / per_day).quantize(Decimal("0.1")) if per_day else None
        turnover = (Decimal(shipped) / level.on_hand).quantize(Decimal("0.01")) if level.on_hand else None
        state = ""
        if level.available <= 0:
            state = str(_("Stock-out"))
            stockouts += 1
        elif shipped == 0 and level.on_hand > 0:
            state = str(_("Slow mover"))
            slow += 1
        table.append(
            [
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
        )
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


@dataclass(frozen=True)
class Report:
    key: str
    title: Any
    description: Any
    compute: Any
    uses_warehouse: bool = False
    uses_granularity: bool = False


REPORTS: list[Report] = [
    Report(
        "volume",
        _("Order volume and amount"),
        _("Orders and amount over time, with average order value"),
        volume,
        uses_granularity=True,
    ),
    Report(
        "value",
        _("Order value distribution"),
        _("How many orders fall in each value band"),
        value_distribution,
    ),
    Report("channels", _("Orders by channel"), _("Volume, amount and share of each channel"), channels),
    Report("provinces", _("Orders by province"), _("Where the orders go"), provinces),
    Report("promotion", _("Promotion effect"), _("Promotion-tagged orders against the baseline"), promotion),
    Report("repurchase", _("Customer repurchase"), _("How many customers order again"), repurchase),
    Report(
        "inventory",
        _("Inventory analysis"),
        _("Days of cover, turnover, stock-outs and slow movers"),
        inventory,
        uses_warehouse=True,
    ),
]


def extra_reports() -> list[Report]:
    """Reports over fulfilment, after-sales and suppliers, once those apps have their data."""
    from reports import registry_extra

    return registry_extra.available()


def all_reports() -> list[Report]:
    return REPORTS + extra_reports()


def get_report(key: str) -> Report | None:
    return next((r for r in all_reports() if r.key == key), None)
