"""Reads of the inventory app that views, the API, commands and other apps share."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
    Window,
)
from django.utils import timezone

from inventory.choices import AlertStatus, MovementKind, ReservationStatus, StockBucket
from inventory.models import (
    SKU,
    LowStockAlert,
    Reservation,
    StockLevel,
    StockMovement,
    SupplierSKU,
    Warehouse,
)


@dataclass(frozen=True)
class Drift:
    """A StockLevel that its ledger or its reservations do not explain."""

    sku_id: int
    sku_code: str
    warehouse_id: int
    warehouse_code: str
    on_hand: int
    ledger_on_hand: int
    damaged: int
    ledger_damaged: int
    reserved: int
    active_reserved: int

    def describe(self) -> str:
        parts = []
        if self.on_hand != self.ledger_on_hand:
            parts.append(f"on_hand {self.on_hand} but ledger says {self.ledger_on_hand}")
        if self.damaged != self.ledger_damaged:
            parts.append(f"damaged {self.damaged} but ledger says {self.ledger_damaged}")
        if self.reserved != self.active_reserved:
            parts.append(f"reserved {self.reserved} but active reservations hold {self.active_reserved}")
        return f"{self.sku_code} @ {self.warehouse_code}: " + "; ".join(parts)


_DRIFT_SQL = """
WITH ledger AS (
    SELECT sku_id, warehouse_id,
           COALESCE(SUM(quantity) FILTER (WHERE bucket = %s), 0) AS on_hand,
           COALESCE(SUM(quantity) FILTER (WHERE bucket = %s), 0) AS damaged
    FROM inventory_stockmovement GROUP BY sku_id, warehouse_id
), held AS (
    SELECT sku_id, warehouse_id, SUM(quantity) AS reserved
    FROM inventory_reservation WHERE status = %s GROUP BY sku_id, warehouse_id
), pairs AS (
    SELECT sku_id, warehouse_id FROM inventory_stocklevel
    UNION SELECT sku_id, warehouse_id FROM ledger
    UNION SELECT sku_id, warehouse_id FROM held
)
SELECT p.sku_id, s.code, p.warehouse_id, w.code,
       COALESCE(l.on_hand, 0), COALESCE(g.on_hand, 0),
       COALESCE(l.damaged, 0), COALESCE(g.damaged, 0),
       COALESCE(l.reserved, 0), COALESCE(h.reserved, 0)
FROM pairs p
JOIN inventory_sku s ON s.id = p.sku_id
JOIN inventory_warehouse w ON w.id = p.warehouse_id
LEFT JOIN inventory_stocklevel l ON l.sku_id = p.sku_id AND l.warehouse_id = p.warehouse_id
LEFT JOIN ledger g ON g.sku_id = p.sku_id AND g.warehouse_id = p.warehouse_id
LEFT JOIN held h ON h.sku_id = p.sku_id AND h.warehouse_id = p.warehouse_id
WHERE COALESCE(l.on_hand, 0) <> COALESCE(g.on_hand, 0)
   OR COALESCE(l.damaged, 0) <> COALESCE(g.damaged, 0)
   OR COALESCE(l.reserved, 0) <> COALESCE(h.reserved, 0)
