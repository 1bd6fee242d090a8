"""Invoices (开票): request, issue, send, void; a refund after issuance flags a red-letter invoice.

"Paid minus refunds" = payments − cancellation refunds (``RefundRecord``) − what the refund providers
registered in ``orders.hooks`` report (aftersales: its completed refunds of kind "refund"). A refund recorded
after an invoice was issued: aftersales calls ``invoices_refund_recorded`` in the refund's own transaction,
which flags the issued / sent invoice for a red-letter invoice (orders never imports aftersales).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.audit import log_changes, run_transition
from oms.db import retry_on_conflict
from oms.exceptions import DomainError, IllegalTransition
from oms.models import OutboxMessage
from oms.notes import money_param, ref_param
from oms.notes import note as make_note
from oms.notifications import outbox_enqueue, render_message
from oms.privacy import mask_email
from orders.choices import (
    INVOICEABLE_ORDER_STATUSES,
    LIVE_INVOICE_STATUSES,
    RECEIVED_PAYMENT_STATUSES,
    InvoiceStatus,
    InvoiceType,
)
from orders.exceptions import (
    InvoiceAlreadyExists,
    InvoiceAmountWrong,
    InvoiceFieldError,
    InvoiceNumberTaken,
    NothingToInvoice,
    OrderNotInvoiceable,
)
from orders.hooks import refunds_from_other_apps
from orders.models import Invoice, Payment, RefundRecord
from orders.services._common import _check_perm, _locked, _require_reason
from orders.validation import EMAIL, Errors, _money

TAXPAYER_ID = re.compile(r"^[0-9A-Z]{15,20}$")
INVOICE_NUMBER = re.compile(r"^[0-9A-Za-z-]{1,32}$")


@dataclass(frozen=True)
class Invoiceable:
    paid: Decimal
    refunded: Decimal

    @property
    def amount(self) -> Decimal:
        return max(self.paid - self.refunded, Decimal("0.00"))


def order_invoiceable(*, order_id: int) -> Invoiceable:
    """What an invoice of the order is for: paid, minus cancellation refunds and after-sales refunds."""
    paid = Payment.objects.filter(order_id=order_id, status__in=RECEIVED_PAYMENT_STATUSES).aggregate(
        s=Sum("amount")
    )["s"] or Decimal("0.00")
    cancelled = RefundRecord.objects.filter(order_id=order_id).aggregate(s=Sum("amount"))["s"] or Decimal(
        "0.00"
    )
    others = refunds_from_other_apps([order_id])[order_id]
    return Invoiceable(paid=paid, refunded=cancelled + others)


def _clean_invoice_request(*, invoice_type: str, title: str, taxpayer_id: str, email: str) -> dict:
    errors = Errors()
    title = (title or "").strip()
    taxpayer_id = (taxpayer_id or "").strip().upper().replace(" ", "")
    email = (email or "").strip()
    if invoice_type not in InvoiceType.values:
        errors.add("invoice_type", _("Choose ordinary or special VAT invoice."))
    if not title:
        errors.add("title", _("This field is required."))
    elif len(title) > 200:
        errors.add("title", _("At most 200 characters."))
    if taxpayer_id and not TAXPAYER_ID.match(taxpayer_id):
        errors.add(
            "taxpayer_id",
            _("A taxpayer id has 15 to 20 digits and capital letters, e.g. 91310000MA1FL8XQ30."),
        )
    elif not taxpayer_id and invoice_type == InvoiceType.SPECIAL:
        errors.add("taxpayer_id", _("A special VAT invoice needs the buyer's taxpayer id."))
    if not email:
        errors.add("email", _("This field is required: the invoice is sent to this e-mail."))
    elif not EMAIL.match(email) or len(email) > 254:
        errors.add("email", _("Enter a valid e-mail address."))
    if errors:
        first = next(iter(errors.by_field.values()))[0]
        raise DomainError(
            _("The invoice request was not saved: %(problem)s") % {"problem": first},
            field_errors=errors.by_field,
        )
    return {"invoice_type": invoice_type, "title": title, "taxpayer_id": taxpayer_id, "email": email}


def _live_invoice(order_id: int) -> Invoice | None:
    return Invoice.objects.filter(order_id=order_id, status__in=LIVE_INVOICE_STATUSES).first()


@retry_on_conflict
def invoice_request(
    *,
    order_id: int,
    invoice_type: str,
    title: str,
    email: str,
    taxpayer_id: str = "",
    note: str = "",
    by=None,
) -> Invoice:
    """A customer (through operations) asks for an invoice of a delivered order; finance issues it later."""
    _check_perm(by, "orders.request_invoice", _("request invoices"))
    data = _clean_invoice_request(
        invoice_type=invoice_type, title=title, taxpayer_id=taxpayer_id, email=email
    )
    order = _locked(order_id)
    if order.status not in INVOICEABLE_ORDER_STATUSES:
        raise OrderNotInvoiceable(number=order.number, status_label=order.get_status_display())
    live = _live_invoice(order.pk)
    if live is not None:
        raise InvoiceAlreadyExists(
            number=order.number, invoice=str(live), status_label=live.get_status_display()
        )
    if order_invoiceable(order_id=order.pk).amount <= 0:
        raise NothingToInvoice(number=order.number)
    invoice = Invoice.objects.create(
        order=order,
        currency=order.currency,
        note=(note or "").strip()[:300],
        requested_by=by if getattr(by, "pk", None) else None,
        **data,
    )
    log_changes(
        instance=invoice,
        before={},
        by=by,
        action="create",
        note=make_note("orders.invoice_requested", number=order.number),
    )
    return invoice


def _lock_invoice(invoice_id: int) -> Invoice:
    """Lock the invoice's order, then the invoice (the fixed order of every invoice service)."""
    order_id = Invoice.objects.values_list("order_id", flat=True).get(pk=invoice_id)
    order = _locked(order_id)
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice_id)
    invoice.order = order
    return invoice


