"""Reads of the orders app's money: refunds owed on cancelled paid orders, payments, cash on delivery collected."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from orders.choices import PaymentMethod, PaymentStatus, RefundStatus
from orders.models import Order, Payment, RefundRecord

ZERO = Decimal("0.00")


def refunds_owed_for_list() -> QuerySet[RefundRecord]:
    """Refunds of cancelled paid orders, with their order, channel and who paid them out (one query a page)."""
    return RefundRecord.objects.select_related("order__channel", "order__customer", "paid_by")


def refunds_owed_totals(qs: QuerySet[RefundRecord]) -> dict:
    """How many refunds and how much money in ``qs``, still open and paid out."""
    open_q = {"status": RefundStatus.OPEN}
    return {
        "open_count": qs.filter(**open_q).count(),
        "open_amount": qs.filter(**open_q).aggregate(s=Sum("amount"))["s"] or ZERO,
    }


def pay_link_order(*, order_id: int) -> Order | None:
    """The order a pay-again link shows (number, amount, whether it still waits for payment)."""
    return Order.objects.select_related("channel", "customer").filter(pk=order_id).first()


def cod_collected_by_carrier() -> dict[str, dict]:
    """Cash on delivery collected at the door, per carrier code: orders and amount (for the COD reconciliation)."""
    rows = (
        Payment.objects.filter(method=PaymentMethod.COD)
        .exclude(status=PaymentStatus.PENDING)
        .exclude(status=PaymentStatus.FAILED)
        .values("collected_by")
        .annotate(orders=Count("pk"), amount=Sum("amount"))
    )
    return {row["collected_by"]: {"orders": row["orders"], "amount": row["amount"] or ZERO} for row in rows}


def cod_pending_by_carrier_codes() -> Decimal:
    """Cash on delivery not collected yet (parcels still on their way), in all."""
    return (
        Payment.objects.filter(method=PaymentMethod.COD, status=PaymentStatus.PENDING).aggregate(
            s=Sum("amount")
        )["s"]
        or ZERO
    )


def cod_payments_collected(*, carrier_code: str) -> QuerySet[Payment]:
    """The COD payments one carrier collected, newest first, with their order."""
    return (
        Payment.objects.filter(method=PaymentMethod.COD, collected_by=carrier_code)
        .exclude(status__in=[PaymentStatus.PENDING, PaymentStatus.FAILED])
        .select_related("order")
        .order_by("-paid_at", "-pk")
    )
