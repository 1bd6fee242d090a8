"""Celery tasks of the fulfillment app: pick list rendering (as a background job), tracking polling, late flags."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


def _wave_list_job(progress, *, wave_id: int, name: str, steps: int, render) -> dict:
    """The pick and sort list jobs: the wave, its pick data, one PDF from ``render``, progress on the way."""
    from fulfillment.models import PickWave
    from fulfillment.selectors import picklist_data

    wave = PickWave.objects.select_related("warehouse", "carrier").get(pk=wave_id)
    progress(0, steps)
    header, rows, parcels = picklist_data(wave)
    progress(1, steps)
    pdf, message = render(header, rows, parcels)
    progress(steps, steps)
    return {"file_name": f"{name}-{wave.number}.pdf", "content": pdf, "message": message}


def render_picklist_job(job, progress, *, wave_id: int, language: str = "zh-hans") -> dict:
    """Background job handler (oms.jobs): renders the wave's pick list PDF for download."""
    from fulfillment.pdf import render_picklist

    def render(header, rows, _parcels):
        return render_picklist(wave=header, pick_rows=rows, language=language), f"{len(rows)} pick lines"

    return _wave_list_job(progress, wave_id=wave_id, name="picklist", steps=3, render=render)


def render_sortlist_job(job, progress, *, wave_id: int, language: str = "zh-hans") -> dict:
    """Background job handler: the wave's sort list (one box per parcel) for the packers."""
    from fulfillment.pdf import render_sortlist

    def render(header, _rows, parcels):
        return render_sortlist(wave=header, parcels=parcels, language=language), f"{len(parcels)} parcels"

    return _wave_list_job(progress, wave_id=wave_id, name="sortlist", steps=2, render=render)


def render_slips_job(job, progress, *, wave_id: int, language: str = "zh-hans") -> dict:
    """Background job handler: every shipping slip of a wave in one PDF."""
    from fulfillment.models import PickWave
    from fulfillment.pdf import render_slips
    from fulfillment.selectors import slips_data

    wave = PickWave.objects.get(pk=wave_id)
    slips = slips_data(wave_id=wave.pk)
    progress(1, 2)
    pdf = render_slips(slips=slips, language=language)
    progress(2, 2)
    return {"file_name": f"slips-{wave.number}.pdf", "content": pdf, "message": f"{len(slips)} slips"}


@shared_task
def tracking_poll_task(*, shipment_id: int) -> int:
    """Fetch one parcel's events from its carrier; a carrier that does not answer is tried next beat."""
    from fulfillment.exceptions import CarrierAdapterError
    from fulfillment.services import tracking_poll

    try:
        return tracking_poll(shipment_id=shipment_id)
    except CarrierAdapterError as exc:
        logger.warning("tracking poll of shipment %s failed: %s", shipment_id, exc)
        return 0


@shared_task
def tracking_poll_due_task() -> int:
    """Beat: poll every HTTP-carrier parcel on its way; each in its own task so one failure stays alone."""
    from fulfillment.choices import AdapterKind, ShipmentStatus
    from fulfillment.models import Shipment

    ids = list(
        Shipment.objects.filter(
            status__in=[ShipmentStatus.SHIPPED, ShipmentStatus.IN_TRANSIT],
            carrier_service__carrier__adapter=AdapterKind.HTTP,
            carrier_service__carrier__is_active=True,
        )
        .exclude(tracking_number="")
        .values_list("pk", flat=True)
    )
    for shipment_id in ids:
        tracking_poll_task.delay(shipment_id=shipment_id)
    return len(ids)


@shared_task
def shipments_flag_late_task() -> int:
    from fulfillment.services import shipments_flag_late

    return shipments_flag_late()


@shared_task(name="fulfillment.tasks.shipments_create_pending_task")
def shipments_create_pending_task(*, batch_size: int = 100, max_orders: int = 2000) -> dict[str, int]:
    """Beat (every minute): allocated orders without parcels become parcels, highest priority first."""
    from fulfillment.services import shipments_create_pending

    return shipments_create_pending(batch_size=batch_size, max_orders=max_orders)


def _wave_parcels_in_pick_order(wave) -> list[int]:
    """The wave's parcels in the order the sort list gives them (first item picked first)."""
    from fulfillment.models import Shipment
    from fulfillment.selectors import picklist_data

    _header, _rows, parcels = picklist_data(wave)
    ids = dict(Shipment.objects.filter(wave=wave).values_list("number", "pk"))
    return [ids[p["number"]] for p in parcels if p["number"] in ids]


def render_waybills_job(
    job, progress, *, wave_id: int, size: str = "100x180", language: str = "zh-hans"
) -> dict:
    """Background job: a waybill for every parcel of the wave (fetched from the carrier when missing),
    all labels in one PDF in pick order. A parcel the carrier refuses, or an intercepted one, is left out
    and named in the job's message."""
    from fulfillment.exceptions import FulfillmentError
    from fulfillment.labels import labels_data, render_labels_pdf, waybills_for_labels
    from fulfillment.models import PickWave, Shipment
    from fulfillment.services import waybill_issue, waybill_record_print

    wave = PickWave.objects.get(pk=wave_id)
    shipment_ids = _wave_parcels_in_pick_order(wave)
    total = len(shipment_ids) + 1
    waybill_ids, refused = [], []
    for done, shipment_id in enumerate(shipment_ids, start=1):
        try:
            waybill_ids.append(waybill_issue(shipment_id=shipment_id, by=job.created_by).pk)
        except FulfillmentError as exc:
            number = Shipment.objects.values_list("number", flat=True).get(pk=shipment_id)
            refused.append(f"{number}: {exc.message}")
        if done % 10 == 0 or done == len(shipment_ids):
            progress(done, total)
    pdf = render_labels_pdf(labels_data(waybills_for_labels(waybill_ids)), size=size, language=language)
    waybill_record_print(waybill_ids=waybill_ids, by=job.created_by)
    progress(total, total)
    message = f"{len(waybill_ids)} waybills" + (f"; not printed: {'; '.join(refused)}" if refused else "")
    return {"file_name": f"waybills-{wave.number}.pdf", "content": pdf, "message": message[:2000]}


@shared_task
def waybill_cancel_task(*, shipment_id: int) -> str:
    """Void the waybill of an intercepted parcel at its carrier (safe to run twice)."""
    from fulfillment.services import waybill_cancel_if_intercepted

    waybill = waybill_cancel_if_intercepted(shipment_id=shipment_id)
    return waybill.status if waybill else "nothing"


@shared_task
def waybills_cancel_intercepted_task() -> int:
    """Beat: parcels whose order was held or cancelled after their waybill was printed get it voided."""
    from fulfillment.services import waybills_intercepted_ids

    ids = waybills_intercepted_ids()
    for shipment_id in ids:
        waybill_cancel_task.delay(shipment_id=shipment_id)
    return len(ids)


@shared_task(name="fulfillment.tasks.shipped_notices_task")
def shipped_notices_task(*, customer_id: int) -> bool:
    """Sent a little after a parcel ships: one message for the customer's parcels that left together."""
    from fulfillment.services import shipped_notices_send

    return shipped_notices_send(customer_id=customer_id) is not None


@shared_task(name="fulfillment.tasks.shipped_notices_due_task")
def shipped_notices_due_task() -> int:
    """Beat (every minute): announce shipped parcels whose delayed message was lost (broker down)."""
    from fulfillment.services import shipped_notices_due, shipped_notices_send

    ids = shipped_notices_due()
    for customer_id in ids:
        shipped_notices_send(customer_id=customer_id)
    return len(ids)
