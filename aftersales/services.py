"""Every write of the aftersales app: register, approve, reject, receive, inspect, refund, replace, compensate,
close; complaints; surveys; and the supplier charges the reconciliation app reads and marks.

Each service runs in one transaction (retried on conflict when it is the outermost one), locks rows in a
fixed order — the order first, then the case, then its refunds — runs transitions through
``oms.audit.run_transition`` and saves in the same transaction; notifications go through the outbox (sent
after commit, de-duplicated).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from aftersales.choices import (
    CLAIMING_TYPES,
    REPLACEMENT_TYPES,
    RETURN_TYPES,
    SHIPPED_TYPES,
    CaseStatus,
    CaseType,
    ComplaintStatus,
    Condition,
    ReconciliationStatus,
    RefundKind,
    RefundStatus,
    SurveyContext,
)
from aftersales.exceptions import (
    AftersalesError,
    ChargeNotAttachable,
    ChargeNotFound,
    CompensationMismatch,
    InspectionIncomplete,
    InvalidAmount,
    LineNotInOrder,
    NoLines,
    NoWarehouse,
    QuantityTooHigh,
    ReasonRequired,
    RefundTooHigh,
    ReplacementNotPossible,
    SupplierRequired,
    SurveyAlreadyAnswered,
    SurveyLinkInvalid,
)
from aftersales.models import (
    AftersalesCase,
    CaseLine,
    CasePhoto,
    Complaint,
    Reason,
    Refund,
    SupplierCharge,
    SurveyResponse,
)
from aftersales.selectors import line_allowances, refundable_for_order
from aftersales.validators import validate_photos
from oms.audit import log_changes, run_transition, snapshot
from oms.db import retry_on_conflict
from oms.exceptions import IllegalTransition, PermissionRefused
from oms.models import OutboxMessage
from oms.notifications import outbox_enqueue, render_message

logger = logging.getLogger(__name__)
S = CaseStatus
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
SURVEY_SALT = "aftersales.survey"


@dataclass(frozen=True)
class LineRequest:
    """One order line the customer asks about: how many units, and for an exchange, which SKU instead."""

    order_line_id: int
    quantity: int
    replacement_sku_id: int | None = None


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def money(value, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A Decimal with 2 places, or the refusal the user can act on (never a float)."""
    if isinstance(value, float):
        raise InvalidAmount(field)
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidAmount(field) from exc
    if not amount.is_finite() or amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise InvalidAmount(field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidAmount(field)
    return amount.quantize(CENT)


def _lock_order(order_id: int):
    from orders.models import Order

    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("customer", "channel", "shipping_address")
        .get(pk=order_id)
    )


def _lock_case(case_id: int) -> AftersalesCase:
    """Lock the case's order, then the case (the fixed order of every service here)."""
    order_id = AftersalesCase.objects.values_list("order_id", flat=True).get(pk=case_id)
    order = _lock_order(order_id)
    case = AftersalesCase.objects.select_for_update(of=("self",)).select_related("reason").get(pk=case_id)
    case.order = order
    return case


def _check_perm(by, perm: str, what: str) -> None:
    if by is not None and not by.has_perm(perm):
        raise PermissionRefused(_("You do not have permission to %(what)s.") % {"what": what})


def _customer_message(case: AftersalesCase, event: str, context: dict | None = None, *, dedupe: str) -> None:
    customer = case.customer
    language = customer.language or "zh-hans"
    subject, body = render_message(
        f"aftersales/messages/{event}.txt",
        {"case": case, "customer": customer, "order": case.order, **(context or {})},
        language=language,
    )
    if customer.email:
        channel, recipient = OutboxMessage.Channel.EMAIL, customer.email
    else:
        channel, recipient = OutboxMessage.Channel.SMS, customer.phone
    outbox_enqueue(
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        language=language,
        event=f"aftersales.{event}",
        dedupe_key=dedupe,
    )


# --------------------------------------------------------------------------------------------
# Registration
# --------------------------------------------------------------------------------------------


