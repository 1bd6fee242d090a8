"""Reads shared by the screens, the API and exports: queues in priority order, one order with everything."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import DateTimeField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Value
from django.utils import timezone

from orders.choices import REVIEW_STATUSES, OrderStatus
from orders.models import Order, OrderLine, OrderLineAllocation

S = OrderStatus
QUEUE_ORDER = (F("priority").desc(), F("paid_at").asc(nulls_last=True), "id")
SLA_STATUSES = [
    S.PAID,
    S.ON_REVIEW,
    S.FINANCE_REVIEW,
    S.APPROVED,
    S.BACKORDERED,
    S.ALLOCATED,
    S.IN_FULFILLMENT,
]


def orders_for_list() -> QuerySet[Order]:
    """Every order, queue order, with what a list row shows (constant number of queries per page)."""
    return Order.objects.select_related("channel", "customer").prefetch_related("tags").order_by(*QUEUE_ORDER)


def with_sla_deadline(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.alias(
        sla_deadline=ExpressionWrapper(
            F("paid_at") + F("channel__sla_hours") * Value(timedelta(hours=1)), output_field=DateTimeField()
        )
    )


def late_q(now=None) -> Q:
    return Q(status__in=SLA_STATUSES, sla_deadline__lt=now or timezone.now())


def orders_awaiting_review(*, finance_only: bool = False) -> QuerySet[Order]:
    statuses = [S.FINANCE_REVIEW] if finance_only else REVIEW_STATUSES
    return orders_for_list().filter(status__in=statuses)


def orders_exceptions(*, kind: str = "") -> QuerySet[Order]:
    """On hold, backordered, or late against the channel's SLA."""
    qs = with_sla_deadline(orders_for_list())
    if kind == "on_hold":
        return qs.filter(status=S.ON_HOLD)
    if kind == "backordered":
        return qs.filter(status=S.BACKORDERED)
    if kind == "late":
        return qs.filter(late_q())
    return qs.filter(Q(status__in=[S.ON_HOLD, S.BACKORDERED]) | late_q())


def exception_counts() -> dict[str, int]:
    qs = with_sla_deadline(Order.objects.all())
    return {
        "on_hold": Order.objects.filter(status=S.ON_HOLD).count(),
        "backordered": Order.objects.filter(status=S.BACKORDERED).count(),
        "late": qs.filter(late_q()).count(),
        "review": Order.objects.filter(status__in=REVIEW_STATUSES).count(),
    }


def order_detail(*, pk: int) -> Order:
    return (
        Order.objects.select_related("channel", "customer", "shipping_address", "reship_of", "created_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("sku").prefetch_related(
                    Prefetch(
                        "allocations",
                        queryset=OrderLineAllocation.objects.select_related("warehouse").order_by("pk"),
                    )
                ),
            ),
            "payments",
            "refunds",
            "tags",
            "reships",
        )
        .get(pk=pk)
    )


def customer_history(customer_id: int) -> dict:
    """Purchase history derived from the orders (never stored)."""
    from django.db.models import Count, Sum

    qs = Order.objects.filter(customer_id=customer_id).exclude(status=S.CANCELLED)
    agg = qs.aggregate(n=Count("pk"), total=Sum("total"))
    return {
        "orders": agg["n"] or 0,
        "total": agg["total"],
        "cancelled": Order.objects.filter(customer_id=customer_id, status=S.CANCELLED).count(),
    }
