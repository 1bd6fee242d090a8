"""Shipping a parcel: tracking number, stock consumed, its orders moved on, the customer told with a link."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from fulfillment.carriers import LabelRequest, adapter_for
from fulfillment.exceptions import TrackingNumberRequired
from fulfillment.hooks import run_shipped_handlers
from fulfillment.models import Shipment, ShipmentLine
from fulfillment.services._common import S
from fulfillment.services.interception import _refuse_if_intercepted
from fulfillment.services.notices import SHIPPED_STATUSES, shipped_notice_request
from fulfillment.services.waybills import account_for, issued_waybill, waybill_issue
from oms.audit import run_transition
from oms.db import retry_on_conflict
from orders.choices import OrderStatus
from orders.models import Order, OrderLine


def _label_tracking_number(shipment: Shipment) -> str:
    """Ask the carrier's adapter for a tracking number (a manual carrier answers nothing)."""
    address = shipment.address
    return (
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


def _waybill_number(shipment: Shipment, *, by) -> str:
    """The parcel's electronic waybill (printed at the wave, or fetched now), else the HTTP adapter's number."""
    waybill = issued_waybill(shipment.pk)
    if waybill is not None:
        return waybill.number
    if account_for(shipment) is not None:
        return waybill_issue(shipment_id=shipment.pk, by=by).number
    return _label_tracking_number(shipment)


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
        tracking_number = _waybill_number(shipment, by=by)
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
    """Move each order of the parcel to partially shipped or shipped; the customer is told a little later,
    in one message for all their parcels that left together (``notices.shipped_notices_send``)."""
    from orders.services import order_mark_shipped

    order_ids = sorted(
        set(OrderLine.objects.filter(shipment_lines__shipment=shipment).values_list("order_id", flat=True))
    )
    for order_id in order_ids:
        order_lines = OrderLine.objects.filter(order_id=order_id)
        total = sum(order_lines.values_list("quantity", flat=True))
        shipped = sum(
            ShipmentLine.objects.filter(
                order_line__order_id=order_id, shipment__status__in=SHIPPED_STATUSES
            ).values_list("quantity", flat=True)
        )
        order = Order.objects.get(pk=order_id)
        partial = shipped < total
        if order.status in (OrderStatus.IN_FULFILLMENT, OrderStatus.PARTIALLY_SHIPPED):
            order_mark_shipped(order_id=order_id, partial=partial, by=by, notify=False)
    shipped_notice_request(shipment)
    run_shipped_handlers(shipment=shipment, by=by)
