"""Every write of the fulfillment app: shipments from allocations, waves, pack scans, shipping, tracking."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fulfillment.carrier_selection import ParcelFacts, carrier_choose
from fulfillment.carriers import LabelRequest, TrackingUpdate, adapter_for
from fulfillment.choices import BEFORE_SHIPPED, ScanResult, ShipmentStatus, TrackingKind, WaveStatus
from fulfillment.exceptions import (
    FulfillmentError,
    QuantityAboveOrdered,
    ShipmentIntercepted,
    ShipmentNotVerified,
    TrackingNumberRequired,
    WaveEmpty,
)
from fulfillment.models import CarrierService, PackScan, PickWave, Shipment, ShipmentLine, TrackingEvent
from inventory.models import SupplierSKU
from oms.audit import run_transition
from oms.db import retry_on_conflict
from oms.exceptions import DomainError
from oms.models import OutboxMessage
from oms.notifications import outbox_enqueue, render_message
from orders.choices import OrderStatus
from orders.models import Order, OrderLine, OrderLineAllocation

S = ShipmentStatus
logger = logging.getLogger(__name__)


def packaging_g() -> int:
    return int(getattr(settings, "FULFILLMENT_PACKAGING_G", 150))


def weight_tolerance_g(expected_g: int) -> int:
    """± this many grams is accepted at the scale: a percentage of the expected weight, at least a floor."""
    pct = float(getattr(settings, "FULFILLMENT_WEIGHT_TOLERANCE_PCT", 10))
    floor = int(getattr(settings, "FULFILLMENT_WEIGHT_TOLERANCE_MIN_G", 50))
    return max(floor, round(expected_g * pct / 100))


def _temp_number() -> str:
    """Unique until the row has its primary key and its real number (set in the same transaction)."""
    return f"T{uuid.uuid4().hex[:19]}"


def _number(prefix: str, pk: int) -> str:
    return f"{prefix}-{pk:06d}"


def lines_signature(lines: list[tuple[int, int, int]]) -> str:
    """A fingerprint of (order line, SKU, quantity): changes when an order line is edited after release."""
    text = ";".join(f"{a}:{b}:{c}" for a, b, c in sorted(lines))
    return hashlib.sha256(text.encode()).hexdigest()


def _current_signature(shipment: Shipment) -> str:
    rows = OrderLine.objects.filter(shipment_lines__shipment=shipment).values_list("pk", "sku_id", "quantity")
    return lines_signature(list(rows))


def _drop_ship_suppliers(sku_ids: set[int]) -> dict[int, int]:
    """sku_id → supplier_id for SKUs a supplier ships itself (the preferred supplier first)."""
    out: dict[int, int] = {}
    rows = (
        SupplierSKU.objects.filter(sku_id__in=sku_ids, is_drop_ship=True, supplier__is_active=True)
        .order_by("sku_id", "-is_preferred", "pk")
        .values_list("sku_id", "supplier_id")
    )
    for sku_id, supplier_id in rows:
        out.setdefault(sku_id, supplier_id)
    return out


def _refresh_expected_weight(shipment: Shipment) -> None:
    total = sum(line.quantity * line.sku.weight_g for line in shipment.lines.select_related("sku"))
    shipment.expected_weight_g = total + packaging_g()


def _choose_carrier(shipment: Shipment) -> None:
    if shipment.carrier_overridden:
        return
    lines = list(shipment.lines.select_related("sku"))
    facts = ParcelFacts(
        province=shipment.province,
        weight_g=shipment.expected_weight_g,
        volume_cm3=sum(line.quantity * line.sku.volume_cm3 for line in lines),
        is_urgent=shipment.is_urgent,
        has_bulky=any(line.sku.is_bulky for line in lines),
    )
    try:
        choice = carrier_choose(facts=facts)
    except FulfillmentError as exc:
        shipment.carrier_service = None
        shipment.carrier_reasons = [exc.message]
        shipment.shipping_cost = None
        return
    shipment.carrier_service = choice.service
    shipment.shipping_cost = choice.price
    shipment.carrier_reasons = choice.reasons


# --------------------------------------------------------------------------------------------
# Shipments from allocations (with 合单 and drop-ship)
# --------------------------------------------------------------------------------------------


@retry_on_conflict
def shipments_create_for_order(*, order_id: int, by=None) -> list[Shipment]:
    """Turn an allocated order into parcels: one per warehouse, drop-ship lines one per supplier.

    A warehouse parcel joins a pending (not yet picked) parcel of the same customer and address in the
    same warehouse (合单) unless either is marked never-merge. The order moves to in fulfillment.
    """
    from orders.services import order_mark_released

    order = Order.objects.select_for_update(of=("self",)).select_related("shipping_address").get(pk=order_id)
    live = Shipment.objects.filter(lines__order_line__order=order).exclude(status=S.CANCELLED)
    if live.exists():
        return list(live.distinct().order_by("pk"))
    never_merge = order.tags.filter(name__in=["never-merge", "不合单"]).exists()
    allocations = list(
        OrderLineAllocation.objects.filter(line__order=order, released_at__isnull=True)
        .select_related("line")
        .order_by("warehouse_id", "line__line_no", "pk")
    )
    drop_ship = _drop_ship_suppliers({a.line.sku_id for a in allocations})
    groups: dict[tuple[str, int], list[OrderLineAllocation]] = defaultdict(list)
    for allocation in allocations:
        supplier_id = drop_ship.get(allocation.line.sku_id)
        key = ("supplier", supplier_id) if supplier_id else ("warehouse", allocation.warehouse_id)
        groups[key].append(allocation)
    shipments = []
    for (kind, target_id), group in sorted(groups.items()):
        shipment = None
        if kind == "warehouse" and not never_merge:
            shipment = (
                Shipment.objects.select_for_update()
                .filter(
                    status=S.PENDING,
                    wave__isnull=True,
                    warehouse_id=target_id,
                    customer_id=order.customer_id,
                    address_key=order.address_key,
                    never_merge=False,
                    is_drop_ship=False,
                )
                .order_by("pk")
                .first()
            )
        if shipment is None:
            shipment = Shipment(
                number=_temp_number(),
                order=order,
                customer_id=order.customer_id,
                address_id=order.shipping_address_id,
                address_key=order.address_key,
                province=order.province,
                warehouse_id=target_id if kind == "warehouse" else group[0].warehouse_id,
                supplier_id=target_id if kind == "supplier" else None,
                is_drop_ship=kind == "supplier",
                never_merge=never_merge,
                status=S.AWAITING_APPROVAL if kind == "supplier" else S.PENDING,
            )
            shipment.save()
            shipment.number = _number("SHP", shipment.pk)
        shipment.priority = max(shipment.priority, order.priority)
        shipment.is_urgent = shipment.is_urgent or order.is_urgent
        ShipmentLine.objects.bulk_create(
            [
                ShipmentLine(
                    shipment=shipment,
                    order_line=a.line,
                    sku_id=a.line.sku_id,
                    quantity=a.quantity,
                    demand_ref=a.demand_ref,
                )
                for a in group
            ]
        )
        _refresh_expected_weight(shipment)
        shipment.release_signature = _current_signature(shipment)
        _choose_carrier(shipment)
        shipment.save()
        shipments.append(shipment)
    if order.status == OrderStatus.ALLOCATED:
        order_mark_released(order_id=order.pk, by=by)
    return shipments


def shipments_create_pending(
    *, warehouse_id: int | None = None, batch_size: int = 100, max_orders: int = 2000, by=None
) -> dict[str, int]:
    """Allocated orders without live parcels become parcels, highest priority first, in batches.

    Each order is its own transaction (a refusal or a conflict skips that order only, logged); safe to
    run twice and concurrently (each order is locked and re-checked). ``warehouse_id``: only orders
    with stock allocated in that warehouse (what a wave there would take).
    """
    from fulfillment.selectors import allocated_orders_without_parcels

    counts = {"orders": 0, "skipped": 0}
    seen: list[int] = []
    while len(seen) < max_orders:
        ids = list(
            allocated_orders_without_parcels(warehouse_id=warehouse_id)
            .exclude(pk__in=seen)
            .values_list("pk", flat=True)[: min(batch_size, max_orders - len(seen))]
        )
        if not ids:
            break
        for order_id in ids:
            seen.append(order_id)
            try:
                shipments_create_for_order(order_id=order_id, by=by)
            except (DomainError, OperationalError) as exc:
                logger.warning("parcels for order %s not created: %s", order_id, exc)
                counts["skipped"] += 1
            else:
                counts["orders"] += 1
    return counts


# --------------------------------------------------------------------------------------------
# Drop-ship: approve, notify the supplier, take its tracking number and quantities
# --------------------------------------------------------------------------------------------


@retry_on_conflict
def shipment_approve_drop_ship(*, shipment_id: int, by=None, note: str = "") -> Shipment:
    shipment = Shipment.objects.select_for_update(of=("self",)).select_related("supplier").get(pk=shipment_id)
    _refuse_if_intercepted(shipment)
    run_transition(shipment, "approve", by=by, note=note)
    shipment.approved_at = timezone.now()
    shipment.save()
    supplier = shipment.supplier
    lines = list(shipment.lines.select_related("sku", "order_line"))
    subject, body = render_message(
        "fulfillment/notifications/drop_ship_request.txt",
        {"shipment": shipment, "lines": lines, "address": shipment.address},
        language="zh-hans",
    )
    outbox_enqueue(
        channel=OutboxMessage.Channel.EMAIL,
        recipient=supplier.email,
        subject=subject,
        body=body,
        language="zh-hans",
        event="fulfillment.drop_ship_request",
        dedupe_key=f"shipment:{shipment.pk}:drop_ship_request",
    )
    return shipment


@retry_on_conflict
def shipment_record_supplier_dispatch(
    *,
    shipment_id: int,
    tracking_number: str,
    quantities: dict[int, int],
    carrier_service_id: int | None = None,
    by=None,
) -> Shipment:
    """The supplier shipped: its tracking number and, per shipment line, how many (never more than ordered).

    The goods left the supplier's shelf, not ours: the warehouse stock the allocation held for these lines is
    released (not consumed), so it can serve other orders.
    """
    from inventory.services import reservation_release

    shipment = Shipment.objects.select_for_update(of=("self",)).get(pk=shipment_id)
    tracking_number = (tracking_number or "").strip()
    if not tracking_number:
        raise TrackingNumberRequired()
    lines = list(shipment.lines.select_related("sku").order_by("pk"))
    for line in lines:
        asked = int(quantities.get(line.pk, line.quantity))
        if asked > line.quantity or asked < 0:
            raise QuantityAboveOrdered(sku=line.sku.code, ordered=line.quantity, asked=asked)
        line.shipped_qty = asked
    run_transition(shipment, "ship_by_supplier", by=by)
    ShipmentLine.objects.bulk_update(lines, ["shipped_qty"])
    refs = sorted({line.demand_ref for line in lines if line.demand_ref})
    if refs:
        reservation_release(
            demand_refs=refs, reason=f"drop-ship {shipment.number}: shipped by the supplier", by=by
        )
    if carrier_service_id:
        shipment.carrier_service_id = carrier_service_id
        shipment.carrier_overridden = True
    shipment.tracking_number = tracking_number
    shipment.shipped_at = timezone.now()
    shipment.save()
    _after_shipped(shipment, by=by)
    return shipment


# --------------------------------------------------------------------------------------------
# Carrier override
# --------------------------------------------------------------------------------------------


@retry_on_conflict
def shipment_override_carrier(
    *, shipment_id: int, carrier_service_id: int, by=None, reason: str = ""
) -> Shipment:
    shipment = Shipment.objects.select_for_update().get(pk=shipment_id)
    if shipment.status not in BEFORE_SHIPPED:
        raise FulfillmentError(
            _("%(number)s has left the warehouse; its carrier cannot change.") % {"number": shipment.number}
        )
    service = CarrierService.objects.select_related("carrier").get(pk=carrier_service_id)
    shipment.carrier_service = service
    shipment.carrier_overridden = True
    shipment.carrier_reasons = [
        _("Chosen by hand by %(user)s: %(reason)s") % {"user": by or _("system"), "reason": reason or "—"}
    ]
    shipment.shipping_cost = None
    shipment.save()
    return shipment


# --------------------------------------------------------------------------------------------
# Waves
# --------------------------------------------------------------------------------------------


def wave_build(
    *, warehouse_id: int, carrier_id: int | None = None, cutoff_at=None, limit: int = 200, by=None
) -> PickWave:
    """Take pending parcels of one warehouse (and carrier), most urgent and highest priority first.

    Orders allocated since the last beat run become parcels first, so the wave sees today's work whole.
    """
    shipments_create_pending(warehouse_id=warehouse_id, by=by)
    return _wave_take(
        warehouse_id=warehouse_id, carrier_id=carrier_id, cutoff_at=cutoff_at, limit=limit, by=by
    )


@retry_on_conflict
def _wave_take(*, warehouse_id: int, carrier_id: int | None, cutoff_at, limit: int, by) -> PickWave:
    qs = Shipment.objects.select_for_update(skip_locked=True).filter(
        status=S.PENDING, wave__isnull=True, warehouse_id=warehouse_id, is_drop_ship=False
    )
    if carrier_id:
        qs = qs.filter(carrier_service__carrier_id=carrier_id)
    if cutoff_at:
        qs = qs.filter(created_at__lte=cutoff_at)
    shipments = list(qs.order_by("-is_urgent", "-priority", "created_at", "pk")[:limit])
    if not shipments:
        raise WaveEmpty()
    wave = PickWave.objects.create(
        number=_temp_number(),
        warehouse_id=warehouse_id,
        carrier_id=carrier_id,
        cutoff_at=cutoff_at,
        status=WaveStatus.RELEASED,
        created_by=by if getattr(by, "pk", None) else None,
    )
    wave.number = _number("W", wave.pk)
    wave.save(update_fields=["number"])
    for shipment in sorted(shipments, key=lambda s: s.pk):
        run_transition(shipment, "start_picking", by=by, check_perm=False)
        shipment.wave = wave
        shipment.save(update_fields=["status", "wave", "updated_at"])
    return wave


# --------------------------------------------------------------------------------------------
# Pack station: scan engine
# --------------------------------------------------------------------------------------------

PACKABLE = [S.PENDING, S.PICKING]


@dataclass
class ScanOutcome:
    result: str  # ScanResult
    message: str
    shipment: Shipment | None = None
    line: ShipmentLine | None = None
    complete: bool = False
    verified: int = 0
    total: int = 0


def interception_reason(shipment: Shipment) -> str | None:
    """Why this parcel must not leave (截停), or None: cancelled, order held/cancelled, lines changed."""
    if shipment.status == S.CANCELLED:
        return _("Shipment %(number)s was cancelled.") % {"number": shipment.number}
    held = list(
        Order.objects.filter(lines__shipment_lines__shipment=shipment)
        .exclude(
            status__in=[OrderStatus.IN_FULFILLMENT, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.ALLOCATED]
        )
        .values_list("number", "status")
        .distinct()
    )
    for number, status in held:
        label = OrderStatus(status).label
        return _("Order %(number)s is %(status)s.") % {"number": number, "status": label}
    if shipment.release_signature and _current_signature(shipment) != shipment.release_signature:
        return _("The order's lines changed after the parcel was released.")
    return None


def _refuse_if_intercepted(shipment: Shipment) -> None:
    reason = interception_reason(shipment)
    if reason:
        raise ShipmentIntercepted(reason)


def _log_scan(shipment: Shipment | None, code: str, result: str, message: str, by) -> None:
    PackScan.objects.create(
        shipment=shipment,
        code=code[:100],
        result=result,
        message=message[:300],
        by=by if getattr(by, "pk", None) else None,
    )


def _progress(lines: list[ShipmentLine]) -> tuple[int, int]:
    return sum(line.verified_qty for line in lines), sum(line.quantity for line in lines)


@transaction.atomic
def pack_open(*, code: str, by=None) -> ScanOutcome:
    """The first scan at the pack station: the parcel's barcode (shipment number or tracking number)."""
    code = (code or "").strip()
    shipment = (
        Shipment.objects.select_for_update(of=("self",)).filter(number__iexact=code).first()
        or Shipment.objects.select_for_update(of=("self",))
        .filter(tracking_number=code)
        .exclude(tracking_number="")
        .first()
    )
    if shipment is None:
        message = _("No parcel with barcode %(code)s. Scan the barcode on the sort list.") % {"code": code}
        _log_scan(None, code, ScanResult.UNKNOWN_PARCEL, message, by)
        return ScanOutcome(ScanResult.UNKNOWN_PARCEL, message)
    reason = interception_reason(shipment)
    if reason:
        message = ShipmentIntercepted(reason).message
        _log_scan(shipment, code, ScanResult.INTERCEPTED, message, by)
        return ScanOutcome(ScanResult.INTERCEPTED, message, shipment=shipment)
    if shipment.status not in PACKABLE:
        message = _("%(number)s is %(status)s: nothing to pack.") % {
            "number": shipment.number,
            "status": shipment.get_status_display(),
        }
        _log_scan(shipment, code, ScanResult.WRONG_ITEM, message, by)
        return ScanOutcome(ScanResult.WRONG_ITEM, message, shipment=shipment)
    lines = list(shipment.lines.all())
    verified, total = _progress(lines)
    return ScanOutcome(
        ScanResult.OK,
        _("Parcel %(number)s: scan each item.") % {"number": shipment.number},
        shipment=shipment,
        verified=verified,
        total=total,
        complete=verified == total,
    )


