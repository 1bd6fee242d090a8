"""The one way other code locks orders' rows: always through these, in primary-key order.

Every service that changes an order and something hanging off it (a shipment, an after-sales case)
locks the order first, then its own rows, so two services never wait on each other in opposite order.
"""

from __future__ import annotations

from collections.abc import Iterable

from orders.models import Order

ORDER_LOCK_RELATED = ("customer", "channel", "shipping_address")


def order_lock(*, order_id: int, related: Iterable[str] = ORDER_LOCK_RELATED) -> Order:
    """Lock one order's row (only the order's row, not the related rows it reads) and return it."""
    return Order.objects.select_for_update(of=("self",)).select_related(*related).get(pk=order_id)


def orders_lock(*, order_ids: Iterable[int], related: Iterable[str] = ()) -> list[Order]:
    """Lock several orders' rows in primary-key order and return them in that order."""
    return list(
        Order.objects.select_for_update(of=("self",))
        .select_related(*related)
        .filter(pk__in=list(order_ids))
        .order_by("pk")
    )
