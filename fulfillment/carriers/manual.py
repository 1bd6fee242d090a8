"""Manual carrier: the warehouse types the tracking number from the carrier's own label; no polling."""

from __future__ import annotations

from fulfillment.carriers.base import CarrierAdapter, LabelRequest, TrackingUpdate


class ManualCarrierAdapter(CarrierAdapter):
    def request_tracking_number(self, request: LabelRequest) -> str | None:
        return None

    def fetch_events(self, tracking_number: str) -> list[TrackingUpdate]:
        return []