def _check_compensation(
    *, case_type: str, applies: bool, supplier_share, platform_share, supplier_id: int | None
) -> tuple[Decimal, Decimal]:
    if not applies:
        if case_type == CaseType.COMPENSATION:
            raise CompensationMismatch(
                _("A compensation case needs the compensation amounts: tick 'compensation applies'."),
                field="compensation_applies",
            )
        return ZERO, ZERO
    supplier = money(supplier_share, field="supplier_share", allow_zero=True)
    platform = money(platform_share, field="platform_share", allow_zero=True)
    if supplier + platform == 0:
        raise CompensationMismatch(
            _("Enter the supplier's share, the platform's share, or both (the total is their sum).")
        )
    if supplier > 0 and not supplier_id:
        raise SupplierRequired()
    return supplier, platform


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
    if case_type not in CaseType.values:
        raise AftersalesError(
            _("Choose the type of case."), field_errors={"case_type": [_("Choose a type.")]}
        )
    _check_perm(by, "aftersales.add_aftersalescase", _("register after-sales cases"))
    photos = list(photos)
    if photos:
        try:
            validate_photos(photos)
        except ValidationError as exc:
            message = " ".join(exc.messages)
            raise AftersalesError(message, field_errors={"photos": exc.messages}) from exc
    supplier, platform = _check_compensation(
        case_type=case_type,
        applies=compensation_applies,
        supplier_share=supplier_share,
        platform_share=platform_share,
        supplier_id=supplier_id,
    )
    reason = Reason.objects.filter(pk=reason_id, is_active=True).first() if reason_id else None
    if reason is None:
        raise ReasonRequired()

    order = _lock_order(order_id)
    wanted = [line for line in lines if line.quantity]
    if not wanted and case_type != CaseType.COMPENSATION:
        raise NoLines()
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

    case = AftersalesCase.objects.create(
        case_type=case_type,
        order=order,
        customer_id=order.customer_id,
        channel_id=order.channel_id,
        contact_name=(contact_name or order.customer.name).strip()[:100],
        contact_phone=(contact_phone or order.contact_phone or order.customer.phone).strip()[:32],
        supplier_id=supplier_id,
        reason=reason,
        description=description.strip(),
        handler_id=handler_id or getattr(by, "pk", None),
        registered_on=registered_on or timezone.localdate(),
        compensation_applies=compensation_applies,
        supplier_share=supplier,
        platform_share=platform,
        compensation_total=supplier + platform,
        return_tracking_number=return_tracking_number.strip(),
        created_by=by if getattr(by, "pk", None) else None,
    )
    case.number = f"AS{case.registered_on:%y%m%d}{case.pk:04d}"
    case.save(update_fields=["number"])
    order_lines = {line.pk: line for line in order.lines.all()}
    CaseLine.objects.bulk_create(
        [
            CaseLine(
                case=case,
                order_line_id=request.order_line_id,
                sku_id=order_lines[request.order_line_id].sku_id,
                quantity=request.quantity,
                unit_price=order_lines[request.order_line_id].unit_price,
                replacement_sku_id=(
                    (request.replacement_sku_id or order_lines[request.order_line_id].sku_id)
                    if case_type == CaseType.EXCHANGE
                    else None
                ),
            )
            for request in wanted
        ]
    )
    for upload in photos:
        CasePhoto.objects.create(case=case, image=upload, uploaded_by=case.created_by)
    return case


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
    log_changes(instance=case, before=before, by=by, note=_("handler changed"))
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
        reason=_("Refund requested in after-sales case %(case)s") % {"case": case.number},
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
# Return, inspection
# --------------------------------------------------------------------------------------------


@retry_on_conflict
def case_receive_return(
    *, case_id: int, warehouse_id: int | None, by, tracking_number: str = ""
) -> AftersalesCase:
    """The returned parcel arrived at ``warehouse_id``."""
    if not warehouse_id:
        raise NoWarehouse()
    case = _lock_case(case_id)
    run_transition(case, "receive", by=by, note=tracking_number.strip())
    case.return_warehouse_id = warehouse_id
    case.received_at = timezone.now()
    if tracking_number.strip() and not case.return_tracking_number:
        case.return_tracking_number = tracking_number.strip()[:64]
    case.save()
    return case