@transaction.atomic
def pack_scan(*, shipment_id: int, code: str, by=None) -> ScanOutcome:
    """One item scan (SKU code or barcode): counts up its line, or is refused and logged.

    A refused scan changes no line; every scan, right or wrong, is one PackScan row.
    """
    code = (code or "").strip()
    shipment = Shipment.objects.select_for_update(of=("self",)).get(pk=shipment_id)
    reason = interception_reason(shipment) if shipment.status != S.CANCELLED else _("Shipment cancelled.")
    if reason or shipment.status not in PACKABLE:
        message = ShipmentIntercepted(
            reason or _("It is %(status)s.") % {"status": shipment.get_status_display()}
        ).message
        _log_scan(shipment, code, ScanResult.INTERCEPTED, message, by)
        return ScanOutcome(ScanResult.INTERCEPTED, message, shipment=shipment)
    lines = list(shipment.lines.select_related("sku", "order_line").order_by("pk"))
    upper = code.upper()
    matching = [line for line in lines if line.sku.code.upper() == upper or (line.sku.barcode or "") == code]
    verified, total = _progress(lines)
    if not matching:
        message = _("Wrong item: %(code)s is not in parcel %(number)s. Put it aside.") % {
            "code": code,
            "number": shipment.number,
        }
        _log_scan(shipment, code, ScanResult.WRONG_ITEM, message, by)
        return ScanOutcome(ScanResult.WRONG_ITEM, message, shipment=shipment, verified=verified, total=total)
    open_line = next((line for line in matching if line.verified_qty < line.quantity), None)
    if open_line is None:
        wanted = sum(line.quantity for line in matching)
        message = _("Extra unit: parcel %(number)s needs only %(wanted)s × %(sku)s. Put this one back.") % {
            "number": shipment.number,
            "wanted": wanted,
            "sku": matching[0].sku.code,
        }
        _log_scan(shipment, code, ScanResult.EXTRA_UNIT, message, by)
        return ScanOutcome(ScanResult.EXTRA_UNIT, message, shipment=shipment, verified=verified, total=total)
    ShipmentLine.objects.filter(pk=open_line.pk).update(verified_qty=F("verified_qty") + 1)
    open_line.verified_qty += 1
    verified += 1
    message = _("%(sku)s %(done)s / %(qty)s") % {
        "sku": open_line.sku.code,
        "done": open_line.verified_qty,
        "qty": open_line.quantity,
    }
    _log_scan(shipment, code, ScanResult.OK, message, by)
    return ScanOutcome(
        ScanResult.OK,
        message,
        shipment=shipment,
        line=open_line,
        verified=verified,
        total=total,
        complete=verified == total,
    )


