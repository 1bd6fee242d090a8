"""Money for a case: refunds and compensation payments, and the finance manager's approval of large ones."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from aftersales.choices import CaseType, RefundKind, RefundStatus
from aftersales.exceptions import ReasonRequired, RefundTooHigh
from aftersales.models import AftersalesCase, Refund
from aftersales.selectors import refundable_for_order
from aftersales.services._common import _absolute, _check_perm, _customer_message, _lock_case, money
from aftersales.services.supplier_charges import _charge_supplier
from oms.audit import log_changes, run_transition
from oms.db import retry_on_conflict
from oms.exceptions import IllegalTransition
from oms.models import OutboxMessage
from oms.notes import choice_param, money_param
from oms.notes import note as make_note
from oms.notifications import outbox_enqueue, render_message


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
    _log_refund(case, refund, by=by)
    if needs_approval:
        _ask_finance_manager(refund, case)
    else:
        _money_done(case, refund, by=by)
    return refund


def _log_refund(case: AftersalesCase, refund: Refund, *, by) -> None:
    """The refund shows on its case's timeline from the moment it is recorded (approved or waiting)."""
    record = make_note(
        "aftersales.refund_recorded",
        amount=money_param(refund.amount),
        state=choice_param("aftersales.Refund.status", refund.status),
    )
    log_changes(instance=case, before={}, by=by, action="refund_recorded", note=record)


def _money_done(case: AftersalesCase, refund: Refund, *, by) -> None:
    from orders.services import invoices_refund_recorded, payments_refund_recorded

    run_transition(
        case,
        _money_transition(case),
        by=by,
        note=make_note("aftersales.refunded", amount=money_param(refund.amount), currency=refund.currency),
    )
    case.resolved_at = timezone.now()
    case.save()
    _charge_supplier(case)
    # The payment shows what went back (partly refunded / refunded); orders owns it.
    payments_refund_recorded(order_id=case.order_id, amount=refund.amount)
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
