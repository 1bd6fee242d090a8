"""Cases: registration (售后登记), photos, handler, the decision (approve, reject) and closing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.choices import CLAIMING_TYPES, RETURN_TYPES, SHIPPED_TYPES, CaseType
from aftersales.exceptions import AftersalesError, LineNotInOrder, NoLines, QuantityTooHigh, ReasonRequired
from aftersales.models import AftersalesCase, CaseLine, CasePhoto, Reason
from aftersales.selectors import claimed_quantity_by_line, line_allowances
from aftersales.services._common import (
    ZERO,
    LineRequest,
    _check_perm,
    _customer_message,
    _lock_case,
    _lock_order,
)
from aftersales.services.compensation import _check_compensation
from aftersales.services.surveys import survey_url
from aftersales.validators import validate_photos
from oms.audit import log_changes, run_transition, snapshot
from oms.db import retry_on_conflict
from oms.notes import choice_param, text_param
from oms.notes import note as make_note
from orders.money import units_value

# --------------------------------------------------------------------------------------------
# Registration
# --------------------------------------------------------------------------------------------


def _check_type_and_perm(case_type: str, by) -> None:
    if case_type not in CaseType.values:
        raise AftersalesError(
            _("Choose the type of case."), field_errors={"case_type": [_("Choose a type.")]}
        )
    _check_perm(by, "aftersales.add_aftersalescase", _("register after-sales cases"))


def _valid_photos(photos: list) -> None:
    if not photos:
        return
    try:
        validate_photos(photos)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        raise AftersalesError(message, field_errors={"photos": exc.messages}) from exc


def _active_reason(reason_id: int) -> Reason:
    reason = Reason.objects.filter(pk=reason_id, is_active=True).first() if reason_id else None
    if reason is None:
        raise ReasonRequired()
    return reason


def _check_quantities(order, *, case_type: str, wanted: Sequence[LineRequest]) -> None:
    """Each line once, and never more units than were shipped (or ordered) minus what other cases claimed."""
    allowances = line_allowances(order.pk)
    needs_shipped = case_type in SHIPPED_TYPES
    claims = case_type in CLAIMING_TYPES
    seen: set[int] = set()
    for request in wanted:
        allowance = allowances.get(request.order_line_id)
        if allowance is None or request.order_line_id in seen:
            raise LineNotInOrder(request.order_line_id, order.number)
        seen.add(request.order_line_id)
        if (
            isinstance(request.quantity, bool)
            or not isinstance(request.quantity, int)
            or request.quantity < 0
        ):
            raise NoLines()
        claimed = allowance.claimed if claims else 0
        base = allowance.shipped if needs_shipped else allowance.ordered
        allowed = max(base - claimed, 0)
        if request.quantity > allowed:
            raise QuantityTooHigh(
                sku_code=allowance.sku_code,
                allowed=allowed,
                shipped=base,
                returned=claimed,
                asked=request.quantity,
                field=f"qty_{request.order_line_id}",
                basis="shipped" if needs_shipped else "ordered",
            )


def _create_case(
    order, *, case_type: str, reason: Reason, by, supplier: Decimal, platform: Decimal, **details
) -> AftersalesCase:
    """The case row, numbered AS<yymmdd><pk>; ``details`` are the optional fields of ``case_register``."""
    case = AftersalesCase.objects.create(
        case_type=case_type,
        order=order,
        customer_id=order.customer_id,
        channel_id=order.channel_id,
        contact_name=(details["contact_name"] or order.customer.name).strip()[:100],
        contact_phone=(details["contact_phone"] or order.contact_phone or order.customer.phone).strip()[:32],
        supplier_id=details["supplier_id"],
        reason=reason,
        description=details["description"].strip(),
        handler_id=details["handler_id"] or getattr(by, "pk", None),
        registered_on=details["registered_on"] or timezone.localdate(),
        compensation_applies=details["compensation_applies"],
        supplier_share=supplier,
        platform_share=platform,
        compensation_total=supplier + platform,
        return_tracking_number=details["return_tracking_number"].strip(),
        created_by=by if getattr(by, "pk", None) else None,
    )
    case.number = f"AS{case.registered_on:%y%m%d}{case.pk:04d}"
    case.save(update_fields=["number"])
    return case


def _net_value(order_line, units: int, claimed: dict[int, int]) -> Decimal:
    """The units' share of the line's net amount; the units other cases claimed come first, so that every unit
    of a line, claimed in any steps, gives back exactly the line's net amount."""
    return units_value(
        net=order_line.net_amount,
        quantity=order_line.quantity,
        before=claimed.get(order_line.pk, 0),
        units=units,
    )


def _create_lines(case: AftersalesCase, order, wanted: Sequence[LineRequest]) -> None:
    """The case's lines at the order lines' SKU and price; an exchange defaults to the same SKU."""
    order_lines = {line.pk: line for line in order.lines.all()}
    valued = claimed_quantity_by_line(order.pk, exclude_case_id=case.pk)
    CaseLine.objects.bulk_create(
        [
            CaseLine(
                case=case,
                order_line_id=request.order_line_id,
                sku_id=order_lines[request.order_line_id].sku_id,
                quantity=request.quantity,
                unit_price=order_lines[request.order_line_id].unit_price,
                net_value=_net_value(order_lines[request.order_line_id], request.quantity, valued),
                replacement_sku_id=(
                    (request.replacement_sku_id or order_lines[request.order_line_id].sku_id)
                    if case.case_type == CaseType.EXCHANGE
                    else None
                ),
            )
            for request in wanted
        ]
    )