@retry_on_conflict
def shipment_mark_packed(*, shipment_id: int, weight_g: int | None = None, by=None) -> Shipment:
    """Packed once every unit is scan-verified; a weight out of tolerance sends it to review instead."""
    shipment = Shipment.objects.select_for_update(of=("self",)).get(pk=shipment_id)
    _refuse_if_intercepted(shipment)
    verified, total = _progress(list(shipment.lines.all()))
    if verified < total:
        raise ShipmentNotVerified(missing=total - verified, total=total)
    if weight_g is not None:
        shipment.weight_g = weight_g
        tolerance = weight_tolerance_g(shipment.expected_weight_g)
        if abs(weight_g - shipment.expected_weight_g) > tolerance:
            shipment.review_reason = _("Weighed %(weight)s g, expected %(expected)s g ± %(tolerance)s g.") % {
                "weight": weight_g,
                "expected": shipment.expected_weight_g,
                "tolerance": tolerance,
            }
            run_transition(shipment, "hold_for_review", by=by, note=shipment.review_reason)
            shipment.save()
            return shipment
    run_transition(shipment, "pack", by=by)
    shipment.packed_at = timezone.now()
    shipment.save()
    return shipment


@retry_on_conflict
def shipment_release_review(*, shipment_id: int, by=None, note: str = "") -> Shipment:
    """A supervisor checked the contents of a parcel held for weight review: it is packed."""
    shipment = Shipment.objects.select_for_update(of=("self",)).get(pk=shipment_id)
    _refuse_if_intercepted(shipment)
    run_transition(shipment, "pack", by=by, note=note or shipment.review_reason)
    shipment.packed_at = timezone.now()
    shipment.save()
    return shipment


