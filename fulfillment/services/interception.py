"""Interception (截停): why a parcel must not be packed or leave, and the refusal that says so."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fulfillment.exceptions import ShipmentIntercepted
from fulfillment.models import Shipment
from fulfillment.services._common import S, _current_signature
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