@retry_on_conflict
def invoice_issue(*, invoice_id: int, number: str, amount, issued_on=None, by=None) -> Invoice:
    """Finance issues a requested invoice: its number, date and amount (paid minus refunds, exactly)."""
    invoice = _lock_invoice(invoice_id)
    if invoice.status != InvoiceStatus.REQUESTED:
        raise IllegalTransition(
            _(
                "Invoice %(invoice)s is %(state)s: an invoice is issued once only. Void it first to issue a new one."
            )
            % {"invoice": str(invoice), "state": invoice.get_status_display().lower()}
        )
    number, asked, issued_on = _clean_issue(number=number, amount=amount, issued_on=issued_on)
    order = invoice.order
    if order.status not in INVOICEABLE_ORDER_STATUSES:
        raise OrderNotInvoiceable(number=order.number, status_label=order.get_status_display())
    due = order_invoiceable(order_id=order.pk)
    if asked != due.amount:
        raise InvoiceAmountWrong(
            asked=asked,
            invoiceable=due.amount,
            paid=due.paid,
            refunded=due.refunded,
            currency=invoice.currency,
        )
    if due.amount <= 0:
        raise NothingToInvoice(number=order.number)
    if Invoice.objects.filter(number=number).exists():
        raise InvoiceNumberTaken(number)
    run_transition(
        invoice,
        "issue",
        by=by,
        note=make_note(
            "orders.invoice_issued", number=number, amount=money_param(asked), currency=invoice.currency
        ),
    )
    invoice.number = number
    invoice.amount = asked
    invoice.issued_on = issued_on
    invoice.issued_at = timezone.now()
    invoice.issued_by = by if getattr(by, "pk", None) else None
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError as exc:  # a concurrent issue took the number between the check and the save
        raise InvoiceNumberTaken(number) from exc
    return invoice


