"""The pack station: open a parcel by its barcode, verify each item by scan, pack it (or hold it for review).

``pack_station_scan`` is the station's one entry: it decides what a scanned code is and answers with a
``PackStationResult`` the screen only has to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fulfillment.choices import ScanResult
from fulfillment.exceptions import ShipmentIntercepted, ShipmentNotVerified
from fulfillment.models import PackScan, Shipment, ShipmentLine
from fulfillment.services._common import S, weight_tolerance_g
from fulfillment.services.interception import _refuse_if_intercepted, interception_reason
from oms.audit import run_transition
from oms.db import retry_on_conflict
from oms.notes import note as make_note

PACKABLE = [S.PENDING, S.PICKING]


@dataclass
class ScanOutcome:
    result: str  # ScanResult
    message: str
    shipment: Shipment | None = None
    line: ShipmentLine | None = None
    complete: bool = False
    verified: int = 0
    total: int = 0


class PackStationKind(StrEnum):
    """What one scan at the station did."""

    OPENED = "opened"  # a parcel's barcode with no parcel open: that parcel is open now
    SWITCHED = "switched"  # another parcel's barcode while one was open: the station moved to it
    VERIFIED = "verified"  # an item of the open parcel, counted
    COMPLETE = "complete"  # the item that completed the open parcel
    WRONG_ITEM = "wrong_item"  # an item not in the open parcel, or one unit too many
    REFUSED = "refused"  # a parcel that cannot be packed (unknown, intercepted, not packable)


@dataclass(frozen=True)
class PackStationResult:
    kind: PackStationKind
    message: str
    shipment: Shipment | None  # the parcel open at the station after this scan
    outcome: ScanOutcome  # the scan engine's verdict: what the station's templates show
    parcel_scan: bool  # the code was taken as a parcel's barcode (the whole panel changes)


def _log_scan(shipment: Shipment | None, code: str, result: str, message: str, by) -> None:
    PackScan.objects.create(
        shipment=shipment,
        code=code[:100],
        result=result,
        message=message[:300],
        by=by if getattr(by, "pk", None) else None,
    )


def _progress(lines: list[ShipmentLine]) -> tuple[int, int]:
    return sum(line.verified_qty for line in lines), sum(line.quantity for line in lines)


def pack_station_scan(*, open_shipment_id: int | None, code: str, by=None) -> PackStationResult:
    """One scan at the pack station, whatever was scanned.

    With no parcel open, the code is a parcel's barcode (number or tracking number). With a parcel open,
    another parcel's number switches the station to that parcel; anything else is an item to verify.
    """
    code = (code or "").strip()
    if open_shipment_id is None:
        return _parcel_result(pack_open(code=code, by=by), switched=False)
    if Shipment.objects.filter(number__iexact=code).exclude(pk=open_shipment_id).exists():
        return _parcel_result(pack_open(code=code, by=by), switched=True)
    outcome = pack_scan(shipment_id=open_shipment_id, code=code, by=by)
    if outcome.result == ScanResult.OK:
        kind = PackStationKind.COMPLETE if outcome.complete else PackStationKind.VERIFIED
    elif outcome.result == ScanResult.INTERCEPTED:
        kind = PackStationKind.REFUSED
    else:
        kind = PackStationKind.WRONG_ITEM
    return PackStationResult(kind, outcome.message, outcome.shipment, outcome, parcel_scan=False)


def _parcel_result(outcome: ScanOutcome, *, switched: bool) -> PackStationResult:
    if outcome.result != ScanResult.OK:
        return PackStationResult(PackStationKind.REFUSED, outcome.message, None, outcome, parcel_scan=True)
    kind = PackStationKind.SWITCHED if switched else PackStationKind.OPENED
    return PackStationResult(kind, outcome.message, outcome.shipment, outcome, parcel_scan=True)


def _find_parcel(code: str) -> Shipment | None:
    """The parcel whose number (any case) or tracking number is ``code``, locked."""
    return (
        Shipment.objects.select_for_update(of=("self",)).filter(number__iexact=code).first()
        or Shipment.objects.select_for_update(of=("self",))
        .filter(tracking_number=code)
        .exclude(tracking_number="")
        .first()
    )


@transaction.atomic
def pack_open(*, code: str, by=None) -> ScanOutcome:
    """The first scan at the pack station: the parcel's barcode (shipment number or tracking number)."""
    code = (code or "").strip()
    shipment = _find_parcel(code)
    if shipment is None:
        message = _("No parcel with barcode %(code)s. Scan the barcode on the sort list.") % {"code": code}
        _log_scan(None, code, ScanResult.UNKNOWN_PARCEL, message, by)
        return ScanOutcome(ScanResult.UNKNOWN_PARCEL, message)
    reason = interception_reason(shipment)
    if reason:
        message = ShipmentIntercepted(reason).message
        _log_scan(shipment, code, ScanResult.INTERCEPTED, message, by)
        return ScanOutcome(ScanResult.INTERCEPTED, message, shipment=shipment)
    if shipment.status not in PACKABLE:
        message = _("%(number)s is %(status)s: nothing to pack.") % {
            "number": shipment.number,
            "status": shipment.get_status_display(),
        }
        _log_scan(shipment, code, ScanResult.WRONG_ITEM, message, by)
        return ScanOutcome(ScanResult.WRONG_ITEM, message, shipment=shipment)
    verified, total = _progress(list(shipment.lines.all()))
    return ScanOutcome(
        ScanResult.OK,
        _("Parcel %(number)s: scan each item.") % {"number": shipment.number},
        shipment=shipment,
        verified=verified,
        total=total,
        complete=verified == total,
    )


