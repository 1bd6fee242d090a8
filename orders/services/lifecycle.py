"""An order's life after intake: review (approve / reject), hold and resume, cancel, and the fulfilment marks
(released to the floor, shipped, delivered) that the fulfillment app sets.

Each service locks the order first (then inventory locks its stock rows in (sku, warehouse) order), runs the
transition through ``oms.audit.run_transition`` and saves in the same transaction; tasks are sent on commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.services import reservation_release
from oms.audit import run_transition
from oms.db import retry_on_conflict
from oms.dispatch import task_send_on_commit
from oms.exceptions import DomainError
from oms.notes import note as make_note
from orders.choices import RECEIVED_PAYMENT_STATUSES, PaymentMethod, RefundKind
from orders.models import Order, OrderLineAllocation, RefundRecord
from orders.services._common import S, _locked, _require_reason
from orders.services.notifications import _notify
from orders.services.payments import payment_cod_collect

# --------------------------------------------------------------------------------------------
# Review
# --------------------------------------------------------------------------------------------


@retry_on_conflict
def order_approve(*, order_id: int, by=None, note: str = "") -> Order:
    """Approve an order on review; a large one goes on to the finance review, the finance review approves it."""
    order = _locked(order_id)
    if order.status == S.FINANCE_REVIEW:
        run_transition(order, "finance_approve", by=by, note=note)
    elif order.status == S.ON_REVIEW and order.needs_finance_review:
        run_transition(order, "send_to_finance", by=by, note=note)
    else:
        run_transition(order, "approve", by=by, note=note)
    if order.status == S.APPROVED:
        order.approved_at = timezone.now()
        if settings.OMS_ALLOCATE_ON_INTAKE:
            task_send_on_commit("orders.tasks.allocate_order_task", order_id=order.pk)
    order.review_note = note[:300]
    order.save()
    return order


@retry_on_conflict
def order_reject(*, order_id: int, by=None, reason: str) -> Order:
    """Reject an order on (finance) review: it is cancelled with the reason; a paid one opens a refund."""
    _require_reason(reason)
    order = _locked(order_id)
    name = "finance_reject" if order.status == S.FINANCE_REVIEW else "reject"
    run_transition(order, name, by=by, note=reason)
    _after_cancel(order, reason=reason, by=by)
    order.review_note = reason[:300]
    order.save()
    return order


def orders_bulk_approve(
    *, order_ids: list[int], by=None, note: str = ""
) -> tuple[list[Order], dict[int, str]]:
    """Approve each order on its own (one transaction each, in id order); report the refused ones."""
    approved, refused = [], {}
    for order_id in sorted(set(order_ids)):
        try:
            approved.append(order_approve(order_id=order_id, by=by, note=note))
        except DomainError as exc:
            refused[order_id] = exc.message
        except Order.DoesNotExist:
            refused[order_id] = _("No such order.")
    return approved, refused


# --------------------------------------------------------------------------------------------
# Hold, resume, cancel
# --------------------------------------------------------------------------------------------


@retry_on_conflict
def order_hold(*, order_id: int, by=None, reason: str) -> Order:
    _require_reason(reason)
    order = _locked(order_id)
    run_transition(order, "hold", by=by, note=reason)
    order.hold_reason = reason.strip()[:300]
    order.save()
    return order


@retry_on_conflict
def order_resume(*, order_id: int, by=None, note: str = "") -> Order:
    order = _locked(order_id)
    run_transition(order, "resume", by=by, note=note)
    order.hold_reason = ""
    order.save()
    return order


@retry_on_conflict
def order_cancel(*, order_id: int, by=None, reason: str, check_perm: bool = True) -> Order:
    """Cancel before shipment: reservations released through inventory, a refund record opened if paid."""
    _require_reason(reason)
    order = _locked(order_id)
    run_transition(order, "cancel", by=by, note=reason, check_perm=check_perm)
    _after_cancel(order, reason=reason, by=by)
    order.save()
    return order


def _after_cancel(order: Order, *, reason: str, by) -> None:
    refs = [f"order-line:{pk}" for pk in order.lines.order_by("pk").values_list("pk", flat=True)]
    if refs:
        reservation_release(
            demand_refs=refs, reason=make_note("orders.order_cancelled", number=order.number), by=by
        )
        OrderLineAllocation.objects.filter(line__order=order, released_at__isnull=True).update(
            released_at=timezone.now()
        )
    order.cancel_reason = reason.strip()[:300]
    order.cancelled_at = timezone.now()
    received = order.payments.filter(status__in=RECEIVED_PAYMENT_STATUSES).aggregate(
        s=Sum(F("amount") - F("refunded_amount"))
    )
    paid = received["s"] or Decimal("0")
    # What an edit to a lower total already owes back is not refunded twice.
    owed = order.refunds.exclude(kind=RefundKind.CANCELLATION).aggregate(s=Sum("amount"))["s"] or Decimal("0")
    if paid - owed > 0:
        RefundRecord.objects.get_or_create(
            order=order,
            kind=RefundKind.CANCELLATION,
            defaults={"amount": paid - owed, "reason": reason.strip()[:300]},
        )
    _notify(order, "cancelled")


def orders_cancel_unpaid(*, now=None) -> int:
    """Cancel orders still unpaid ``OMS_UNPAID_CANCEL_MINUTES`` after they were placed; returns how many.

    Cash on delivery is never cancelled as unpaid: the customer pays the courier, so it stays unpaid until then.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.OMS_UNPAID_CANCEL_MINUTES)
    ids = list(
        Order.objects.filter(status=S.PENDING_PAYMENT, placed_at__lt=cutoff)
        .exclude(payments__method=PaymentMethod.COD)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done = 0
    reason = make_note("orders.not_paid_in_time", minutes=settings.OMS_UNPAID_CANCEL_MINUTES)
    for order_id in ids:
        try:
            order_cancel(order_id=order_id, reason=reason, check_perm=False)
            done += 1
        except DomainError:  # paid or cancelled meanwhile
            continue
    return done


# --------------------------------------------------------------------------------------------
# Fulfilment marks (driven by the fulfillment app)
# --------------------------------------------------------------------------------------------


@retry_on_conflict
def order_mark_released(*, order_id: int, by=None) -> Order:
    order = _locked(order_id)
    run_transition(order, "release_to_floor", by=by, check_perm=False)
    order.save()
    return order


@retry_on_conflict
def order_mark_shipped(*, order_id: int, partial: bool = False, by=None, notify: bool = True) -> Order:
    """``notify=False``: the caller tells the customer itself (fulfillment sends one message per parcels
    shipped together, however many orders they carry)."""
    order = _locked(order_id)
    run_transition(order, "ship_partially" if partial else "ship", by=by, check_perm=False)
    if notify and not partial:
        _notify(order, "shipped")
    order.save()
    return order


@retry_on_conflict
def order_mark_delivered(
    *,
    order_id: int,
    by=None,
    delivered_at: datetime | None = None,
    collected_by: str = "",
    notify: bool = True,
) -> Order:
    """The last parcel arrived (at the carrier's ``delivered_at``, else now): the after-sales window starts.

    Cash on delivery is collected now, by the carrier ``collected_by`` (its code) that delivered it.
    ``notify=False``: the caller tells the customer itself (one message per delivered parcel)."""
    order = _locked(order_id)
    run_transition(order, "deliver", by=by, check_perm=False)
    payment_cod_collect(order=order, carrier_code=collected_by, by=by)
    now = timezone.now()
    order.delivered_at = min(delivered_at, now) if delivered_at else now
    if notify:
        _notify(order, "delivered")
    order.save()
    return order
