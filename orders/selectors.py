"""Reads shared by the screens, the API and exports: queues in priority order, one order with everything;
customers (list, profile figures, likely duplicates) and invoices."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.utils import timezone

from orders.choices import RECEIVED_PAYMENT_STATUSES, REVIEW_STATUSES, SLA_STATUSES, OrderStatus
from orders.hooks import refunds_from_other_apps
from orders.models import (
    Address,
    Customer,
    Invoice,
    Order,
    OrderLine,
    OrderLineAllocation,
    Payment,
    RefundRecord,
)
from orders.validation import normalize_phone

S = OrderStatus
QUEUE_ORDER = (F("priority").desc(), F("paid_at").asc(nulls_last=True), "id")


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
        Order.objects.select_related(
            "channel", "customer", "shipping_address", "reship_of", "created_by", "split_from", "merged_into"
        )
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
            Prefetch("payments", queryset=Payment.objects.select_related("recorded_by").order_by("pk")),
            "refunds",
            "tags",
            "reships",
            "splits",
            "merged_orders",
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


# --- customers --------------------------------------------------------------------------------


def customers_for_list(*, q: str = "") -> QuerySet:
    """Customers (merged duplicates left out) with their order count and last order, newest first.

    Search: a phone (exact, spaces and dashes ignored), an e-mail (exact, any case) or the start of a name.
    """
    qs = Customer.objects.filter(merged_into__isnull=True)
    value = (q or "").strip()
    if value:
        phone = normalize_phone(value)
        if "@" in value:
            qs = qs.filter(email__iexact=value)
        elif phone.lstrip("+").isdigit():
            qs = qs.filter(Q(phone=phone) | Q(addresses__phone=phone)).distinct()
        else:
            qs = qs.filter(name__startswith=value)
    return qs.annotate(
        order_count=Count("orders", distinct=True), last_order_at=Max("orders__placed_at")
    ).order_by(F("last_order_at").desc(nulls_last=True), "-pk")


def customer_summary(customer) -> dict:
    """Lifetime value (paid minus every refund), average order value, orders per channel (never stored)."""
    orders = Order.objects.filter(customer=customer)
    zero = Decimal("0.00")
    paid = (
        Payment.objects.filter(order__customer=customer, status__in=RECEIVED_PAYMENT_STATUSES).aggregate(
            s=Sum("amount")
        )["s"]
        or zero
    )
    refunded = RefundRecord.objects.filter(order__customer=customer).aggregate(s=Sum("amount"))["s"] or zero
    order_ids = list(orders.values_list("pk", flat=True))
    refunded += sum(refunds_from_other_apps(order_ids).values(), zero)
    kept = orders.exclude(status=S.CANCELLED).aggregate(n=Count("pk"), avg=Avg("total"))
    channels = list(
        orders.order_by().values("channel__name").annotate(n=Count("pk"), total=Sum("total")).order_by("-n")
    )
    return {
        "orders": len(order_ids),
        "orders_kept": kept["n"] or 0,
        "cancelled": orders.filter(status=S.CANCELLED).count(),
        "paid": paid,
        "refunded": refunded,
        "lifetime_value": paid - refunded,
        "average_order_value": (kept["avg"] or zero).quantize(Decimal("0.01")),
        "channels": channels,
    }


def customer_orders(customer, *, limit: int = 100) -> list[Order]:
    return list(
        Order.objects.filter(customer=customer)
        .select_related("channel")
        .order_by("-placed_at", "-pk")[:limit]
    )


def customer_duplicates(customer) -> QuerySet:
    """Other customers who are probably the same person: the same e-mail, or a phone seen on either side."""
    phones = {customer.phone, *Address.objects.filter(customer=customer).values_list("phone", flat=True)}
    phones.discard("")
    q = Q(phone__in=phones) | Q(addresses__phone__in=phones)
    if customer.email:
        q |= Q(email__iexact=customer.email)
    ids = (
        Customer.objects.filter(q, merged_into__isnull=True, anonymised_at__isnull=True)
        .exclude(pk=customer.pk)
        .values("pk")
    )
    return Customer.objects.filter(pk__in=ids).annotate(order_count=Count("orders")).order_by("pk")


# --- invoices ---------------------------------------------------------------------------------


def invoices_for_list() -> QuerySet:
    return Invoice.objects.select_related("order__channel", "order__customer", "issued_by").order_by(
        "-created_at", "-pk"
    )


def invoice_detail(*, pk: int):
    return Invoice.objects.select_related(
        "order__channel", "order__customer", "issued_by", "requested_by"
    ).get(pk=pk)


def order_by_number(number: str, *, with_lines: bool = False) -> Order | None:
    """The order with this number (any letter case) and its customer, or None; ``with_lines`` also its
    store and lines (a form that lists them)."""
    number = (number or "").strip()
    if not number:
        return None
    qs = Order.objects.select_related("customer")
    if with_lines:
        qs = qs.select_related("channel").prefetch_related("lines")
    return qs.filter(number__iexact=number).first()


def customer_by_phone(phone: str) -> Customer | None:
    return Customer.objects.filter(phone=phone).first()


def customers_by_phone(phone: str, *, limit: int = 3) -> list[dict]:
    """Customers with this phone (theirs or an address's), each with their latest address: the manual
    order form's lookup. Empty unless the phone is complete."""
    phone = normalize_phone(phone or "")
    if len(phone.lstrip("+")) < 7 or not phone.lstrip("+").isdigit():
        return []
    customers = list(
        Customer.objects.filter(merged_into__isnull=True, anonymised_at__isnull=True)
        .filter(Q(phone=phone) | Q(addresses__phone=phone))
        .distinct()
        .annotate(order_count=Count("orders", distinct=True))
        .order_by("-pk")[:limit]
    )
    latest: dict[int, Address] = {}
    for address in Address.objects.filter(customer__in=customers).order_by("customer_id", "-pk"):
        latest.setdefault(address.customer_id, address)
    return [{"customer": c, "address": latest.get(c.pk)} for c in customers]


def address_for_phone(*, address_id: int, phone: str) -> Address | None:
    """The address, if its customer (or the address itself) has this phone: a form may copy it."""
    phone = normalize_phone(phone or "")
    if not phone:
        return None
    return (
        Address.objects.select_related("customer")
        .filter(pk=address_id)
        .filter(Q(phone=phone) | Q(customer__phone=phone))
        .first()
    )