@retry_on_conflict
def shipment_cancel(*, shipment_id: int, by=None, reason: str = "") -> Shipment:
    shipment = Shipment.objects.select_for_update(of=("self",)).get(pk=shipment_id)
    run_transition(shipment, "cancel", by=by, note=reason)
    shipment.save()
    return shipment


# --------------------------------------------------------------------------------------------
# Ship
# --------------------------------------------------------------------------------------------


@retry_on_conflict
def shipment_ship(*, shipment_id: int, tracking_number: str = "", by=None) -> Shipment:
    """Hand the parcel to the carrier: tracking number (adapter or typed), stock consumed, order moved on."""
    from inventory.services import reservation_consume

    shipment = (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("carrier_service__carrier")
        .get(pk=shipment_id)
    )
    _refuse_if_intercepted(shipment)
    if shipment.status != S.PACKED:
        run_transition(shipment, "ship", by=by)  # raises the clear refusal
    tracking_number = (tracking_number or "").strip()
    if not tracking_number and shipment.carrier_service:
        address = shipment.address
        tracking_number = (
            adapter_for(shipment.carrier_service.carrier).request_tracking_number(
                LabelRequest(
                    reference=shipment.number,
                    service_code=shipment.carrier_service.code,
                    weight_g=shipment.weight_g or shipment.expected_weight_g,
                    province=address.province,
                    city=address.city,
                )
            )
            or ""
        )
    if not tracking_number:
        raise TrackingNumberRequired()
    lines = list(shipment.lines.order_by("pk"))
    for ref in sorted({line.demand_ref for line in lines if line.demand_ref}):
        # A line split over warehouses has one reservation per warehouse: consume only this parcel's.
        reservation_consume(
            demand_ref=ref, reference=shipment.number, warehouse_id=shipment.warehouse_id, by=by
        )
    ShipmentLine.objects.filter(shipment=shipment).update(shipped_qty=F("quantity"))
    run_transition(shipment, "ship", by=by)
    shipment.tracking_number = tracking_number
    shipment.shipped_at = timezone.now()
    shipment.save()
    _after_shipped(shipment, by=by)
    return shipment


