"""Every write of the connectors app; this package re-exports the names callers use.

- ``connections``: a shop's settings and encrypted credentials, the connection test;
- ``inbound``: webhooks and pulled orders taken in (de-duplicated, through the orders intake services);
- ``writeback``: tracking numbers queued for the shop when a parcel ships (outbox);
- ``stock``: what each shop may sell, pushed in batches through the outbox;
- ``mapping``: a shop's saved column mapping for its own order files.
"""

from connectors.services.connections import connection_save, connection_test
from connectors.services.inbound import inbound_retry, inbound_take, orders_pull, webhook_receive
from connectors.services.mapping import column_mapping_save
from connectors.services.stock import stock_changed, stock_push_deliver, stock_sync_due
from connectors.services.writeback import fulfillment_deliver, shipment_shipped

__all__ = [
    "column_mapping_save",
    "connection_save",
    "connection_test",
    "fulfillment_deliver",
    "inbound_retry",
    "inbound_take",
    "orders_pull",
    "shipment_shipped",
    "stock_changed",
    "stock_push_deliver",
    "stock_sync_due",
    "webhook_receive",
]
