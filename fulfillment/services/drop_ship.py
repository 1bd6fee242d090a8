"""Drop-ship (厂家发货): approve a supplier's parcel, send it the request, record its dispatch."""

from __future__ import annotations

from django.utils import timezone

from fulfillment.exceptions import QuantityAboveOrdered, TrackingNumberRequired
from fulfillment.models import Shipment, ShipmentLine
from fulfillment.services.interception import _refuse_if_intercepted
from fulfillment.services.shipping import _after_shipped
from oms.audit import run_transition
from oms.db import retry_on_conflict
from oms.models import OutboxMessage
from oms.notes import note as make_note
from oms.notifications import outbox_enqueue, render_message


@retry_on_conflict
def shipment_approve_drop_ship(*, shipment_id: int, by=None, note: str = "") -> Shipment:
    shipment = Shipment.objects.select_for_update(of=("self",)).select_related("supplier").get(pk=shipment_id)
    _refuse_if_intercepted(shipment)
    run_transition(shipment, "approve", by=by, note=note)
    shipment.approved_at = timezone.now()
    shipment.save()
    _request_supplier_dispatch(shipment)
    return shipment


def _request_supplier_dispatch(shipment: Shipment) -> None:
    """E-mail the supplier what to send where; a business message to a supplier, not a customer notice."""
    lines = list(shipment.lines.select_related("sku", "order_line"))
    subject, body = render_message(
        "fulfillment/notifications/drop_ship_request.txt",
        {"shipment": shipment, "lines": lines, "address": shipment.address},
        language="zh-hans",
    )
    outbox_enqueue(
        channel=OutboxMessage.Channel.EMAIL,
        recipient=shipment.supplier.email,
        subject=subject,
        body=body,
        language="zh-hans",
        event="fulfillment.drop_ship_request",
        dedupe_key=f"shipment:{shipment.pk}:drop_ship_request",
    )


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
            demand_refs=refs, reason=make_note("fulfillment.drop_shipped", number=shipment.number), by=by
        )
    if carrier_service_id:
        shipment.carrier_service_id = carrier_service_id
        shipment.carrier_overridden = True
    shipment.tracking_number = tracking_number
    shipment.shipped_at = timezone.now()
    shipment.save()
    _after_shipped(shipment, by=by)
    return shipment
