"""The landing page's numbers: live counts for each role, each linking to the list behind it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Tile:
    key: str
    label: Any
    permission: str
    count: Callable[[], int]
    url_name: str
    query: dict | Callable[[], dict]  # the filters of the list behind the number
    tone: str = "primary"  # bootstrap colour when the number is not zero


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _orders():
    return _model("orders.Order")


def _today_start():
    now = timezone.localtime()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def orders_today() -> int:
    return _orders().objects.filter(placed_at__gte=_today_start()).count()


def _week_start():
    return _today_start() - timedelta(days=timezone.localdate().weekday())


def orders_this_week() -> int:
    return _orders().objects.filter(placed_at__gte=_week_start()).count()


def orders_in(*statuses: str) -> Callable[[], int]:
    return lambda: _orders().objects.filter(status__in=statuses).count()


def late_against_sla() -> int:
    """Paid orders not shipped whose channel's SLA has run out (the orders app's own definition)."""
    from orders.selectors import late_q, with_sla_deadline

    return with_sla_deadline(_orders().objects.all()).filter(late_q()).count()


def open_low_stock_alerts() -> int:
    return _model("inventory.LowStockAlert").objects.filter(status="open").count()


def _count_if(label: str, **filters) -> Callable[[], int]:
    def count() -> int:
        model = _model(label)
        return model.objects.filter(**filters).count() if model else 0

    return count


def tiles() -> list[Tile]:
    result = [
        Tile(
            "orders_today",
            _("Orders today"),
            "orders.view_order",
            orders_today,
            "orders:list",
            {"placed": "today"},
        ),
        Tile(
            "orders_week",
            _("Orders this week"),
            "orders.view_order",
            orders_this_week,
            "orders:list",
            {"placed": "week"},
        ),
        Tile(
            "awaiting_review",
            _("Awaiting review"),
            "orders.view_order",
            orders_in("on_review", "finance_review"),
            "orders:review",
            {},
            "warning",
        ),
        Tile(
            "on_hold",
            _("On hold"),
            "orders.view_order",
            orders_in("on_hold"),
            "orders:list",
            {"status": "on_hold"},
            "warning",
        ),
        Tile(
            "backordered",
            _("Backordered"),
            "orders.view_order",
            orders_in("backordered"),
            "orders:list",
            {"status": "backordered"},
            "warning",
        ),
        Tile(
            "late_sla",
            _("Late against SLA"),
            "orders.view_order",
            late_against_sla,
            "orders:list",
            {"late": "1"},
            "danger",
        ),
        Tile(
            "low_stock",
            _("Low-stock alerts"),
            "inventory.view_lowstockalert",
            open_low_stock_alerts,
            "inventory:alert-list",
            {},
            "danger",
        ),
    ]
    if _model("fulfillment.Shipment"):
        result += [
            Tile(
                "to_pick",
                _("To pick"),
                "fulfillment.view_shipment",
                _count_if("fulfillment.Shipment", status__in=["pending", "picking"]),
                "fulfillment:shipments",
                {"status": "pending"},
            ),
            Tile(
                "packed",
                _("Packed, not shipped"),
                "fulfillment.view_shipment",
                _count_if("fulfillment.Shipment", status="packed"),
                "fulfillment:shipments",
                {"status": "packed"},
                "warning",
            ),
        ]
    if _model("aftersales.AftersalesCase"):
        from aftersales.choices import OPEN_STATUSES

        result.append(
            Tile(
                "open_cases",
                _("Open after-sales cases"),
                "aftersales.view_aftersalescase",
                _count_if("aftersales.AftersalesCase", status__in=OPEN_STATUSES),
                "aftersales:case-list",
                {},
                "warning",
            )
        )
    if _model("reconciliation.SupplierStatement"):
        result.append(
            Tile(
                "statements",
                _("Statements awaiting approval"),
                "reconciliation.view_supplierstatement",
                _count_if("reconciliation.SupplierStatement", status="submitted"),
                "reconciliation:statements",
                {"status": "submitted"},
                "warning",
            )
        )
    return result


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
    this_week = Q(placed_at__gte=start, placed_at__lt=now)
    last_week = Q(placed_at__gte=last_start, placed_at__lt=last_end)
    kept = ~Q(status="cancelled")
    zero = Decimal("0.00")
    row = (
        _orders()
        .objects.filter(this_week | last_week)
        .aggregate(
            orders=Count("pk", filter=this_week),
            orders_before=Count("pk", filter=last_week),
            revenue=Coalesce(Sum("total", filter=this_week & kept), zero),
            revenue_before=Coalesce(Sum("total", filter=last_week & kept), zero),
        )
    )
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
