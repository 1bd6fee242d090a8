"""Interception (截停): why a parcel must not be packed or leave, and the refusal that says so."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fulfillment.choices import WaybillStatus
from fulfillment.exceptions import ShipmentIntercepted
from fulfillment.models import Shipment, Waybill
from fulfillment.services._common import S, _current_signature
from oms.dispatch import task_send_on_commit
from orders.choices import OrderStatus
from orders.models import Order


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


def void_waybill_after_commit(shipment: Shipment) -> None:
    """An intercepted parcel must not leave with its printed label: when it has an issued waybill, a task
    voids it at the carrier once this transaction commits (the 5-minute sweep catches any it misses)."""
    if Waybill.objects.filter(shipment_id=shipment.pk, status=WaybillStatus.ISSUED).exists():
        task_send_on_commit("fulfillment.tasks.waybill_cancel_task", shipment_id=shipment.pk)
