"""Order reports read from the daily summaries (volume, value, channels, provinces, promotion) and repurchase."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils.translation import gettext_lazy as _

from orders.selectors_reports import channel_names, customers_repurchase_counts
from reports.models import DailyAmountBucket, DailyOrderStat
from reports.registry.base import ZERO, Filters, Report, ReportResult, _aov, _share, register
from reports.summaries import _bounds, value_band_labels

TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def _stats(f: Filters):
    qs = DailyOrderStat.objects.filter(day__range=(f.date_from, f.date_to))
    if f.channel:
        qs = qs.filter(channel_id=f.channel)
    return qs


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
    names = channel_names()
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


def _promotion_table(f: Filters) -> list[list]:
    """The baseline row, then the promotion row: count, amount, average value, units per order, cancelled %."""
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
    return table


def _promotion_notes(table: list[list]) -> list[str]:
    if not (table[0][3] and table[1][1]):
        return []
    uplift = ((table[1][3] - table[0][3]) * 100 / table[0][3]).quantize(Decimal("0.1"))
    return [
        str(
            _("Promotion orders' average value is %(uplift)s%% against the baseline.")
            % {"uplift": f"{uplift:+}"}
        )
    ]


def _promotion_chart(f: Filters) -> dict:
    """Orders per day, baseline against promotion."""
    daily = _stats(f).values("day", "is_promotion").annotate(orders=Sum("orders")).order_by("day")
    days = sorted({r["day"] for r in daily})
    by = {(r["day"], r["is_promotion"]): r["orders"] for r in daily}
    return {
        "type": "line",
        "labels": [str(d) for d in days],
        "datasets": [
            {"label": str(_("Baseline")), "data": [by.get((d, False), 0) for d in days]},
            {"label": str(_("Promotion")), "data": [by.get((d, True), 0) for d in days]},
        ],
    }


def promotion(f: Filters) -> ReportResult:
    """Promotion-tagged orders against the baseline: volume, value, average order value, cancellations."""
    table = _promotion_table(f)
    notes = _promotion_notes(table)
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
        chart=_promotion_chart(f),
        notes=notes,
        uses_summary=True,
    )


def repurchase(f: Filters) -> ReportResult:
    """Customer repurchase rate: of the customers who ordered in the period, how many ordered again."""
    start, end = _bounds(f.date_from, f.date_to)
    customers, twice, thrice, orders = customers_repurchase_counts(start=start, end=end, channel_id=f.channel)
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


register(
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
)
