"""The landing page's numbers: live counts for each role, each linking to the list behind it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from aftersales.selectors_reports import cases_open_count
from fulfillment.choices import ShipmentStatus
from fulfillment.selectors_reports import shipments_in_status_count
from inventory.selectors_reports import low_stock_alerts_open_count
from orders.choices import OrderStatus
from orders.selectors_reports import (
    orders_in_status_count,
    orders_late_against_sla_count,
    orders_placed_since_count,
    orders_week_totals,
)
from reconciliation.choices import StatementStatus
from reconciliation.selectors_reports import statements_in_status_count

VIEW_ORDER = "orders.view_order"


@dataclass(frozen=True)
class Tile:
    key: str
    label: Any
    permission: str
    count: Callable[[], int]
    url_name: str
    query: dict | Callable[[], dict]  # the filters of the list behind the number
    tone: str = "primary"  # bootstrap colour when the number is not zero


def _today_start():
    now = timezone.localtime()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def orders_today() -> int:
    return orders_placed_since_count(since=_today_start())


def _week_start():
    return _today_start() - timedelta(days=timezone.localdate().weekday())


def orders_this_week() -> int:
    return orders_placed_since_count(since=_week_start())


def orders_in(*statuses: str) -> Callable[[], int]:
    return lambda: orders_in_status_count(statuses=statuses)


def late_against_sla() -> int:
    """Paid orders not shipped whose channel's SLA has run out (the orders app's own definition)."""
    return orders_late_against_sla_count()


def open_low_stock_alerts() -> int:
    return low_stock_alerts_open_count()


def _order_tiles() -> list[Tile]:
    return [
        Tile("orders_today", _("Orders today"), VIEW_ORDER, orders_today, "orders:list", {"placed": "today"}),
        Tile(
            "orders_week",
            _("Orders this week"),
            VIEW_ORDER,
            orders_this_week,
            "orders:list",
            {"placed": "week"},
        ),
        Tile(
            "awaiting_review",
            _("Awaiting review"),
            VIEW_ORDER,
            orders_in(OrderStatus.ON_REVIEW, OrderStatus.FINANCE_REVIEW),
            "orders:review",
            {},
            "warning",
        ),
        Tile(
            "on_hold",
            _("On hold"),
            VIEW_ORDER,
            orders_in(OrderStatus.ON_HOLD),
            "orders:list",
            {"status": OrderStatus.ON_HOLD.value},
            "warning",
        ),
        Tile(
            "backordered",
            _("Backordered"),
            VIEW_ORDER,
            orders_in(OrderStatus.BACKORDERED),
            "orders:list",
            {"status": OrderStatus.BACKORDERED.value},
            "warning",
        ),
        Tile(
            "late_sla",
            _("Late against SLA"),
            VIEW_ORDER,
            late_against_sla,
            "orders:list",
            {"late": "1"},
            "danger",
        ),
    ]


def _warehouse_tiles() -> list[Tile]:
    return [
        Tile(
            "low_stock",
            _("Low-stock alerts"),
            "inventory.view_lowstockalert",
            open_low_stock_alerts,
            "inventory:alert-list",
            {},
            "danger",
        ),
        Tile(
            "to_pick",
            _("To pick"),
            "fulfillment.view_shipment",
            lambda: shipments_in_status_count(statuses=[ShipmentStatus.PENDING, ShipmentStatus.PICKING]),
            "fulfillment:shipments",
            {"status": ShipmentStatus.PENDING.value},
        ),
        Tile(
            "packed",
            _("Packed, not shipped"),
            "fulfillment.view_shipment",
            lambda: shipments_in_status_count(statuses=[ShipmentStatus.PACKED]),
            "fulfillment:shipments",
            {"status": ShipmentStatus.PACKED.value},
            "warning",
        ),
    ]


def _aftersales_and_finance_tiles() -> list[Tile]:
    return [
        Tile(
            "open_cases",
            _("Open after-sales cases"),
            "aftersales.view_aftersalescase",
            cases_open_count,
            "aftersales:case-list",
            {},
            "warning",
        ),
        Tile(
            "statements",
            _("Statements awaiting approval"),
            "reconciliation.view_supplierstatement",
            lambda: statements_in_status_count(status=StatementStatus.SUBMITTED),
            "reconciliation:statements",
            {"status": StatementStatus.SUBMITTED.value},
            "warning",
        ),
    ]


def tiles() -> list[Tile]:
    return [*_order_tiles(), *_warehouse_tiles(), *_aftersales_and_finance_tiles()]


# The numbers each role acts on come first on its dashboard (the others follow in their usual order).
ROLE_FIRST = {
    "finance_manager": ["statements", "open_cases"],
    "finance": ["statements", "open_cases"],
    "warehouse": ["to_pick", "packed", "low_stock"],
    "operations": ["awaiting_review", "on_hold", "late_sla", "backordered", "open_cases"],
}


def _first_keys(user) -> list[str]:
    from oms.roles import user_roles

    keys: list[str] = []
    for role in user_roles(user):
        keys += [k for k in ROLE_FIRST.get(role.key, []) if k not in keys]
    return keys


def tiles_for(user) -> list[dict]:
    first = _first_keys(user)
    ordered = sorted(tiles(), key=lambda t: first.index(t.key) if t.key in first else len(first))
    shown = []
    for tile in ordered:
        if not user.has_perm(tile.permission):
            continue
        url = reverse(tile.url_name)
        query = tile.query() if callable(tile.query) else tile.query
        if query:
            url = f"{url}?{urlencode(query, doseq=True)}"
        value = tile.count()
        shown.append(
            {
                "key": tile.key,
                "label": tile.label,
                "value": value,
                "url": url,
                "tone": tile.tone if value else "secondary",
            }
        )
    return shown


def _change(now, then) -> Decimal | None:
    """Per cent change against last week; none when last week had nothing to compare with."""
    if not then:
        return None
    return ((Decimal(now) - Decimal(then)) * 100 / Decimal(then)).quantize(Decimal("1"))


def week_against_last(*, now: datetime | None = None) -> dict:
    """Orders and revenue (not cancelled) this week so far, against the same span of last week: one query."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=local.weekday())
    last_start, last_end = start - timedelta(days=7), now - timedelta(days=7)
    row = orders_week_totals(this_week=(start, now), last_week=(last_start, last_end))
    today = local.date()
    url = reverse("reports:detail", args=["volume"])
    query = urlencode(
        {
            "date_from": (today - timedelta(days=today.weekday() + 7 * 7)).isoformat(),  # eight weeks
            "date_to": today.isoformat(),
            "granularity": "week",
        }
    )
    return {
        **row,
        "orders_change": _change(row["orders"], row["orders_before"]),
        "revenue_change": _change(row["revenue"], row["revenue_before"]),
        "url": f"{url}?{query}",
    }
