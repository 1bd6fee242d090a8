"""Reads shared by the fulfillment screens, PDFs, tasks and the public tracking page."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.core import signing
from django.db.models import (
    Case,
    Count,
    F,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone

from fulfillment.choices import BEFORE_SHIPPED, ShipmentStatus
from fulfillment.intercepts import INTERCEPTING_ORDER_STATUSES
from fulfillment.intercepts import LABELS as INTERCEPTION_LABELS
from fulfillment.models import PackScan, PickWave, Shipment, ShipmentLine, TrackingEvent
from inventory.choices import LocationKind
from inventory.models import Location
from orders.choices import OrderStatus
from orders.models import Order

S = ShipmentStatus
TRACKING_SALT = "fulfillment.tracking"


def interception_row() -> Subquery:
    """The parcel's interception as one annotation (``Shipment.interception`` reads it): the first of its
    orders (cancelled before held) that is held or cancelled while the parcel has not left, as
    ``{id, number, status, reason}``; NULL when nothing stops it. A subquery, so a list stays one query."""
    cancelled_first = Case(When(status=OrderStatus.CANCELLED, then=Value(0)), default=Value(1))
    orders = (
        Order.objects.filter(
            lines__shipment_lines__shipment=OuterRef("pk"),
            lines__shipment_lines__shipment__status__in=BEFORE_SHIPPED,
            status__in=INTERCEPTING_ORDER_STATUSES,
        )
        .order_by(cancelled_first, "pk")
        .values(
            row=JSONObject(
                id="pk",
                number="number",
                status=F("status"),  # the column, not a value
                reason=Case(When(status=OrderStatus.CANCELLED, then="cancel_reason"), default="hold_reason"),
            )
        )[:1]
    )
    return Subquery(orders, output_field=JSONField())


def shipments_list() -> QuerySet[Shipment]:
    """Shipments for list screens: one query for the rows, related rows joined, the interception flag."""
    return Shipment.objects.select_related(
        "order", "warehouse", "supplier", "carrier_service__carrier", "wave"
    ).annotate(units=Sum("lines__quantity"), interception_row=interception_row())


def shipment_detail(shipment_id: int) -> Shipment:
    """One parcel for its page: order, carrier, lines with their SKUs, and the interception flag."""
    return (
        Shipment.objects.select_related("order", "warehouse", "supplier", "carrier_service__carrier")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ShipmentLine.objects.select_related("sku__product", "order_line").order_by("pk"),
            )
        )
        .annotate(interception_row=interception_row())
        .get(pk=shipment_id)
    )


def shipments_filtered(
    *,
    q: str = "",
    status: str = "",
    warehouse=None,
    late: bool = False,
    supplier=None,
    drop_ship: bool = False,
) -> QuerySet[Shipment]:
    """The shipment list's rows, newest first: ``q`` is a parcel, tracking or order number; ``supplier``
    and ``drop_ship`` keep the parcels suppliers ship themselves."""
    qs = shipments_list().order_by("-created_at", "-pk")
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(number__iexact=q) | Q(tracking_number=q) | Q(lines__order_line__order__number__iexact=q)
        ).distinct()
    if status:
        qs = qs.filter(status=status)
    if warehouse:
        qs = qs.filter(warehouse=warehouse)
    if late:
        qs = qs.filter(is_late=True)
    if supplier:
        qs = qs.filter(supplier=supplier, is_drop_ship=True)
    if drop_ship:
        qs = qs.filter(is_drop_ship=True)
    return qs


def shipment_just_shipped(shipment_id: int) -> Shipment | None:
    """The parcel just shipped (its slip is the next thing to print), if it is shipped."""
    return Shipment.objects.filter(pk=shipment_id, status=S.SHIPPED).first()


def waves_today(*, warehouse_id: int | None = None) -> QuerySet[PickWave]:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    qs = PickWave.objects.filter(created_at__gte=start).select_related("warehouse", "carrier")
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    intercepted = Q(
        shipments__status__in=BEFORE_SHIPPED,
        shipments__lines__order_line__order__status__in=INTERCEPTING_ORDER_STATUSES,
    )
    return qs.annotate(
        parcels=Count("shipments", distinct=True),
        intercepted=Count("shipments", distinct=True, filter=intercepted),
    )


def pending_by_warehouse_carrier() -> list[dict]:
    """Today's work: pending parcels per warehouse × carrier (what a wave would take)."""
    return list(
        Shipment.objects.filter(status=S.PENDING, wave__isnull=True, is_drop_ship=False)
        .values(
            "warehouse_id",
            "warehouse__code",
            "warehouse__name",
            "carrier_service__carrier_id",
            "carrier_service__carrier__name",
        )
        .annotate(parcels=Count("pk"), urgent=Count("pk", filter=Q(is_urgent=True)))
        .order_by("warehouse__code", "carrier_service__carrier__name")
    )


