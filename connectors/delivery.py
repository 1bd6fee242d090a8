"""The outbox backend for calls to sales platforms (``OMS_CONNECTOR_BACKEND``): write-backs and stock pushes.

An exception leaves the message to the outbox, which retries it with backoff and marks it failed at last;
the shop page and the order page show the failures. The last error is also kept on the shop.
"""

from __future__ import annotations

import json

from django.utils import timezone

from connectors.models import Connection
from connectors.services import fulfillment_deliver, stock_push_deliver


class ConnectorBackend:
    def send(self, message) -> None:
        data = json.loads(message.body)
        try:
            if data["kind"] == "fulfillment":
                fulfillment_deliver(data=data)
            else:
                stock_push_deliver(data=data)
        except Exception as exc:
            Connection.objects.filter(pk=data.get("connection_id")).update(
                last_error=f"{type(exc).__name__}: {exc}"[:2000], last_error_at=timezone.now()
            )
            raise