@retry_on_conflict
def case_inspect(*, case_id: int, conditions: dict[int, str], by, note: str = "") -> AftersalesCase:
    """Inspect each line: resellable units go back into stock, damaged ones to the damaged location."""
    from inventory.services import stock_restock_return

    case = _lock_case(case_id)
    if not can_proceed(case.inspect):
        run_transition(case, "inspect", by=by)  # raises the clear refusal
    lines = list(case.lines.select_related("sku").order_by("pk"))
    missing = [
        line.sku.code
        for line in lines
        if conditions.get(line.pk) not in (Condition.RESELLABLE, Condition.DAMAGED)
    ]
    if missing:
        raise InspectionIncomplete(missing)
    run_transition(case, "inspect", by=by, note=note)
    for line in lines:
        line.condition = conditions[line.pk]
        stock_restock_return(
            sku_id=line.sku_id,
            warehouse_id=case.return_warehouse_id,
            quantity=line.quantity,
            resellable=line.condition == Condition.RESELLABLE,
            reference=f"aftersales:{case.number}",
            by=by,
        )
        line.save(update_fields=["condition"])
    case.inspected_at = timezone.now()
    case.save()
    _charge_supplier(case)
    return case


# --------------------------------------------------------------------------------------------
# Money: refunds and compensation
# --------------------------------------------------------------------------------------------


def _money_transition(case: AftersalesCase) -> str:
    if case.case_type == CaseType.COMPENSATION:
        return "compensate"
    if case.case_type == CaseType.REFUND_ONLY:
        return "refund_without_return"
    return "refund"


def large_refund_amount() -> Decimal:
    return Decimal(str(getattr(settings, "OMS_LARGE_REFUND_AMOUNT", "1000.00")))


@retry_on_conflict
def refund_record(*, case_id: int, amount, by, transaction_ref: str = "", note: str = "") -> Refund:
    """Record the money paid back for a case. Above ``OMS_LARGE_REFUND_AMOUNT`` it waits for the finance manager."""
    _check_perm(by, "aftersales.add_refund", _("record refunds"))
    amount = money(amount)
    case = _lock_case(case_id)
    if case.case_type not in (CaseType.REFUND_ONLY, CaseType.RETURN_REFUND, CaseType.COMPENSATION):
        raise IllegalTransition(
            _("Case %(case)s is an %(type)s: it sends goods, not money.")
            % {"case": case.number, "type": case.get_case_type_display().lower()}
        )
    transition_name = _money_transition(case)
    if not can_proceed(getattr(case, transition_name)):
        raise IllegalTransition(
            _(
                "Case %(case)s is %(state)s: money is recorded once the case is approved (refund only, "
                "compensation) or the return is inspected (return and refund)."
            )
            % {"case": case.number, "state": case.get_status_display().lower()}
        )
    if case.refunds.filter(status=RefundStatus.AWAITING_APPROVAL).exists():
        raise IllegalTransition(
            _("A refund of case %(case)s is already waiting for the finance manager's approval.")
            % {"case": case.number}
        )
    refundable = refundable_for_order(case.order_id)
    if amount > refundable.remaining:
        raise RefundTooHigh(
            asked=amount,
            refundable=refundable.remaining,
            paid=refundable.paid,
            refunded=refundable.refunded,
            currency=case.order.currency,
        )
    needs_approval = amount > large_refund_amount() and not (
        by is not None and by.has_perm("aftersales.approve_large_refund")
    )
    refund = Refund.objects.create(
        case=case,
        order_id=case.order_id,
        kind=RefundKind.COMPENSATION if case.case_type == CaseType.COMPENSATION else RefundKind.REFUND,
        amount=amount,
        currency=case.order.currency,
        status=RefundStatus.AWAITING_APPROVAL if needs_approval else RefundStatus.COMPLETED,
        transaction_ref=transaction_ref.strip()[:100],
        note=note.strip()[:300],
        requested_by=by if getattr(by, "pk", None) else None,
        approved_by=None if needs_approval else (by if getattr(by, "pk", None) else None),
        completed_at=None if needs_approval else timezone.now(),
    )
    if needs_approval:
        _ask_finance_manager(refund, case)
    else:
        _money_done(case, refund, by=by)
    return refund


