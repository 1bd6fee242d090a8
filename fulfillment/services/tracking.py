"""Carrier tracking: store pushed or polled events, move parcels and their orders on, flag late parcels."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from fulfillment.carriers import TrackingUpdate, adapter_for
from fulfillment.choices import TrackingKind
from fulfillment.models import Shipment, TrackingEvent
from fulfillment.services._common import S
from fulfillment.services.notices import carrier_exception_alert, delivered_notice
from oms.audit import run_transition
from oms.db import retry_on_conflict
from orders.choices import OrderStatus
from orders.models import Order


def _store_event(shipment: Shipment, update: TrackingUpdate, source: str) -> bool:
    """Store one event; False when the same event is already stored (carriers repeat themselves)."""
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
        return False
    return True


def _apply_event(shipment: Shipment, update: TrackingUpdate) -> None:
    """Move the parcel on for a new event: delivered, failed (exception) or in transit."""
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
    if update.kind == TrackingKind.EXCEPTION:
        carrier_exception_alert(shipment, description=update.description, occurred_at=update.occurred_at)


def _carrier_code(shipment: Shipment) -> str:
    service = shipment.carrier_service
    return service.carrier.code if service is not None else ""


def _deliver_orders(shipment: Shipment) -> None:
    """A delivered parcel delivers each of its shipped orders whose parcels have all arrived."""
    from orders.services import order_mark_delivered

    delivered = []
    for order in Order.objects.filter(lines__shipment_lines__shipment=shipment).distinct().order_by("pk"):
        parcels = Shipment.objects.filter(lines__order_line__order=order)
        pending = parcels.exclude(status__in=[S.DELIVERED, S.CANCELLED])
        if order.status == OrderStatus.SHIPPED and not pending.exists():
            # The order arrived with its last parcel: the after-sales window runs from the carrier's time.
            last = parcels.filter(status=S.DELIVERED).aggregate(at=Max("delivered_at"))["at"]
            # Cash on delivery: the carrier of the parcel that delivered it collected the money at the door.
            order_mark_delivered(
                order_id=order.pk, delivered_at=last, collected_by=_carrier_code(shipment), notify=False
            )
            delivered.append(order.number)
    delivered_notice(shipment, delivered)


@retry_on_conflict
def tracking_record(*, shipment_id: int, updates: list[TrackingUpdate], source: str = "push") -> int:
    """Store new events (a repeat is ignored) and move the shipment and its orders on. Returns how many were new."""
    shipment = Shipment.objects.select_for_update(of=("self",)).get(pk=shipment_id)
    new = 0
    for update in sorted(updates, key=lambda u: u.occurred_at):
        if not _store_event(shipment, update, source):
            continue
        new += 1
        _apply_event(shipment, update)
    if new:
        shipment.is_late = False
        shipment.save()
        if shipment.status == S.DELIVERED:
            _deliver_orders(shipment)
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