ORDER BY s.code, w.code
"""


def stock_drift() -> list[Drift]:
    """Every SKU × warehouse whose stock level differs from its ledger or its active reservations."""
    with connection.cursor() as cursor:
        cursor.execute(_DRIFT_SQL, [StockBucket.SELLABLE, StockBucket.DAMAGED, ReservationStatus.ACTIVE])
        return [Drift(*row) for row in cursor.fetchall()]


def stock_levels_overview(
    *,
    q: str = "",
    warehouse_id: int | None = None,
    category: str = "",
    only_low: bool = False,
    only_in_stock: bool = False,
) -> QuerySet[StockLevel]:
    """SKU × warehouse rows for the stock overview and its exports, with an open-alert flag."""
    qs = StockLevel.objects.select_related("sku__product", "warehouse").annotate(
        has_alert=Exists(
            LowStockAlert.objects.filter(
                sku_id=OuterRef("sku_id"), warehouse_id=OuterRef("warehouse_id"), status=AlertStatus.OPEN
            )
        )
    )
    if q:
        qs = qs.filter(
            Q(sku__code__icontains=q)
            | Q(sku__barcode=q)
            | Q(sku__product__name__icontains=q)
            | Q(sku__name__icontains=q)
        )
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    if category:
        qs = qs.filter(sku__product__category=category)
    if only_low:
        qs = qs.filter(has_alert=True)
    if only_in_stock:
        qs = qs.filter(on_hand__gt=0)
    return qs.order_by("sku__code", "warehouse__priority", "warehouse__code")


def movements_ledger(
    *,
    sku_id: int | None = None,
    warehouse_id: int | None = None,
    kind: str = "",
    q: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet[StockMovement]:
    qs = StockMovement.objects.select_related("sku__product", "warehouse", "supplier", "by", "location")
    if sku_id:
        qs = qs.filter(sku_id=sku_id)
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(sku__code__icontains=q) | Q(reference__icontains=q) | Q(reason__icontains=q))
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs.order_by("-created_at", "-pk")


def open_alerts() -> QuerySet[LowStockAlert]:
    return (
        LowStockAlert.objects.filter(status=AlertStatus.OPEN)
        .select_related("sku__product", "warehouse")
        .order_by("-opened_at", "-pk")
    )


def sku_by_code_or_barcode(code: str) -> SKU | None:
    code = (code or "").strip()
    if not code:
        return None
    return SKU.objects.select_related("product").filter(Q(code__iexact=code) | Q(barcode=code)).first()


def stock_by_sku_codes(*, codes: list[str]) -> dict[str, dict]:
    """Sellable quantity per SKU code and per active warehouse (channel stock API)."""
    skus = {s.code: s for s in SKU.objects.filter(code__in=codes)}
    result: dict[str, dict] = {}
    levels = (
        StockLevel.objects.filter(sku__code__in=codes, warehouse__is_active=True)
        .select_related("warehouse")
        .order_by("warehouse__priority", "warehouse__code")
    )
    per_sku: dict[int, list[StockLevel]] = {}
    for lv in levels:
        per_sku.setdefault(lv.sku_id, []).append(lv)
    for code in codes:
        sku = skus.get(code)
        if sku is None:
            continue
        rows = per_sku.get(sku.pk, [])
        sellable = sum(max(lv.available, 0) for lv in rows) if sku.is_sellable else 0
        result[code] = {
            "sku": code,
            "sellable": sellable,
            "warehouses": [
                {"code": lv.warehouse.code, "sellable": max(lv.available, 0) if sku.is_sellable else 0}
                for lv in rows
            ],
        }
    return result


def sku_stock_history(*, sku_id: int, limit: int = 300) -> list[dict]:
    """On hand (all warehouses) after each of the latest ``limit`` movements: the stock-over-time chart.

    The running total is a window over the whole ledger, so it is right however long the ledger is.
    """
    rows = (
        StockMovement.objects.filter(sku_id=sku_id, bucket=StockBucket.SELLABLE)
        .annotate(running=Window(Sum("quantity"), order_by=[F("created_at").asc(), F("pk").asc()]))
        .order_by("-created_at", "-pk")
        .values_list("created_at", "running")[:limit]
    )
    return [
        {"at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"), "on_hand": running}
        for at, running in reversed(list(rows))
    ]


def active_warehouses() -> QuerySet[Warehouse]:
    return Warehouse.objects.filter(is_active=True).order_by("priority", "code")


# --- Replenishment ---------------------------------------------------------------------------

REVIEW_PERIOD_DAYS = 7  # how long an order has to last until the next purchase review


@dataclass
class Suggestion:
    """What to buy from a supplier for one SKU, and the figures behind it."""

    supplier_id: int
    supplier_code: str
    supplier_name: str
    supplier_sku_code: str
    sku_id: int
    sku_code: str
    sku_name: str
    lead_time_days: int
    min_order_qty: int
    unit_cost: object
    shipped_7: int
    shipped_28: int
    avg_7: float
    avg_28: float
    daily_demand: float
    on_hand: int
    reserved: int
    available: int
    on_order: int
    safety_stock: int
    target: int
    suggested: int

    @property
    def line_total(self):
        return self.unit_cost * self.suggested


def replenishment_suggestions(
    *, supplier_id: int | None = None, include_zero: bool = False
) -> list[Suggestion]:
    """Per supplier and SKU: how much to order so stock lasts the lead time plus a review period.

    daily demand = the larger of the 7- and 28-day average of shipped units (a rising trend shows
    in the 7-day figure first); target = ceil(daily demand × (lead time + review period)) + safety
    stock; suggested = target − (available + on order), rounded up to the minimum order quantity.
    One supplier per SKU: the preferred one, else the cheapest. Drop-ship SKUs are left out
    (the supplier ships them itself). Three queries, whatever the number of SKUs.
    """
    chosen = _replenishment_suppliers(supplier_id=supplier_id)
    sku_ids = list(chosen)
    stock = _stock_totals(sku_ids)
    shipped = _shipped_totals(sku_ids)
    suggestions = []
    for sku_id, link in chosen.items():
        suggestion = _suggestion(link, stock.get(sku_id, {}), shipped.get(sku_id, {}))
        if suggestion.suggested == 0 and not include_zero:
            continue
        suggestions.append(suggestion)
    suggestions.sort(key=lambda s: (s.supplier_code, s.sku_code))
    return suggestions


def _replenishment_suppliers(*, supplier_id: int | None) -> dict[int, SupplierSKU]:
    """sku_id -> the supplier link to buy it from (preferred, else cheapest); drop-ship links left out."""
    links = (
        SupplierSKU.objects.filter(is_drop_ship=False, supplier__is_active=True)
        .select_related("supplier", "sku__product")
        .order_by("sku_id", "-is_preferred", "cost", "supplier__code")
    )
    chosen: dict[int, SupplierSKU] = {}
    for link in links:
        chosen.setdefault(link.sku_id, link)
    if supplier_id:
        chosen = {k: v for k, v in chosen.items() if v.supplier_id == supplier_id}
    return chosen


def _stock_totals(sku_ids: list[int]) -> dict[int, dict]:
    """sku_id -> on hand, reserved, on order and safety stock summed over active warehouses."""
    return {
        row["sku_id"]: row
        for row in StockLevel.objects.filter(sku_id__in=sku_ids, warehouse__is_active=True)
        .values("sku_id")
        .annotate(
            on_hand=Sum("on_hand"),
            reserved=Sum("reserved"),
            on_order=Sum("on_order"),
            safety=Sum("safety_stock"),
        )
    }


def _shipped_totals(sku_ids: list[int]) -> dict[int, dict]:
    """sku_id -> units shipped in the last 28 days (``s28``) and the last 7 days (``s7``)."""
    now = timezone.now()
    return {
        row["sku_id"]: row
        for row in StockMovement.objects.filter(
            sku_id__in=sku_ids, kind=MovementKind.SHIPMENT, created_at__gte=now - timedelta(days=28)
        )
        .values("sku_id")
        .annotate(
            s28=Sum(-F("quantity")),
            s7=Sum(
                Case(
                    When(created_at__gte=now - timedelta(days=7), then=-F("quantity")),
                    default=0,
                    output_field=IntegerField(),
                )
            ),
        )
    }


def _suggestion(link: SupplierSKU, st: dict, sh: dict) -> Suggestion:
    """The purchase suggestion for one SKU from its stock totals ``st`` and shipped totals ``sh``."""
    s7, s28 = sh.get("s7") or 0, sh.get("s28") or 0
    avg7, avg28 = s7 / 7, s28 / 28
    daily = max(avg7, avg28)
    on_hand, reserved = st.get("on_hand") or 0, st.get("reserved") or 0
    on_order, safety = st.get("on_order") or 0, st.get("safety") or 0
    target = math.ceil(daily * (link.lead_time_days + REVIEW_PERIOD_DAYS)) + safety
    return Suggestion(
        supplier_id=link.supplier_id,
        supplier_code=link.supplier.code,
        supplier_name=link.supplier.name,
        supplier_sku_code=link.supplier_sku_code,
        sku_id=link.sku_id,
        sku_code=link.sku.code,
        sku_name=str(link.sku.product.name) + (f" {link.sku.name}" if link.sku.name else ""),
        lead_time_days=link.lead_time_days,
        min_order_qty=link.min_order_qty,
        unit_cost=link.cost,
        shipped_7=s7,
        shipped_28=s28,
        avg_7=round(avg7, 2),
        avg_28=round(avg28, 2),
        daily_demand=round(daily, 2),
        on_hand=on_hand,
        reserved=reserved,
        available=on_hand - reserved,
        on_order=on_order,
        safety_stock=safety,
        target=target,
        suggested=_order_quantity(target - (on_hand - reserved + on_order), link.min_order_qty),
    )


def _order_quantity(need: int, min_order_qty: int) -> int:
    """What to order for ``need`` units: 0 when nothing is needed, else at least and in steps of the minimum."""
    if need <= 0:
        return 0
    step = max(min_order_qty, 1)
    suggested = max(need, min_order_qty)
    return math.ceil(suggested / step) * step if step > 1 else suggested


# --- Reads the services and other apps need next to the writes -------------------------------


def reservations_made_today(warehouse_ids: list[int]) -> dict[int, int]:
    """warehouse_id -> ACTIVE reservations made today (the allocation planner's measure of load)."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    rows = (
        Reservation.objects.filter(
            warehouse_id__in=warehouse_ids, status=ReservationStatus.ACTIVE, created_at__gte=start
        )
        .values("warehouse_id")
        .annotate(n=Count("pk"))
    )
    counts = {row["warehouse_id"]: row["n"] for row in rows}
    return {wid: counts.get(wid, 0) for wid in warehouse_ids}


