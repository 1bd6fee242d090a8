"""Reads of electronic waybills that the screens share: a parcel's waybills, the batch-ship log."""

from __future__ import annotations

from django.utils import timezone

from fulfillment.choices import ShipmentStatus, WaybillStatus
from fulfillment.models import Shipment, Waybill


def shipment_waybills(shipment_id: int) -> list[Waybill]:
    """Every waybill the parcel had, the live one first (issued), then the voided ones, newest first."""
    return sorted(
        Waybill.objects.filter(shipment_id=shipment_id).select_related("account__carrier"),
        key=lambda w: (w.status != WaybillStatus.ISSUED, -w.pk),
    )


def packed_ids_among(ids: list[int]) -> list[int]:
    """The parcels of ``ids`` that are packed (the ones the to-ship list may ship)."""
    return list(
        Shipment.objects.filter(pk__in=ids, status=ShipmentStatus.PACKED).values_list("pk", flat=True)
    )


def shipped_today(*, limit: int = 20) -> list[Shipment]:
    """The parcels shipped today, newest first: the batch-ship page's log after a reload."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        Shipment.objects.filter(shipped_at__gte=start)
        .select_related("carrier_service__carrier")
        .order_by("-shipped_at", "-pk")[:limit]
    )
