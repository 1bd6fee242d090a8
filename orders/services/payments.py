"""Payments of orders: marked paid by hand (with a reference), failed (the customer gets a link to pay again),
cash on delivery collected by the carrier at the door, refunds taken off the payments, and the refunds owed
on cancelled paid orders paid out by finance.

Every write locks the order first (``orders.locks``), then its payments; each leaves a note on the order's
timeline as a code (``orders/notes_money.py``), rendered in the reader's language.
"""

from __future__ import annotations

from decimal import Decimal

from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.audit import log_changes
from oms.db import retry_on_conflict
from oms.exceptions import DomainError, IllegalTransition
from oms.notes import money_param, note
from oms.notifications import notify_customer
from orders.choices import RECEIVED_PAYMENT_STATUSES, PaymentMethod, PaymentStatus, RefundStatus
from orders.models import Order, Payment, RefundRecord
from orders.services._common import S, _check_perm, _locked
from orders.services.routing import order_mark_paid

ZERO = Decimal("0.00")
PAY_LINK_SALT = "orders.pay-link"
PAY_LINK_MAX_AGE = 7 * 24 * 3600  # a week


class ReferenceRequired(DomainError):
    def __init__(self) -> None:
        super().__init__(
            _("Give the payment reference (bank or platform transaction number)."),
            field_errors={"reference": [_("This field is required.")]},
        )


class PayLinkInvalid(DomainError):
    def __init__(self) -> None:
        super().__init__(_("This payment link is not valid or has expired. Ask us for a new one."))


def _reference(reference: str) -> str:
    reference = (reference or "").strip()
    if not reference or "\x00" in reference:
        raise ReferenceRequired()
    return reference[:100]


def _payment_of(order: Order) -> Payment | None:
    return Payment.objects.select_for_update().filter(order=order).order_by("pk").first()


@retry_on_conflict
def payment_mark_paid(*, order_id: int, reference: str, by) -> Order:
    """Finance or operations saw the money arrive for an order waiting for payment: it is paid with the
    reference, who and when are kept, and the order is routed (approved or sent to review) as usual."""
    _check_perm(by, "orders.mark_paid_payment", _("mark orders paid"))
    reference = _reference(reference)
    order = _locked(order_id)
    if order.status != S.PENDING_PAYMENT:
        raise IllegalTransition(
            _("Order %(number)s is %(status)s: only an order waiting for payment can be marked paid.")
            % {"number": order.number, "status": order.get_status_display().lower()}
        )
    order = order_mark_paid(order_id=order.pk, transaction_id=reference, by=by)
    payment = _payment_of(order)
    if payment is not None:
        payment.recorded_by = by if getattr(by, "pk", None) else None
        payment.failure_reason = ""
        payment.save(update_fields=["recorded_by", "failure_reason"])
    log_changes(
        instance=order,
        before={},
        by=by,
        action="payment",
        note=note("orders.payment_marked_paid", amount=money_param(order.total), reference=reference),
    )
    return order


def pay_token(*, order_id: int) -> str:
    return signing.dumps({"o": order_id}, salt=PAY_LINK_SALT, compress=True)