def sellable_quantity(*, sku_ids: list[int]) -> dict[int, int]:
    """Available (on hand − reserved) per SKU, summed over active warehouses; 0 for SKUs without stock."""
    rows = (
        StockLevel.objects.filter(sku_id__in=sku_ids, warehouse__is_active=True)
        .values("sku_id")
        .annotate(total=Sum("available"))
    )
    totals = {row["sku_id"]: row["total"] or 0 for row in rows}
    return {sku_id: totals.get(sku_id, 0) for sku_id in sku_ids}


def sku_with_stock() -> QuerySet[SKU]:
    """SKUs for their detail page: product, stock per warehouse, active reservations, suppliers."""
    return SKU.objects.select_related("product").prefetch_related(
        Prefetch(
            "stock_levels",
            queryset=StockLevel.objects.select_related("warehouse").order_by("warehouse__priority"),
        ),
        Prefetch(
            "reservations",
            queryset=Reservation.objects.filter(status=ReservationStatus.ACTIVE).select_related("warehouse"),
            to_attr="active_reservations",
        ),
        "supplier_skus__supplier",
    )


def open_alerts_with_current_stock() -> QuerySet[LowStockAlert]:
    """Open alerts with the SKU × warehouse's available and on-order stock now (the low-stock screen)."""
    current = StockLevel.objects.filter(sku_id=OuterRef("sku_id"), warehouse_id=OuterRef("warehouse_id"))
    return open_alerts().annotate(
        available_now=Subquery(current.values("available")[:1]),
        on_order_now=Subquery(current.values("on_order")[:1]),
    )


