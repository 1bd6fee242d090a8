"""Carrier adapters: how the OMS gets tracking numbers and tracking events from each carrier."""

from __future__ import annotations

from fulfillment.carriers.base import CarrierAdapter, LabelRequest, TrackingUpdate
from fulfillment.carriers.http import HttpCarrierAdapter
from fulfillment.carriers.manual import ManualCarrierAdapter
from fulfillment.choices import AdapterKind

__all__ = ["CarrierAdapter", "LabelRequest", "TrackingUpdate", "adapter_for"]

ADAPTERS: dict[str, type[CarrierAdapter]] = {
    AdapterKind.MANUAL: ManualCarrierAdapter,
    AdapterKind.HTTP: HttpCarrierAdapter,
}


def adapter_for(carrier) -> CarrierAdapter:
    return ADAPTERS[carrier.adapter](carrier)
