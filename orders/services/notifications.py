"""Customer notices about their orders (paid, cancelled, shipped, delivered), queued in the outbox."""

from __future__ import annotations

from oms.models import OutboxMessage
from oms.notifications import notify_customer, render_message
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


def _notification(order: Order, event: str) -> dict:
    """The outbox message for ``event`` of a saved order, as ``outbox_enqueue``'s arguments.

    The batch intake queues a whole batch's notices with one INSERT (``outbox_enqueue_many``), so it needs
    the message itself rather than ``notify_customer``, which queues one at once.
    """
    customer = order.customer
    language = customer.language or "zh-hans"
    subject, body = render_message(
        f"orders/notifications/{event}.txt", {"order": order, "customer": customer}, language=language
    )
    if customer.email:
        channel, recipient = OutboxMessage.Channel.EMAIL, customer.email
    else:
        channel, recipient = OutboxMessage.Channel.SMS, customer.phone
    return {
        "channel": channel,
        "recipient": recipient,
        "subject": subject,
        "body": body,
        "language": language,
        "event": f"order.{event}",
        "dedupe_key": f"order:{order.pk}:{event}",
    }