def _after_shipped(shipment: Shipment, *, by) -> None:
    """Move each order of the parcel to partially shipped or shipped; notify the customer with a link."""
    from orders.services import order_mark_shipped

    order_ids = sorted(
        set(OrderLine.objects.filter(shipment_lines__shipment=shipment).values_list("order_id", flat=True))
    )
    for order_id in order_ids:
        order_lines = OrderLine.objects.filter(order_id=order_id)
        total = sum(order_lines.values_list("quantity", flat=True))
        shipped = sum(
            ShipmentLine.objects.filter(
                order_line__order_id=order_id, shipment__status__in=[S.SHIPPED, S.IN_TRANSIT, S.DELIVERED]
            ).values_list("quantity", flat=True)
        )
        order = Order.objects.get(pk=order_id)
        partial = shipped < total
        if order.status in (OrderStatus.IN_FULFILLMENT, OrderStatus.PARTIALLY_SHIPPED):
            order_mark_shipped(order_id=order_id, partial=partial, by=by)
    _notify_shipped(shipment)


def _notify_shipped(shipment: Shipment) -> None:
    from fulfillment.selectors import tracking_link

    customer = shipment.customer
    language = customer.language or "zh-hans"
    subject, body = render_message(
        "fulfillment/notifications/shipped.txt",
        {"shipment": shipment, "link": tracking_link(shipment)},
        language=language,
    )
    channel, recipient = (
        (OutboxMessage.Channel.EMAIL, customer.email)
        if customer.email
        else (OutboxMessage.Channel.SMS, customer.phone)
    )
    outbox_enqueue(
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        language=language,
        event="fulfillment.shipped",
        dedupe_key=f"shipment:{shipment.pk}:shipped",
    )


