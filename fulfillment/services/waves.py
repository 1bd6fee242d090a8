"""Pick waves: take a warehouse's pending parcels, most urgent first, and release them to the floor."""

from __future__ import annotations

from fulfillment.choices import WaveStatus
from fulfillment.exceptions import WaveEmpty
from fulfillment.models import PickWave, Shipment
from fulfillment.services._common import S, _number, _temp_number
from fulfillment.services.shipments import shipments_create_pending
from oms.audit import run_transition
from oms.db import retry_on_conflict


def wave_build(
    *, warehouse_id: int, carrier_id: int | None = None, cutoff_at=None, limit: int = 200, by=None
) -> PickWave:
    """Take pending parcels of one warehouse (and carrier), most urgent and highest priority first.

    Orders allocated since the last beat run become parcels first, so the wave sees today's work whole.
    """
    shipments_create_pending(warehouse_id=warehouse_id, by=by)
    return _wave_take(
        warehouse_id=warehouse_id, carrier_id=carrier_id, cutoff_at=cutoff_at, limit=limit, by=by
    )


@retry_on_conflict
def _wave_take(*, warehouse_id: int, carrier_id: int | None, cutoff_at, limit: int, by) -> PickWave:
    qs = Shipment.objects.select_for_update(skip_locked=True).filter(
        status=S.PENDING, wave__isnull=True, warehouse_id=warehouse_id, is_drop_ship=False
    )
    if carrier_id:
        qs = qs.filter(carrier_service__carrier_id=carrier_id)
    if cutoff_at:
        qs = qs.filter(created_at__lte=cutoff_at)
    shipments = list(qs.order_by("-is_urgent", "-priority", "created_at", "pk")[:limit])
    if not shipments:
        raise WaveEmpty()
    wave = PickWave.objects.create(
        number=_temp_number(),
        warehouse_id=warehouse_id,
        carrier_id=carrier_id,
        cutoff_at=cutoff_at,
        status=WaveStatus.RELEASED,
        created_by=by if getattr(by, "pk", None) else None,
    )
    wave.number = _number("W", wave.pk)
    wave.save(update_fields=["number"])
    for shipment in sorted(shipments, key=lambda s: s.pk):
        run_transition(shipment, "start_picking", by=by, check_perm=False)
        shipment.wave = wave
        shipment.save(update_fields=["status", "wave", "updated_at"])
    return wave