@retry_on_conflict
def case_register(
    *,
    order_id: int,
    case_type: str,
    lines: Sequence[LineRequest],
    reason_id: int,
    by,
    description: str = "",
    supplier_id: int | None = None,
    handler_id: int | None = None,
    registered_on: date | None = None,
    compensation_applies: bool = False,
    supplier_share=ZERO,
    platform_share=ZERO,
    return_tracking_number: str = "",
    photos: Iterable = (),
    contact_name: str = "",
    contact_phone: str = "",
) -> AftersalesCase:
    """Register a case (售后登记) in status requested; quantities are checked against what may still be claimed."""
    _check_type_and_perm(case_type, by)
    photos = list(photos)
    _valid_photos(photos)
    supplier, platform = _check_compensation(
        case_type=case_type,
        applies=compensation_applies,
        supplier_share=supplier_share,
        platform_share=platform_share,
        supplier_id=supplier_id,
    )
    reason = _active_reason(reason_id)

    order = _lock_order(order_id)
    wanted = [line for line in lines if line.quantity]
    if not wanted and case_type != CaseType.COMPENSATION:
        raise NoLines()
    _check_quantities(order, case_type=case_type, wanted=wanted)
    case = _create_case(
        order,
        case_type=case_type,
        reason=reason,
        by=by,
        supplier=supplier,
        platform=platform,
        supplier_id=supplier_id,
        description=description,
        handler_id=handler_id,
        registered_on=registered_on,
        compensation_applies=compensation_applies,
        return_tracking_number=return_tracking_number,
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    _create_lines(case, order, wanted)
    for upload in photos:
        CasePhoto.objects.create(case=case, image=upload, uploaded_by=case.created_by)
    _log_registered(case, order=order, reason=reason, by=by)
    return case


def _log_registered(case: AftersalesCase, *, order, reason, by) -> None:
    """The case's creation on its timeline: its type, reason and order."""
    record = make_note(
        "aftersales.case_registered",
        type=choice_param("aftersales.AftersalesCase.case_type", case.case_type),
        # A starting reason is a catalogue text (shown in the reader's language); one an admin typed stays.
        reason=text_param(reason.name),
        order=order.number,
    )
    log_changes(instance=case, before={}, by=by, action="create", note=record)


@retry_on_conflict
def case_add_photos(*, case_id: int, photos: Iterable, by) -> list[CasePhoto]:
    photos = list(photos)
    try:
        validate_photos(photos)
    except ValidationError as exc:
        raise AftersalesError(" ".join(exc.messages), field_errors={"photos": exc.messages}) from exc
    case = _lock_case(case_id)
    if case.photos.count() + len(photos) > int(getattr(settings, "OMS_AFTERSALES_MAX_PHOTOS", 6)):
        raise AftersalesError(_("This case already has its maximum number of photos."))
    user = by if getattr(by, "pk", None) else None
    return [CasePhoto.objects.create(case=case, image=upload, uploaded_by=user) for upload in photos]


@retry_on_conflict
def case_assign(*, case_id: int, handler_id: int | None, by) -> AftersalesCase:
    case = _lock_case(case_id)
    before = snapshot(case, ["handler_id"])
    case.handler_id = handler_id
    case.save(update_fields=["handler", "updated_at"])
    log_changes(instance=case, before=before, by=by, note=make_note("aftersales.handler_changed"))
    return case


# --------------------------------------------------------------------------------------------
# Decision
# --------------------------------------------------------------------------------------------


@retry_on_conflict
def case_approve(*, case_id: int, by, note: str = "") -> AftersalesCase:
    """Approve: return types now wait for the parcel; a refund before shipment stops the parcel."""
    case = _lock_case(case_id)
    run_transition(case, "approve", by=by, note=note)
    case.approved_at = timezone.now()
    if case.case_type in RETURN_TYPES:
        run_transition(case, "await_return", by=by)
    if case.case_type == CaseType.REFUND_ONLY:
        _stop_parcel(case, by=by)
    case.save()
    return case


def _stop_parcel(case: AftersalesCase, *, by) -> None:
    """Refund before shipment (截停): hold the order; the pack station then refuses its parcels until resumed."""
    from orders.choices import BEFORE_SHIPPED
    from orders.services import order_hold

    order = case.order
    if order.status not in BEFORE_SHIPPED:
        return
    order_hold(
        order_id=order.pk,
        by=by,
        reason=make_note("aftersales.refund_requested", case=case.number),
    )
    case.stopped_parcel = True


@retry_on_conflict
def case_reject(*, case_id: int, reason: str, by) -> AftersalesCase:
    if not (reason or "").strip():
        raise ReasonRequired("reject_reason")
    case = _lock_case(case_id)
    run_transition(case, "reject", by=by, note=reason.strip())
    case.reject_reason = reason.strip()[:300]
    case.resolved_at = timezone.now()
    case.save()
    _customer_message(case, "rejected", dedupe=f"aftersales:{case.pk}:rejected")
    return case


# --------------------------------------------------------------------------------------------
# Close
# --------------------------------------------------------------------------------------------


@retry_on_conflict
def case_close(*, case_id: int, by, note: str = "") -> AftersalesCase:
    """Close a resolved case and ask the customer how we did."""
    case = _lock_case(case_id)
    run_transition(case, "close", by=by, note=note)
    case.closed_at = timezone.now()
    case.save()
    _customer_message(
        case,
        "survey_case",
        {"url": survey_url(order_id=case.order_id, case_id=case.pk)},
        dedupe=f"aftersales:survey:case:{case.pk}",
    )
    return case
