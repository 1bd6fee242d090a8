"""Customer notices about their orders (paid, cancelled, shipped, delivered), queued in the outbox."""

from __future__ import annotations

from oms.notifications import customer_message, notify_customer
from orders.models import Order


def _notify(order: Order, event: str) -> None:
    """Queue the notice of ``event`` for the order's customer in the current transaction."""
    notify_customer(
        customer=order.customer,
        template=f"orders/notifications/{event}.txt",
        context={"order": order},
        event=f"order.{event}",
        dedupe_key=f"order:{order.pk}:{event}",
    )


def _notification(order: Order, event: str) -> dict | None:
    """The outbox message for ``event`` of a saved order, as ``outbox_enqueue``'s arguments (None: the
    customer is not to be told).

    The batch intake queues a whole batch's notices with one INSERT (``outbox_enqueue_many``), so it needs
    the message itself rather than ``notify_customer``, which queues one at once.
    """
    return customer_message(
        customer=order.customer,
        template=f"orders/notifications/{event}.txt",
        context={"order": order},
        event=f"order.{event}",
        dedupe_key=f"order:{order.pk}:{event}",
    )