def suppliers_by_code() -> QuerySet:
    """Every supplier, by code (the reconciliation balances page)."""
    from inventory.models import Supplier

    return Supplier.objects.order_by("code")


def active_suppliers() -> QuerySet:
    """Suppliers still in business, by code (choices of a new supplier statement)."""
    from inventory.models import Supplier

    return Supplier.objects.filter(is_active=True).order_by("code")


def warehouses_all() -> QuerySet[Warehouse]:
    """Every warehouse, active or not (for filters over past work)."""
    return Warehouse.objects.all()


def sellable_sku_id(code: str) -> int | None:
    """The id of the sellable SKU with exactly this code, or None."""
    return SKU.objects.filter(code=code, is_sellable=True).values_list("pk", flat=True).first()


def skus_search(*, q: str, limit: int = 8) -> list[dict]:
    """SKUs whose code or barcode starts with ``q`` or whose name holds it, with price and sellable stock
    (the manual order form's search-as-you-type)."""
    q = (q or "").strip()
    if not q or "\x00" in q:
        return []
    matches = (
        SKU.objects.filter(
            Q(code__istartswith=q)
            | Q(barcode__startswith=q)
            | Q(product__name__icontains=q)
            | Q(name__icontains=q)
        )
        .select_related("product")
        .order_by("code")[:limit]
    )
    skus = list(matches)
    stock = sellable_quantity(sku_ids=[s.pk for s in skus])
    return [
        {
            "code": s.code,
            "name": f"{s.product.name} {s.name}".strip(),
            "barcode": s.barcode,
            "price": s.price,
            "sellable": max(stock.get(s.pk, 0), 0) if s.is_sellable else 0,
        }
        for s in skus
    ]
