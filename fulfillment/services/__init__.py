"""Every write of the fulfillment app: shipments from allocations, waves, pack scans, shipping, tracking.

A package of sub-domain modules; callers import from here (``from fulfillment.services import pack_scan``).
"""

from fulfillment.services._common import lines_signature, packaging_g, weight_tolerance_g
from fulfillment.services.carrier_choice import shipment_override_carrier
from fulfillment.services.cod import RemittanceRefused, cod_remittance_record
from fulfillment.services.drop_ship import shipment_approve_drop_ship, shipment_record_supplier_dispatch
from fulfillment.services.interception import interception_reason
from fulfillment.services.notices import shipped_notices_due, shipped_notices_send
from fulfillment.services.packing import (
    PACKABLE,
    PackStationKind,
    PackStationResult,
    ScanOutcome,
    pack_open,
    pack_scan,
    pack_station_scan,
    shipment_mark_packed,
    shipment_release_review,
)
from fulfillment.services.shipments import (
    shipment_cancel,
    shipments_create_for_order,
    shipments_create_pending,
)
from fulfillment.services.shipping import shipment_ship
from fulfillment.services.tracking import shipments_flag_late, tracking_poll, tracking_record
from fulfillment.services.waves import wave_build
from fulfillment.services.waybills import (
    REPRINT_REASONS,
    issued_waybill,
    pool_add_range,
    waybill_cancel,
    waybill_cancel_if_intercepted,
    waybill_for_reprint,
    waybill_issue,
    waybill_record_print,
    waybills_intercepted_ids,
)

__all__ = [
    "REPRINT_REASONS",
    "issued_waybill",
    "pool_add_range",
    "waybill_cancel",
    "waybill_cancel_if_intercepted",
    "waybill_for_reprint",
    "waybill_issue",
    "waybill_record_print",
    "waybills_intercepted_ids",
    "shipped_notices_due",
    "shipped_notices_send",
    "RemittanceRefused",
    "cod_remittance_record",
    "PACKABLE",
    "PackStationKind",
    "PackStationResult",
    "ScanOutcome",
    "interception_reason",
    "lines_signature",
    "pack_open",
    "pack_scan",
    "pack_station_scan",
    "packaging_g",
    "shipment_approve_drop_ship",
    "shipment_cancel",
    "shipment_mark_packed",
    "shipment_override_carrier",
    "shipment_record_supplier_dispatch",
    "shipment_release_review",
    "shipment_ship",
    "shipments_create_for_order",
    "shipments_create_pending",
    "shipments_flag_late",
    "tracking_poll",
    "tracking_record",
    "wave_build",
    "weight_tolerance_g",
]
