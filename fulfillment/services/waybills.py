"""Electronic waybills (电子面单): a number from the carrier's API or from its number range, reprints, voiding.

A parcel has at most one issued waybill (a partial unique constraint). Issuing locks the parcel row, so two
packers printing the same parcel get the same waybill; numbers of a range are taken with
``SELECT … FOR UPDATE SKIP LOCKED`` so two parcels never get the same number. A carrier's refusal raises
``CarrierAdapterError`` inside the transaction: nothing is written.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from fulfillment.carriers.cn import CLIENTS
from fulfillment.carriers.waybill import Credentials, Party, WaybillAnswer, WaybillClient, WaybillRequest
from fulfillment.choices import AdapterKind, PoolNumberStatus, WaybillApi, WaybillStatus
from fulfillment.exceptions import (
    CarrierAdapterError,
    NoWaybillAccount,
    WaybillNotIssued,
    WaybillNotNeeded,
    WaybillPoolEmpty,
)
from fulfillment.intercepts import INTERCEPTING_ORDER_STATUSES
from fulfillment.models import CarrierAccount, PoolNumber, Shipment, Waybill
from fulfillment.services._common import S
from fulfillment.services.interception import _refuse_if_intercepted, interception_reason
from oms.audit import log_changes
from oms.notes import note, note_param
from orders.models import Order

REPRINT_REASONS = ("damaged", "jammed", "lost", "relabel", "other")


def waybill_client(account: CarrierAccount) -> WaybillClient:
    return CLIENTS[account.api](
        Credentials(
            endpoint=account.endpoint,
            partner_id=account.partner_id,
            customer_code=account.customer_code,
            secret=account.signing_secret,
            carrier_name=account.carrier.name,
        )
    )


def account_for(shipment: Shipment) -> CarrierAccount | None:
    """The active waybill account of the parcel's carrier, or None (a manual carrier: the number is typed)."""
    service = shipment.carrier_service
    if service is None or service.carrier.adapter != AdapterKind.WAYBILL:
        return None
    return (
        CarrierAccount.objects.select_related("carrier")
        .filter(carrier_id=service.carrier_id, is_active=True)
        .order_by("pk")
        .first()
    )


def issued_waybill(shipment_id: int) -> Waybill | None:
    return (
        Waybill.objects.select_related("account__carrier")
        .filter(shipment_id=shipment_id, status=WaybillStatus.ISSUED)
        .first()
    )


def _request(shipment: Shipment, account: CarrierAccount, packages: int) -> WaybillRequest:
    address, warehouse = shipment.address, shipment.warehouse
    lines = shipment.lines.select_related("sku__product").order_by("pk")
    return WaybillRequest(
        reference=shipment.number,
        carrier_code=account.carrier.code,
        service_code=shipment.carrier_service.code,
        weight_g=shipment.weight_g or shipment.expected_weight_g,
        packages=packages,
        sender=Party(
            name=account.sender_name or (warehouse.name if warehouse else ""),
            phone=account.sender_phone,
            province=warehouse.province if warehouse else "",
            city=warehouse.city if warehouse else "",
            district="",
            address=warehouse.address if warehouse else "",
        ),
        receiver=Party(
            name=address.name,
            phone=address.phone,
            province=address.province,
            city=address.city,
            district=address.district,
            address=address.line1,
        ),
        items=tuple(line.sku.product.name for line in lines),
    )


def pool_add_range(*, account_id: int, prefix: str, first: int, last: int, width: int = 0) -> int:
    """Add the numbers ``prefix + first … last`` (zero-padded to ``width``) to the pool; returns how many
    were new (a range loaded twice adds nothing)."""
    if last < first or last - first >= 1_000_000:
        raise ValueError("a range is first ≤ last, at most 1,000,000 numbers")
    rows = [
        PoolNumber(account_id=account_id, number=f"{prefix}{n:0{width}d}") for n in range(first, last + 1)
    ]
    before = PoolNumber.objects.filter(account_id=account_id).count()
    PoolNumber.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return PoolNumber.objects.filter(account_id=account_id).count() - before


def _pool_take(account: CarrierAccount, shipment: Shipment) -> WaybillAnswer:
    """The lowest free number of the account's range; a number another transaction holds is skipped."""
    row = (
        PoolNumber.objects.select_for_update(skip_locked=True)
        .filter(account=account, status=PoolNumberStatus.FREE)
        .order_by("pk")
        .first()
    )
    if row is None:
        raise WaybillPoolEmpty(carrier=account.carrier.name)
    row.status = PoolNumberStatus.USED
    row.shipment = shipment
    row.taken_at = timezone.now()
    row.save(update_fields=["status", "shipment", "taken_at"])
    return WaybillAnswer(number=row.number)