def allocated_orders_without_parcels(*, warehouse_id: int | None = None) -> QuerySet:
    """Allocated orders no live (not cancelled) parcel holds yet, in the orders' queue order (priority first)."""
    from orders.models import OrderLineAllocation
    from orders.selectors import QUEUE_ORDER

    qs = Order.objects.filter(status=OrderStatus.ALLOCATED).exclude(
        pk__in=ShipmentLine.objects.exclude(shipment__status=S.CANCELLED).values("order_line__order_id")
    )
    if warehouse_id:
        qs = qs.filter(
            pk__in=OrderLineAllocation.objects.filter(
                warehouse_id=warehouse_id, released_at__isnull=True
            ).values("line__order_id")
        )
    return qs.order_by(*QUEUE_ORDER)


def shipment_for_pack(shipment_id: int) -> Shipment:
    return (
        Shipment.objects.select_related("order", "carrier_service__carrier")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ShipmentLine.objects.select_related("sku__product", "order_line").order_by("pk"),
            )
        )
        .get(pk=shipment_id)
    )


def recent_scans(shipment_id: int, limit: int = 8) -> list[PackScan]:
    return list(PackScan.objects.filter(shipment_id=shipment_id).order_by("-pk")[:limit])


def _bins(warehouse_id: int, sku_ids: set[int]) -> dict[int, tuple[int, str]]:
    """sku_id → (pick sequence, bin code) of its first pick bin in the warehouse."""
    out: dict[int, tuple[int, str]] = {}
    through = Location.skus.through
    rows = (
        through.objects.filter(
            location__warehouse_id=warehouse_id, location__kind=LocationKind.PICK, sku_id__in=sku_ids
        )
        .order_by("location__pick_sequence", "location__code")
        .values_list("sku_id", "location__pick_sequence", "location__code")
    )
    for sku_id, seq, code in rows:
        out.setdefault(sku_id, (seq, code))
    return out


def _intercepted_label(line: ShipmentLine, so_far: str):
    """The sort list's interception mark of a parcel, from its lines' orders already fetched (cancelled wins)."""
    status = line.order_line.order.status
    if line.shipment.status not in BEFORE_SHIPPED or status not in INTERCEPTING_ORDER_STATUSES:
        return so_far
    label = INTERCEPTION_LABELS[OrderStatus(status)]
    return label if status == OrderStatus.CANCELLED or not so_far else so_far


def picklist_data(wave: PickWave) -> tuple[dict, list[dict], list[dict]]:
    """Wave header, consolidated pick rows in walking order, and the per-parcel sort list."""
    lines = list(
        ShipmentLine.objects.filter(shipment__wave=wave)
        .exclude(shipment__status=S.CANCELLED)
        .select_related("sku__product", "shipment", "order_line__order")
        .order_by("shipment_id", "pk")
    )
    bins = _bins(wave.warehouse_id, {line.sku_id for line in lines})
    no_bin = (10**9, "—")
    totals: dict[int, int] = defaultdict(int)
    skus = {}
    parcels: dict[int, dict] = {}
    for line in lines:
        totals[line.sku_id] += line.quantity
        skus[line.sku_id] = line.sku
        parcel = parcels.setdefault(
            line.shipment_id,
            {
                "number": line.shipment.number,
                "orders": set(),
                "lines": [],
                "first": no_bin,
                "intercepted": "",
            },
        )
        parcel["orders"].add(line.order_line.order.number)
        parcel["intercepted"] = _intercepted_label(line, parcel["intercepted"])
        parcel["lines"].append({"sku": line.sku.code, "quantity": line.quantity})
        parcel["first"] = min(parcel["first"], bins.get(line.sku_id, no_bin))
    pick_rows = [
        {
            "location": bins.get(sku_id, no_bin)[1],
            "sku": skus[sku_id].code,
            "name": f"{skus[sku_id].product.name} {skus[sku_id].name}".strip(),
            "quantity": qty,
        }
        for sku_id, qty in sorted(totals.items(), key=lambda kv: (bins.get(kv[0], no_bin), skus[kv[0]].code))
    ]
    parcel_rows = [
        {**p, "orders": " ".join(sorted(p["orders"]))}
        for p in sorted(parcels.values(), key=lambda p: p["first"])
    ]
    header = {
        "number": wave.number,
        "warehouse": str(wave.warehouse),
        "carrier": str(wave.carrier) if wave.carrier else "",
        "cutoff": wave.cutoff_at,
        "parcels": len(parcel_rows),
        "units": sum(totals.values()),
    }
    return header, pick_rows, parcel_rows


def tracking_token(shipment: Shipment) -> str:
    return signing.dumps({"s": shipment.pk}, salt=TRACKING_SALT, compress=True)


