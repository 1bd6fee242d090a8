"""Tracking numbers back to the shop: queued in the outbox in the shipment's own transaction (so exactly when
it commits, once per parcel and order), delivered by ``connectors.delivery`` with retries."""

from __future__ import annotations

import json

from connectors.crypto import decrypt_secrets
from connectors.models import Connection
from connectors.platforms import adapter_for, has_api
from oms.models import OutboxMessage
from oms.notifications import outbox_enqueue
from orders.choices import OrderStatus
from orders.models import Order

WRITEBACK_EVENT = "connectors.fulfillment"


def writeback_key_prefix(order_id: int) -> str:
    return f"connectors:ship:o{order_id}:"


def shipment_shipped(*, shipment, by=None) -> list[OutboxMessage]:
    """The ``fulfillment.hooks`` shipped handler: one write-back per order of the parcel whose shop wants it."""
    lines = list(shipment.lines.select_related("order_line").order_by("pk"))
    order_ids = sorted({line.order_line.order_id for line in lines if line.order_line_id})
    orders = Order.objects.filter(pk__in=order_ids).exclude(external_id="").order_by("pk")
    connections = {
        c.channel_id: c
        for c in Connection.objects.filter(
            channel_id__in=[o.channel_id for o in orders], is_active=True, write_back=True
        )
        if has_api(c.platform)
    }
    carrier = shipment.carrier_service.carrier.name if shipment.carrier_service_id else ""
    queued = []
    for order in orders:
        connection = connections.get(order.channel_id)
        if connection is None:
            continue
        body = {
            "kind": "fulfillment",
            "connection_id": connection.pk,
            "order_id": order.pk,
            "external_id": order.external_id,
            "shipment": shipment.number,
            "tracking_number": shipment.tracking_number,
            "carrier": carrier,
            "tracking_url": _tracking_url(shipment),
            "lines": [
                [line.order_line.sku_code, line.quantity]
                for line in lines
                if line.order_line_id and line.order_line.order_id == order.pk
            ],
            "final": order.status == OrderStatus.SHIPPED,
        }
        message = outbox_enqueue(
            channel=OutboxMessage.Channel.CONNECTOR,
            recipient=f"connection:{connection.pk}",
            subject=f"{order.number} → {shipment.tracking_number}",
            body=json.dumps(body, ensure_ascii=False),
            event=WRITEBACK_EVENT,
            dedupe_key=f"{writeback_key_prefix(order.pk)}s{shipment.pk}",
        )
        queued.append(message)
    return queued


def _tracking_url(shipment) -> str:
    from fulfillment.selectors import tracking_link

    return tracking_link(shipment)


def fulfillment_deliver(*, data: dict) -> str:
    """Send one queued write-back (from the outbox); an error is raised for the outbox to retry."""
    connection = Connection.objects.get(pk=data["connection_id"])
    adapter = adapter_for(connection, decrypt_secrets(connection.secrets))
    return adapter.push_fulfillment(
        external_id=data["external_id"],
        tracking_number=data["tracking_number"],
        carrier=data["carrier"],
        tracking_url=data["tracking_url"],
        lines=[tuple(pair) for pair in data.get("lines") or []],
        final=data.get("final", True),
    )