@transaction.atomic
def waybill_issue(*, shipment_id: int, packages: int = 1, by=None) -> Waybill:
    """The parcel's waybill: the one already issued, or a new one from the carrier (API or range)."""
    shipment = (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("carrier_service__carrier", "address", "warehouse")
        .get(pk=shipment_id)
    )
    existing = issued_waybill(shipment.pk)
    if existing is not None:
        return existing
    if shipment.status not in (S.PENDING, S.PICKING, S.PACKED, S.REVIEW):
        raise WaybillNotNeeded(number=shipment.number, status=shipment.get_status_display())
    _refuse_if_intercepted(shipment)
    account = account_for(shipment)
    if account is None:
        raise NoWaybillAccount(number=shipment.number)
    if account.api == WaybillApi.POOL:
        answer = _pool_take(account, shipment)
    else:
        answer = waybill_client(account).issue(_request(shipment, account, packages))
    waybill = Waybill.objects.create(
        shipment=shipment,
        account=account,
        number=answer.number,
        sort_code=answer.sort_code[:64],
        destination_code=answer.destination_code[:64],
        packages=packages,
    )
    log_changes(
        instance=shipment,
        before={},
        by=by,
        action="waybill_issued",
        note=note("fulfillment.waybill_issued", number=waybill.number, account=account.code),
    )
    return waybill


@transaction.atomic
def waybill_record_print(*, waybill_ids: list[int], reason: str = "", detail: str = "", by=None) -> int:
    """Count a print of each waybill; a reprint (printed before) needs a reason and is on the timeline."""
    waybills = list(
        Waybill.objects.select_for_update()
        .filter(pk__in=waybill_ids)
        .select_related("shipment")
        .order_by("pk")
    )
    for waybill in waybills:
        if waybill.print_count and reason:
            log_changes(
                instance=waybill.shipment,
                before={},
                by=by,
                action="waybill_reprinted",
                note=note(
                    "fulfillment.waybill_reprinted",
                    number=waybill.number,
                    reason=note_param(f"fulfillment.reprint.{reason}"),
                    detail=detail.strip()[:200],
                ),
            )
        waybill.print_count += 1
        waybill.save(update_fields=["print_count"])
    return len(waybills)


def waybill_for_reprint(*, shipment_id: int, reason: str) -> Waybill:
    """The issued waybill to print again; refused without one or without a known reason."""
    waybill = issued_waybill(shipment_id)
    if waybill is None:
        raise WaybillNotIssued()
    if reason not in REPRINT_REASONS:
        raise ValueError(reason)
    return waybill


def waybill_cancel(*, waybill_id: int, by=None) -> Waybill:
    """Void an issued waybill at the carrier (a range number is voided here). A refusal by the carrier is
    recorded on the waybill (cancel_failed, with the carrier's message) and on the parcel's timeline."""
    with transaction.atomic():
        waybill = (
            Waybill.objects.select_for_update(of=("self",))
            .select_related("account__carrier", "shipment")
            .get(pk=waybill_id)
        )
        if waybill.status == WaybillStatus.CANCELLED:
            return waybill
        error = ""
        try:
            if waybill.account.api == WaybillApi.POOL:
                PoolNumber.objects.filter(account=waybill.account, number=waybill.number).update(
                    status=PoolNumberStatus.VOID
                )
            else:
                waybill_client(waybill.account).cancel(
                    number=waybill.number,
                    reference=waybill.shipment.number,
                    carrier_code=waybill.account.carrier.code,
                )
        except CarrierAdapterError as exc:
            error = str(exc)[:300]
            waybill.status, waybill.cancel_error = WaybillStatus.CANCEL_FAILED, error
            code = "fulfillment.waybill_cancel_failed"
        else:
            waybill.status, waybill.cancelled_at, waybill.cancel_error = (
                WaybillStatus.CANCELLED,
                timezone.now(),
                "",
            )
            code = "fulfillment.waybill_cancelled"
        waybill.save(update_fields=["status", "cancelled_at", "cancel_error"])
        log_changes(
            instance=waybill.shipment,
            before={},
            by=by,
            action="waybill_cancelled",
            note=note(code, number=waybill.number, error=error),
        )
    return waybill


def waybill_cancel_if_intercepted(*, shipment_id: int, by=None) -> Waybill | None:
    """An intercepted parcel (截停: cancelled, its order held or cancelled) must not leave with its label:
    its issued waybill is voided at the carrier. None when there is nothing to void."""
    shipment = Shipment.objects.get(pk=shipment_id)
    waybill = issued_waybill(shipment_id)
    if waybill is None or shipment.status in (S.SHIPPED, S.IN_TRANSIT, S.DELIVERED):
        return None
    if shipment.status != S.CANCELLED and interception_reason(shipment) is None:
        return None
    return waybill_cancel(waybill_id=waybill.pk, by=by)


def waybills_intercepted_ids() -> list[int]:
    """Parcels not shipped whose waybill is still issued while the parcel is cancelled or an order of it
    is held or cancelled: the sweep voids their waybills."""
    stopped_order = Order.objects.filter(
        lines__shipment_lines__shipment=OuterRef("shipment_id"), status__in=INTERCEPTING_ORDER_STATUSES
    )
    return list(
        Waybill.objects.filter(status=WaybillStatus.ISSUED)
        .filter(
            Q(shipment__status=S.CANCELLED)
            | Q(shipment__status__in=[S.PENDING, S.PICKING, S.PACKED, S.REVIEW]) & Exists(stopped_order)
        )
        .order_by("shipment_id")
        .values_list("shipment_id", flat=True)
    )