def _money_done(case: AftersalesCase, refund: Refund, *, by) -> None:
    from orders.services import invoices_refund_recorded

    run_transition(case, _money_transition(case), by=by, note=f"{refund.amount} {refund.currency}")
    case.resolved_at = timezone.now()
    case.save()
    _charge_supplier(case)
    if refund.kind == RefundKind.REFUND:
        # An invoice already issued for the order no longer matches what was paid: flag a red-letter one,
        # in this same transaction (orders owns invoices; aftersales may call its services).
        invoices_refund_recorded(
            order_id=case.order_id, amount=refund.amount, reference=case.number or "", by=by
        )
    _customer_message(case, "refunded", {"refund": refund}, dedupe=f"aftersales:refund:{refund.pk}")


def _ask_finance_manager(refund: Refund, case: AftersalesCase) -> None:
    User = get_user_model()
    managers = (
        User.objects.filter(is_active=True, groups__permissions__codename="approve_large_refund")
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    for manager in managers:
        subject, body = render_message(
            "aftersales/messages/refund_approval.txt",
            {"refund": refund, "case": case, "url": _absolute(reverse("aftersales:refund-approvals"))},
            language=manager.language or "en",
        )
        outbox_enqueue(
            channel=OutboxMessage.Channel.EMAIL,
            recipient=manager.email,
            subject=subject,
            body=body,
            language=manager.language or "en",
            event="aftersales.refund_approval",
            dedupe_key=f"aftersales:refund-approval:{refund.pk}:{manager.pk}",
        )


def _lock_refund(refund_id: int) -> tuple[Refund, AftersalesCase]:
    case_id = Refund.objects.values_list("case_id", flat=True).get(pk=refund_id)
    case = _lock_case(case_id)
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    return refund, case


@retry_on_conflict
def refund_approve(*, refund_id: int, by, note: str = "") -> Refund:
    """The finance manager approves a large refund: it is completed and the case moves on."""
    refund, case = _lock_refund(refund_id)
    run_transition(refund, "approve", by=by, note=note)
    refund.approved_by = by if getattr(by, "pk", None) else None
    refund.completed_at = timezone.now()
    refund.save()
    _money_done(case, refund, by=by)
    return refund


@retry_on_conflict
def refund_reject(*, refund_id: int, reason: str, by) -> Refund:
    """The finance manager refuses a large refund; the case waits for a new one."""
    if not (reason or "").strip():
        raise ReasonRequired("reject_reason")
    refund, _case = _lock_refund(refund_id)
    run_transition(refund, "reject", by=by, note=reason.strip())
    refund.reject_reason = reason.strip()[:300]
    refund.save()
    return refund


# --------------------------------------------------------------------------------------------
# Replacement (exchange, reissue)
# --------------------------------------------------------------------------------------------


@retry_on_conflict
def case_send_replacement(*, case_id: int, by) -> AftersalesCase:
    """Exchange (after inspection) or reissue (after approval): the case's goods go out again at no charge."""
    case = _lock_case(case_id)
    if case.case_type not in REPLACEMENT_TYPES:
        raise IllegalTransition(
            _("Case %(case)s is a %(type)s: only exchanges and reissues send goods.")
            % {"case": case.number, "type": case.get_case_type_display().lower()}
        )
    if not can_proceed(case.send_replacement):
        run_transition(case, "send_replacement", by=by)  # raises the clear refusal
    items = [
        (line.replacement_sku_id or line.sku_id, line.quantity, line.order_line_id)
        for line in case.lines.order_by("pk")
    ]
    if not items:
        raise ReplacementNotPossible(_("The case has no lines to send."))
    case.replacement_order = _create_replacement_order(case, items=items, by=by)
    run_transition(case, "send_replacement", by=by)
    case.resolved_at = timezone.now()
    case.save()
    _charge_supplier(case)
    _customer_message(case, "replacement_sent", dedupe=f"aftersales:{case.pk}:replacement")
    return case


def _create_replacement_order(case: AftersalesCase, *, items, by):
    """A reship order (补发 / 换货) at no charge with the case's goods, linked to the original order.

    It goes through allocation and the fulfillment app's shipments like any order, so the parcel is
    picked, scan-verified and tracked; the original order stays as it is.
    """
    from inventory.models import SKU
    from orders.choices import OrderSource, PaymentMethod, PaymentStatus
    from orders.services import order_intake

    original = case.order
    address = original.shipping_address
    codes = dict(SKU.objects.filter(pk__in=[sku_id for sku_id, _q, _l in items]).values_list("pk", "code"))
    data = {
        "external_id": "",
        "customer": {
            "name": original.customer.name,
            "phone": original.customer.phone,
            "email": original.customer.email,
        },
        "shipping_address": {
            f: getattr(address, f)
            for f in ("name", "phone", "province", "city", "district", "line1", "postcode", "country")
        },
        "lines": [{"sku": codes[sku_id], "quantity": qty, "unit_price": "0.00"} for sku_id, qty, _l in items],
        "payment": {"method": PaymentMethod.NONE, "status": PaymentStatus.PAID, "amount": "0.00"},
        "note": _("Replacement for after-sales case %(case)s") % {"case": case.number},
    }
    result = order_intake(
        channel=original.channel,
        data=data,
        by=by,
        source=OrderSource.RESHIP,
        reship_of=original,
        allocate_now=False,
    )
    if result.errors:
        raise ReplacementNotPossible(
            _("The replacement order cannot be created: %(errors)s")
            % {"errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in result.errors.items())}
        )
    return result.order


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


# --------------------------------------------------------------------------------------------
# Supplier charges: created here, read and marked by the reconciliation app
# --------------------------------------------------------------------------------------------


def _charge_supplier(case: AftersalesCase) -> SupplierCharge | None:
    """The supplier's share of the case becomes an open charge (negative: the supplier owes us), once."""
    if not case.supplier_id or case.supplier_share <= 0:
        return None
    existing = SupplierCharge.objects.filter(case=case).first()
    if existing:
        return existing
    return SupplierCharge.objects.create(
        supplier_id=case.supplier_id,
        case=case,
        amount=-case.supplier_share,
        date=timezone.localdate(),
        description=(
            _("%(type)s %(case)s, order %(order)s: %(reason)s")
            % {
                "type": case.get_case_type_display(),
                "case": case.number,
                "order": case.order.number,
                "reason": case.reason.name,
            }
        )[:300],
    )


def _locked_charges(**filters) -> list[SupplierCharge]:
    return list(SupplierCharge.objects.select_for_update().filter(**filters).order_by("pk"))


@retry_on_conflict
def supplier_charges_attach(*, charge_ids: Sequence[int], statement_id: int) -> list[SupplierCharge]:
    """Put open charges on statement ``statement_id``; refuse one on another statement or already reconciled."""
    ids = sorted(set(charge_ids))
    charges = _locked_charges(pk__in=ids)
    missing = sorted(set(ids) - {c.pk for c in charges})
    if missing:
        raise ChargeNotFound(missing)
    for charge in charges:
        if charge.reconciliation_status == ReconciliationStatus.RECONCILED or (
            charge.statement_id is not None and charge.statement_id != statement_id
        ):
            raise ChargeNotAttachable(charge, statement_id)
    for charge in charges:
        charge.reconciliation_status = ReconciliationStatus.IN_STATEMENT
        charge.statement_id = statement_id
    SupplierCharge.objects.bulk_update(charges, ["reconciliation_status", "statement_id"])
    return charges


@retry_on_conflict
def supplier_charges_detach(*, statement_id: int) -> int:
    """Take every charge off a statement that is not approved (it is open again); reconciled ones refuse."""
    charges = _locked_charges(statement_id=statement_id)
    for charge in charges:
        if charge.reconciliation_status == ReconciliationStatus.RECONCILED:
            raise ChargeNotAttachable(charge, statement_id)
    for charge in charges:
        charge.reconciliation_status = ReconciliationStatus.OPEN
        charge.statement_id = None
    SupplierCharge.objects.bulk_update(charges, ["reconciliation_status", "statement_id"])
    return len(charges)


@retry_on_conflict
def supplier_charges_mark_reconciled(*, statement_id: int, on_date: date) -> int:
    """The statement was approved: its charges are reconciled on ``on_date``; nothing is reconciled twice."""
    charges = _locked_charges(statement_id=statement_id)
    for charge in charges:
        if charge.reconciliation_status == ReconciliationStatus.RECONCILED:
            raise ChargeNotAttachable(charge, statement_id)
    for charge in charges:
        charge.reconciliation_status = ReconciliationStatus.RECONCILED
        charge.reconciled_at = on_date
    SupplierCharge.objects.bulk_update(charges, ["reconciliation_status", "reconciled_at"])
    return len(charges)


# --------------------------------------------------------------------------------------------
# Complaints and inquiries
# --------------------------------------------------------------------------------------------


@retry_on_conflict
def complaint_register(
    *,
    kind: str,
    category: str,
    customer_id: int,
    subject: str,
    by,
    order_id: int | None = None,
    description: str = "",
    handler_id: int | None = None,
    contact_phone: str = "",
) -> Complaint:
    if not subject.strip():
        raise AftersalesError(
            _("Give the subject."), field_errors={"subject": [_("This field is required.")]}
        )
    if order_id is not None:
        from orders.models import Order

        if not Order.objects.filter(pk=order_id, customer_id=customer_id).exists():
            message = _("That order is not this customer's: choose one of their orders or none.")
            raise AftersalesError(message, field_errors={"order": [message]})
    return Complaint.objects.create(
        kind=kind,
        category=category,
        customer_id=customer_id,
        order_id=order_id,
        contact_phone=contact_phone.strip()[:32],
        subject=subject.strip()[:200],
        description=description.strip(),
        handler_id=handler_id or getattr(by, "pk", None),
        created_by=by if getattr(by, "pk", None) else None,
    )


@retry_on_conflict
def complaint_resolve(*, complaint_id: int, resolution: str, by) -> Complaint:
    if not (resolution or "").strip():
        message = _("Say how it was resolved.")
        raise AftersalesError(message, field_errors={"resolution": [message]})
    complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
    if complaint.status == ComplaintStatus.RESOLVED:
        raise IllegalTransition(_("This was already resolved on %(when)s.") % {"when": complaint.resolved_at})
    before = snapshot(complaint, ["status", "resolution"])
    complaint.status = ComplaintStatus.RESOLVED
    complaint.resolution = resolution.strip()
    complaint.resolved_at = timezone.now()
    if complaint.handler_id is None and getattr(by, "pk", None):
        complaint.handler_id = by.pk
    complaint.save()
    log_changes(instance=complaint, before=before, by=by, note=_("resolved"))
    return complaint


# --------------------------------------------------------------------------------------------
# Satisfaction survey
# --------------------------------------------------------------------------------------------


def survey_token(*, order_id: int, case_id: int | None = None) -> str:
    return signing.dumps({"o": order_id, "c": case_id}, salt=SURVEY_SALT, compress=True)


def survey_read_token(token: str) -> tuple[int, int | None]:
    max_age = int(getattr(settings, "OMS_SURVEY_LINK_DAYS", 60)) * 86400
    try:
        data = signing.loads(token, salt=SURVEY_SALT, max_age=max_age)
        return int(data["o"]), (int(data["c"]) if data.get("c") else None)
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise SurveyLinkInvalid() from exc


def _absolute(path: str) -> str:
    return getattr(settings, "OMS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/") + path


def survey_url(*, order_id: int, case_id: int | None = None) -> str:
    token = survey_token(order_id=order_id, case_id=case_id)
    return _absolute(reverse("aftersales:survey", args=[token]))


def survey_invite_delivered(*, order_id: int) -> OutboxMessage | None:
    """Ask the customer of a delivered order how it went (once per order, however often this runs).
    Nothing for a customer marked do-not-contact (order messages only, no surveys)."""
    from orders.models import Order

    order = Order.objects.select_related("customer").get(pk=order_id)
    customer = order.customer
    if customer.do_not_contact:
        return None
    language = customer.language or "zh-hans"
    subject, body = render_message(
        "aftersales/messages/survey_delivery.txt",
        {"order": order, "customer": customer, "url": survey_url(order_id=order.pk)},
        language=language,
    )
    channel, recipient = (
        (OutboxMessage.Channel.EMAIL, customer.email)
        if customer.email
        else (OutboxMessage.Channel.SMS, customer.phone)
    )
    return outbox_enqueue(
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        language=language,
        event="aftersales.survey_delivery",
        dedupe_key=f"aftersales:survey:order:{order.pk}",
    )


def surveys_invite_delivered(*, days: int = 3, limit: int = 1000) -> int:
    """Invite the customers of orders delivered in the last ``days`` days who were not invited yet."""
    from orders.models import Order

    since = timezone.now() - timedelta(days=days)
    invited = OutboxMessage.objects.filter(
        event="aftersales.survey_delivery", created_at__gte=since
    ).values_list("dedupe_key", flat=True)
    done = {key.rsplit(":", 1)[-1] for key in invited if key}
    ids = list(
        Order.objects.filter(status="delivered", updated_at__gte=since)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    count = 0
    for order_id in ids:
        if str(order_id) in done:
            continue
        with transaction.atomic():
            invited = survey_invite_delivered(order_id=order_id)
        count += invited is not None
    return count


@retry_on_conflict
def survey_submit(*, token: str, score: int, comment: str = "") -> SurveyResponse:
    """Store a customer's answer; a link answers once."""
    order_id, case_id = survey_read_token(token)
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        message = _("Choose a score from 1 to 5.")
        raise AftersalesError(message, field_errors={"score": [message]})
    context = SurveyContext.CASE if case_id else SurveyContext.DELIVERY
    _lock_order(order_id)
    exists = SurveyResponse.objects.filter(order_id=order_id, context=context)
    if case_id:
        exists = SurveyResponse.objects.filter(case_id=case_id, context=context)
    if exists.exists():
        raise SurveyAlreadyAnswered()
    return SurveyResponse.objects.create(
        context=context, order_id=order_id, case_id=case_id, score=score, comment=comment.strip()[:2000]
    )


def survey_answered(token: str) -> bool:
    order_id, case_id = survey_read_token(token)
    if case_id:
        return SurveyResponse.objects.filter(case_id=case_id, context=SurveyContext.CASE).exists()
    return SurveyResponse.objects.filter(order_id=order_id, context=SurveyContext.DELIVERY).exists()


# --------------------------------------------------------------------------------------------
# Customers: merge and anonymise (hooks registered in AftersalesConfig.ready, run by orders' services)
# --------------------------------------------------------------------------------------------


def customer_merged(*, keep_id: int, duplicate_id: int, by=None) -> None:
    """The duplicate's cases and complaints now belong to the customer kept (in the merge's transaction)."""
    AftersalesCase.objects.filter(customer_id=duplicate_id).update(customer_id=keep_id)
    Complaint.objects.filter(customer_id=duplicate_id).update(customer_id=keep_id)


def customer_anonymised(*, customer_id: int, by=None) -> None:
    """Erase the contact names and phones the cases and complaints of an anonymised customer hold."""
    AftersalesCase.objects.filter(customer_id=customer_id).update(contact_name="", contact_phone="")
    Complaint.objects.filter(customer_id=customer_id).update(contact_phone="")