def pay_link_order_id(token: str, *, max_age: int = PAY_LINK_MAX_AGE) -> int:
    """The order a pay-again link is for; ``PayLinkInvalid`` when forged or expired."""
    try:
        return int(signing.loads(token, salt=PAY_LINK_SALT, max_age=max_age)["o"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise PayLinkInvalid() from exc


def pay_url(*, order_id: int) -> str:
    from django.conf import settings

    base = getattr(settings, "OMS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("orders:pay-again", args=[pay_token(order_id=order_id)])


@retry_on_conflict
def payment_mark_failed(*, order_id: int, reason: str, by=None) -> Payment:
    """The channel (or the payment provider) reports that the payment failed: it is marked failed and the
    customer gets a message with a link to pay again. The order keeps waiting for payment."""
    reason = (reason or "").strip()[:300] or _("declined")
    order = _locked(order_id)
    if order.status != S.PENDING_PAYMENT:
        raise IllegalTransition(
            _("Order %(number)s is %(status)s: only an order waiting for payment can have a failed payment.")
            % {"number": order.number, "status": order.get_status_display().lower()}
        )
    payment = _payment_of(order)
    if payment is None or payment.method in (PaymentMethod.COD, PaymentMethod.NONE):
        raise IllegalTransition(
            _("Order %(number)s has no payment that could fail.") % {"number": order.number}
        )
    attempt = Payment.objects.filter(order=order, status=PaymentStatus.FAILED).count() + 1
    payment.status = PaymentStatus.FAILED
    payment.failure_reason = reason
    payment.save(update_fields=["status", "failure_reason"])
    notify_customer(
        customer=order.customer,
        template="orders/notifications/payment_failed.txt",
        context={"order": order, "payment": payment, "url": pay_url(order_id=order.pk)},
        event="order.payment_failed",
        dedupe_key=f"order:{order.pk}:payment_failed:{payment.pk}:{attempt}:{timezone.now():%Y%m%d%H%M}",
    )
    log_changes(
        instance=order,
        before={},
        by=by,
        action="payment",
        note=note("orders.payment_failed", amount=money_param(payment.amount), reason=reason),
    )
    return payment


def payment_cod_collect(*, order: Order, carrier_code: str, by=None) -> Payment | None:
    """The parcel of a cash-on-delivery order was delivered: the carrier collected the money at the door.
    The caller holds the order's lock. Nothing for other methods or a COD payment already collected."""
    payment = (
        Payment.objects.select_for_update()
        .filter(order=order, method=PaymentMethod.COD, status=PaymentStatus.PENDING)
        .order_by("pk")
        .first()
    )
    if payment is None:
        return None
    payment.status = PaymentStatus.PAID
    payment.paid_at = timezone.now()
    payment.collected_by = (carrier_code or "").strip()[:32]
    payment.save(update_fields=["status", "paid_at", "collected_by"])
    log_changes(
        instance=order,
        before={},
        by=by,
        action="payment",
        note=note(
            "orders.cod_collected",
            amount=money_param(payment.amount),
            carrier=payment.collected_by or "—",
        ),
    )
    return payment


def payments_refund_recorded(*, order_id: int, amount: Decimal) -> None:
    """Money was paid back for the order (an after-sales refund or a cancellation refund): take it off the
    order's received payments, oldest first; each becomes partly refunded or refunded. The caller holds the
    order's lock."""
    left = Decimal(amount)
    payments = Payment.objects.select_for_update().filter(
        order_id=order_id, status__in=RECEIVED_PAYMENT_STATUSES
    )
    for payment in payments.order_by("pk"):
        if left <= 0:
            break
        take = min(left, payment.amount - payment.refunded_amount)
        if take <= 0:
            continue
        payment.refunded_amount += take
        left -= take
        fully = payment.refunded_amount >= payment.amount
        payment.status = PaymentStatus.REFUNDED if fully else PaymentStatus.PARTIALLY_REFUNDED
        payment.save(update_fields=["refunded_amount", "status"])


@retry_on_conflict
def refund_record_mark_paid(*, refund_id: int, reference: str, by) -> RefundRecord:
    """Finance paid out the refund owed on a cancelled paid order: done, with the reference, who and when."""
    _check_perm(by, "orders.pay_refundrecord", _("mark refunds paid out"))
    reference = _reference(reference)
    order_id = RefundRecord.objects.values_list("order_id", flat=True).get(pk=refund_id)
    order = _locked(order_id)
    refund = RefundRecord.objects.select_for_update().get(pk=refund_id)
    if refund.status != RefundStatus.OPEN:
        raise IllegalTransition(
            _("The refund of order %(number)s was already paid out on %(date)s (reference %(reference)s).")
            % {
                "number": order.number,
                "date": timezone.localtime(refund.paid_at).strftime("%Y-%m-%d") if refund.paid_at else "—",
                "reference": refund.paid_reference or "—",
            }
        )
    refund.status = RefundStatus.DONE
    refund.paid_at = timezone.now()
    refund.paid_reference = reference
    refund.paid_by = by if getattr(by, "pk", None) else None
    refund.save(update_fields=["status", "paid_at", "paid_reference", "paid_by"])
    payments_refund_recorded(order_id=order.pk, amount=refund.amount)
    log_changes(
        instance=order,
        before={},
        by=by,
        action="refund",
        note=note("orders.refund_paid_out", amount=money_param(refund.amount), reference=reference),
    )
    return refund