def shipment_from_token(token: str) -> Shipment | None:
    max_age = getattr(settings, "FULFILLMENT_TRACKING_LINK_DAYS", 120) * 86400
    try:
        data = signing.loads(token, salt=TRACKING_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return Shipment.objects.filter(pk=data.get("s")).first()


def tracking_link(shipment: Shipment) -> str:
    base = getattr(settings, "OMS_PUBLIC_URL", "").rstrip("/")
    return f"{base}{reverse('tracking-signed', args=[tracking_token(shipment)])}"


def public_tracking(order_number: str, phone_last4: str) -> list[Shipment] | None:
    """The shipments of an order when the phone's last four digits match; None otherwise."""
    order = (
        Order.objects.filter(number__iexact=order_number.strip()).select_related("shipping_address").first()
    )
    if order is None or len(phone_last4) != 4:
        return None
    phones = {order.contact_phone, order.shipping_address.phone}
    if not any(p and p[-4:] == phone_last4 for p in phones):
        return None
    return list(
        Shipment.objects.filter(lines__order_line__order=order)
        .exclude(status=S.CANCELLED)
        .distinct()
        .select_related("carrier_service__carrier")
        .prefetch_related(Prefetch("events", queryset=TrackingEvent.objects.order_by("-occurred_at")))
        .order_by("pk")
    )


def slips_data(*, wave_id: int | None = None, shipment_ids: list[int] | None = None) -> list[dict]:
    """Plain data for shipping slips: order numbers, lines, both addresses, carrier and tracking number."""
    qs = Shipment.objects.exclude(status=S.CANCELLED).select_related(
        "address", "warehouse", "supplier", "carrier_service__carrier"
    )
    if wave_id is not None:
        qs = qs.filter(wave_id=wave_id)
    if shipment_ids is not None:
        qs = qs.filter(pk__in=shipment_ids)
    qs = qs.prefetch_related(
        Prefetch(
            "lines", queryset=ShipmentLine.objects.select_related("sku", "order_line__order").order_by("pk")
        )
    ).order_by("pk")
    slips = []
    for s in qs:
        lines = list(s.lines.all())
        sender = (
            s.supplier.name if s.is_drop_ship and s.supplier else (str(s.warehouse) if s.warehouse else "")
        )
        sender_address = (
            ""
            if s.is_drop_ship
            else " ".join(p for p in [s.warehouse.province, s.warehouse.city, s.warehouse.address] if p)
        )
        slips.append(
            {
                "number": s.number,
                "tracking_number": s.tracking_number,
                "carrier": str(s.carrier_service) if s.carrier_service else "",
                "orders": sorted({line.order_line.order.number for line in lines}),
                "sender": sender,
                "sender_address": sender_address,
                "recipient": s.address.name,
                "recipient_phone": s.address.phone,
                "recipient_address": str(s.address),
                "lines": [
                    {"sku": line.sku.code, "name": line.order_line.name, "quantity": line.quantity}
                    for line in lines
                ],
                "units": sum(line.quantity for line in lines),
                "weight_g": s.weight_g or s.expected_weight_g,
            }
        )
    return slips


def order_parcels_panel(order, request) -> dict:
    """The order page's parcels (registered in FulfillmentConfig.ready): where each one is, in two queries."""
    shipments = list(
        Shipment.objects.filter(lines__order_line__order=order)
        .distinct()
        .select_related("warehouse", "supplier", "carrier_service__carrier")
        .prefetch_related(
            Prefetch("events", queryset=TrackingEvent.objects.order_by("-occurred_at", "-pk")),
        )
        .annotate(interception_row=interception_row())
        .order_by("pk")
    )
    for shipment in shipments:
        events = list(shipment.events.all())
        shipment.last_event = events[0] if events else None
    return {"shipments": shipments}


def public_tracking_for(shipment: Shipment) -> list[Shipment]:
    """One parcel with its carrier and events (newest first), for the signed tracking link."""
    return list(
        Shipment.objects.filter(pk=shipment.pk)
        .select_related("carrier_service__carrier")
        .prefetch_related(Prefetch("events", queryset=TrackingEvent.objects.order_by("-occurred_at")))
    )


def shipped_units_by_order_line(order_id: int) -> dict[int, int] | None:
    """Units that left in parcels (shipped, in transit, delivered) per order line of ``order_id``;
    None when the order has no shipment line at all (it was shipped outside fulfillment, or not yet)."""
    lines = ShipmentLine.objects.filter(order_line__order_id=order_id)
    if not lines.exists():
        return None
    rows = (
        lines.filter(
            shipment__status__in=(ShipmentStatus.SHIPPED, ShipmentStatus.IN_TRANSIT, ShipmentStatus.DELIVERED)
        )
        .values("order_line_id")
        .annotate(units=Sum("shipped_qty"))
    )
    return {row["order_line_id"]: row["units"] or 0 for row in rows}


def shipment_ids_for_orders(order_ids: list[int]) -> list[int]:
    """The parcels (not cancelled) of these orders, in id order: what "print the orders' slips" prints."""
    return list(
        Shipment.objects.filter(order_id__in=order_ids)
        .exclude(status=S.CANCELLED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