def _clean_issue(*, number: str, amount, issued_on) -> tuple[str, Decimal, object]:
    """Finance's entries for an issue (number, amount, date), cleaned; refused together with every problem."""
    errors = Errors()
    number = (number or "").strip()
    if not number:
        errors.add("number", _("This field is required."))
    elif not INVOICE_NUMBER.match(number):
        errors.add("number", _("Use digits, letters and dashes only, at most 32."))
    asked = _money(amount, "amount", errors, required=True)
    today = timezone.localdate()
    issued_on = issued_on or today
    if issued_on > today:
        errors.add("issued_on", _("The invoice date cannot be in the future."))
    if errors:
        first = next(iter(errors.by_field.values()))[0]
        raise DomainError(
            _("The invoice was not issued: %(problem)s") % {"problem": first}, field_errors=errors.by_field
        )
    return number, asked, issued_on


@retry_on_conflict
def invoice_send(*, invoice_id: int, by=None) -> Invoice:
    """Send an issued invoice to its e-mail, through the outbox (delivered after commit, once)."""
    invoice = _lock_invoice(invoice_id)
    if invoice.status == InvoiceStatus.ISSUED and not invoice.email:
        raise InvoiceFieldError(
            "email", _("This invoice has no e-mail to send it to (the customer was anonymised).")
        )
    run_transition(invoice, "send", by=by, note=invoice.email and mask_email(invoice.email))
    invoice.sent_at = timezone.now()
    invoice.save()
    customer = invoice.order.customer
    language = customer.language or "zh-hans"
    subject, body = render_message(
        "orders/notifications/invoice_sent.txt",
        {"invoice": invoice, "order": invoice.order, "customer": customer},
        language=language,
    )
    outbox_enqueue(
        channel=OutboxMessage.Channel.EMAIL,
        recipient=invoice.email,
        subject=subject,
        body=body,
        language=language,
        event="invoice.sent",
        dedupe_key=f"invoice:{invoice.pk}:sent",
    )
    return invoice


@retry_on_conflict
def invoice_void(*, invoice_id: int, reason: str, red_letter_number: str = "", by=None) -> Invoice:
    """Void an invoice (or refuse a request) with a reason; a flagged one needs its red-letter number."""
    _require_reason(reason)
    invoice = _lock_invoice(invoice_id)
    red_letter_number = (red_letter_number or "").strip()
    if invoice.status == InvoiceStatus.RED_LETTER_NEEDED and not red_letter_number:
        raise InvoiceFieldError(
            "red_letter_number",
            _("Enter the number of the red-letter invoice issued in the tax system, then void this one."),
        )
    if red_letter_number and not INVOICE_NUMBER.match(red_letter_number):
        raise InvoiceFieldError("red_letter_number", _("Use digits, letters and dashes only, at most 32."))
    run_transition(invoice, "void", by=by, note=reason.strip())
    invoice.void_reason = reason.strip()[:300]
    invoice.red_letter_number = red_letter_number
    invoice.voided_at = timezone.now()
    invoice.save()
    return invoice


@retry_on_conflict
def invoice_flag_red_letter(*, invoice_id: int, reason: str, by=None) -> Invoice:
    """The invoiced amount is no longer right (a refund): finance must issue a red-letter invoice."""
    invoice = _lock_invoice(invoice_id)
    run_transition(invoice, "flag_red_letter", by=by, check_perm=False, note=reason)
    invoice.red_letter_reason = reason[:300]
    invoice.save()
    return invoice


def invoices_refund_recorded(*, order_id: int, amount, reference: str = "", by=None) -> list[Invoice]:
    """Called in the transaction that records a refund of ``order_id`` (aftersales calls it).

    An issued or sent invoice no longer matches what was paid: it is flagged for a red-letter invoice.
    A request not issued yet needs nothing: its amount is worked out when it is issued.
    """
    flagged = []
    ids = Invoice.objects.filter(
        order_id=order_id, status__in=[InvoiceStatus.ISSUED, InvoiceStatus.SENT]
    ).values_list("pk", flat=True)
    reason = make_note(
        "orders.refund_after_issuance", amount=money_param(amount), reference=ref_param(reference)
    )
    for invoice_id in sorted(ids):
        flagged.append(invoice_flag_red_letter(invoice_id=invoice_id, reason=reason, by=by))
    return flagged
