"""The carrier of a parcel: chosen by the rules when it is created, or overridden by hand before it leaves."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fulfillment.carrier_selection import ParcelFacts, carrier_choose
from fulfillment.choices import BEFORE_SHIPPED
from fulfillment.exceptions import FulfillmentError, NoCarrierAvailable
from fulfillment.models import CarrierService, Shipment
from oms.db import retry_on_conflict
from oms.notes import note as make_note
from oms.notes import text_param


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
    except NoCarrierAvailable:
        shipment.carrier_service = None
        shipment.carrier_reasons = [
            make_note("fulfillment.no_carrier", province=facts.province or "?", weight=facts.weight_g)
        ]
        shipment.shipping_cost = None
        return
    except FulfillmentError as exc:
        shipment.carrier_service = None
        shipment.carrier_reasons = [exc.message]
        shipment.shipping_cost = None
        return
    shipment.carrier_service = choice.service
    shipment.shipping_cost = choice.price
    shipment.carrier_reasons = choice.reasons


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
        make_note(
            "fulfillment.chosen_by_hand", user=str(by) if by else text_param("system"), reason=reason or "—"
        )
    ]
    shipment.shipping_cost = None
    shipment.save()
    return shipment
