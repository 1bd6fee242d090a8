"""The dashboard's chart of the last 7 days: orders (bars) and sales (a line), drawn as inline SVG on the
server (no script, no chart library): the numbers are in the SVG's text too, so it reads without colour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import formats, timezone

from orders.selectors_reports import orders_by_day

WIDTH, HEIGHT = 480, 200
LEFT, RIGHT, TOP, BOTTOM = 10, 10, 24, 40


@dataclass(frozen=True)
class Day:
    day: date
    label: str
    orders: int
    revenue: Decimal
    x: float  # bar's left edge
    bar_width: float
    bar_y: float
    bar_height: float
    line_y: float  # the sales point
    centre: float


def week_chart(*, now=None, days: int = 7) -> dict:
    """The last ``days`` days (today included) with the geometry of each day's bar and sales point."""
    local = timezone.localtime(now or timezone.now())
    first = local.date() - timedelta(days=days - 1)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days - 1)
    totals = orders_by_day(start=start, end=start + timedelta(days=days))
    values = [
        (first + timedelta(days=i), *totals.get(first + timedelta(days=i), (0, Decimal("0.00"))))
        for i in range(days)
    ]
    top_orders = max((v[1] for v in values), default=0) or 1
    top_revenue = max((v[2] for v in values), default=Decimal("0")) or Decimal("1")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / days
    bar_w = slot * 0.55
    out = []
    for i, (day, orders, revenue) in enumerate(values):
        bar_h = plot_h * orders / top_orders
        centre = LEFT + slot * i + slot / 2
        out.append(
            Day(
                day=day,
                label=formats.date_format(day, "m-d"),
                orders=orders,
                revenue=revenue,
                x=round(centre - bar_w / 2, 1),
                bar_width=round(bar_w, 1),
                bar_y=round(TOP + plot_h - bar_h, 1),
                bar_height=round(bar_h, 1),
                line_y=round(TOP + plot_h - float(plot_h * revenue / top_revenue), 1),
                centre=round(centre, 1),
            )
        )
    return {
        "days": out,
        "width": WIDTH,
        "height": HEIGHT,
        "baseline": TOP + plot_h,
        "points": " ".join(f"{d.centre},{d.line_y}" for d in out),
        "total_orders": sum(d.orders for d in out),
        "total_revenue": sum((d.revenue for d in out), Decimal("0.00")),
    }