# --------------------------------------------------------------------------------------------
# Tracking
# --------------------------------------------------------------------------------------------


@retry_on_conflict
def tracking_record(*, shipment_id: int, updates: list[TrackingUpdate], source: str = "push") -> int:
    """Store new events (a repeat is ignored) and move the shipment and its orders on. Returns how many were new."""
    from orders.services import order_mark_delivered

    shipment = Shipment.objects.select_for_update(of=("self",)).get(pk=shipment_id)
    new = 0
    for update in sorted(updates, key=lambda u: u.occurred_at):
        try:
            with transaction.atomic():
                TrackingEvent.objects.create(
                    shipment=shipment,
                    occurred_at=update.occurred_at,
                    kind=update.kind,
                    description=update.description,
                    location=update.location,
                    source=source,
                )
        except IntegrityError:
            continue
        new += 1
        if shipment.last_event_at is None or update.occurred_at > shipment.last_event_at:
            shipment.last_event_at = update.occurred_at
        if update.kind == TrackingKind.DELIVERED and shipment.status != S.DELIVERED:
            run_transition(shipment, "deliver", by=None, check_perm=False, note=update.description)
            shipment.delivered_at = update.occurred_at
        elif update.kind == TrackingKind.EXCEPTION and shipment.status in (S.SHIPPED, S.IN_TRANSIT):
            run_transition(shipment, "fail", by=None, check_perm=False, note=update.description)
            shipment.exception_reason = update.description
        elif shipment.status == S.SHIPPED and update.kind != TrackingKind.EXCEPTION:
            run_transition(shipment, "move", by=None, check_perm=False, note=update.description)
    if new:
        shipment.is_late = False
        shipment.save()
        if shipment.status == S.DELIVERED:
            for order in (
                Order.objects.filter(lines__shipment_lines__shipment=shipment).distinct().order_by("pk")
            ):
                pending = Shipment.objects.filter(lines__order_line__order=order).exclude(
                    status__in=[S.DELIVERED, S.CANCELLED]
                )
                if order.status == OrderStatus.SHIPPED and not pending.exists():
                    order_mark_delivered(order_id=order.pk)
    return new


def tracking_poll(*, shipment_id: int) -> int:
    shipment = Shipment.objects.select_related("carrier_service__carrier").get(pk=shipment_id)
    if not shipment.tracking_number or not shipment.carrier_service:
        return 0
    updates = adapter_for(shipment.carrier_service.carrier).fetch_events(shipment.tracking_number)
    return tracking_record(shipment_id=shipment.pk, updates=updates, source="poll") if updates else 0


def shipments_flag_late(*, now=None) -> int:
    """Flag parcels with no tracking event for longer than their carrier's limit (late_after_days)."""
    now = now or timezone.now()
    flagged = 0
    candidates = Shipment.objects.filter(status__in=[S.SHIPPED, S.IN_TRANSIT], is_late=False).select_related(
        "carrier_service__carrier"
    )
    late_ids = []
    for shipment in candidates.iterator():
        days = shipment.carrier_service.carrier.late_after_days if shipment.carrier_service else 3
        last = shipment.last_event_at or shipment.shipped_at
        if last and now - last > timedelta(days=days):
            late_ids.append(shipment.pk)
    if late_ids:
        flagged = Shipment.objects.filter(pk__in=late_ids, is_late=False).update(is_late=True)
    return flagged