def _refused_item_scan(shipment: Shipment, code: str, by) -> ScanOutcome | None:
    """The refusal of any item scan into this parcel (intercepted, or not packable), logged; else None."""
    reason = interception_reason(shipment) if shipment.status != S.CANCELLED else _("Shipment cancelled.")
    if not reason and shipment.status in PACKABLE:
        return None
    message = ShipmentIntercepted(
        reason or _("It is %(status)s.") % {"status": shipment.get_status_display()}
    ).message
    _log_scan(shipment, code, ScanResult.INTERCEPTED, message, by)
    return ScanOutcome(ScanResult.INTERCEPTED, message, shipment=shipment)


def _unmatched_item_scan(
    shipment: Shipment, code: str, matching: list[ShipmentLine], by, progress
) -> ScanOutcome:
    """An item not in the parcel (wrong item) or one unit more than it needs (extra unit), logged."""
    verified, total = progress
    if not matching:
        result = ScanResult.WRONG_ITEM
        message = _("Wrong item: %(code)s is not in parcel %(number)s. Put it aside.") % {
            "code": code,
            "number": shipment.number,
        }
    else:
        result = ScanResult.EXTRA_UNIT
        wanted = sum(line.quantity for line in matching)
        message = _("Extra unit: parcel %(number)s needs only %(wanted)s × %(sku)s. Put this one back.") % {
            "number": shipment.number,
            "wanted": wanted,
            "sku": matching[0].sku.code,
        }
    _log_scan(shipment, code, result, message, by)
    return ScanOutcome(result, message, shipment=shipment, verified=verified, total=total)


@transaction.atomic
def pack_scan(*, shipment_id: int, code: str, by=None) -> ScanOutcome:
    """One item scan (SKU code or barcode): counts up its line, or is refused and logged.

    A refused scan changes no line; every scan, right or wrong, is one PackScan row.
    """
    code = (code or "").strip()
    shipment = Shipment.objects.select_for_update(of=("self",)).get(pk=shipment_id)
    refused = _refused_item_scan(shipment, code, by)
    if refused is not None:
        return refused
    lines = list(shipment.lines.select_related("sku", "order_line").order_by("pk"))
    upper = code.upper()
    matching = [line for line in lines if line.sku.code.upper() == upper or (line.sku.barcode or "") == code]
    verified, total = _progress(lines)
    open_line = next((line for line in matching if line.verified_qty < line.quantity), None)
    if open_line is None:
        return _unmatched_item_scan(shipment, code, matching, by, (verified, total))
    ShipmentLine.objects.filter(pk=open_line.pk).update(verified_qty=F("verified_qty") + 1)
    open_line.verified_qty += 1
    verified += 1
    message = _("%(sku)s %(done)s / %(qty)s") % {
        "sku": open_line.sku.code,
        "done": open_line.verified_qty,
        "qty": open_line.quantity,
    }
    _log_scan(shipment, code, ScanResult.OK, message, by)
    return ScanOutcome(
        ScanResult.OK,
        message,
        shipment=shipment,
        line=open_line,
        verified=verified,
        total=total,
        complete=verified == total,
    )


@retry_on_conflict
def shipment_mark_packed(*, shipment_id: int, weight_g: int | None = None, by=None) -> Shipment:
    """Packed once every unit is scan-verified; a weight out of tolerance sends it to review instead."""
    shipment = Shipment.objects.select_for_update(of=("self",)).get(pk=shipment_id)
    _refuse_if_intercepted(shipment)
    verified, total = _progress(list(shipment.lines.all()))
    if verified < total:
        raise ShipmentNotVerified(missing=total - verified, total=total)
    if weight_g is not None:
        shipment.weight_g = weight_g
        tolerance = weight_tolerance_g(shipment.expected_weight_g)
        if abs(weight_g - shipment.expected_weight_g) > tolerance:
            shipment.review_reason = make_note(
                "fulfillment.weight_review",
                weight=weight_g,
                expected=shipment.expected_weight_g,
                tolerance=tolerance,
            )
            run_transition(shipment, "hold_for_review", by=by, note=shipment.review_reason)
            shipment.save()
            return shipment
    run_transition(shipment, "pack", by=by)
    shipment.packed_at = timezone.now()
    shipment.save()
    return shipment


@retry_on_conflict
def shipment_release_review(*, shipment_id: int, by=None, note: str = "") -> Shipment:
    """A supervisor checked the contents of a parcel held for weight review: it is packed."""
    shipment = Shipment.objects.select_for_update(of=("self",)).get(pk=shipment_id)
    _refuse_if_intercepted(shipment)
    run_transition(shipment, "pack", by=by, note=note or shipment.review_reason)
    shipment.packed_at = timezone.now()
    shipment.save()
    return shipment
