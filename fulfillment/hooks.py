"""Signals other apps may listen to, so fulfillment never imports them (connectors write tracking back).

``parcel_shipped`` is sent once the shipping transaction has committed, with ``shipment_id``,
``tracking_number``, ``carrier_code`` and ``order_ids``. A receiver runs outside that transaction: it
should only queue its own work (a task), and its failure never undoes the shipment.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

parcel_shipped = Signal()


def parcel_shipped_on_commit(*, shipment_id: int, tracking_number: str, carrier_code: str, order_ids) -> None:
    def send() -> None:
        for receiver, result in parcel_shipped.send_robust(
            sender="fulfillment",
            shipment_id=shipment_id,
            tracking_number=tracking_number,
            carrier_code=carrier_code,
            order_ids=list(order_ids),
        ):
            if isinstance(result, Exception):
                logger.error("parcel_shipped receiver %r failed: %s", receiver, result)

    transaction.on_commit(send)
