"""Stock out to the shops: what each may sell per SKU (on hand − reserved, less the shop's buffer, times its
share), pushed in batches through the outbox after stock changes, on the periodic sweep and on demand.

The outbox message names the listings only; the quantities are computed when it is delivered, so a retried
or late message always tells the shop the current number, never a stale one.
"""

from __future__ import annotations

import json
import logging

from django.core.cache import cache
from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError as KombuOperationalError

from connectors.crypto import decrypt_secrets
from connectors.models import Connection, Listing
from connectors.platforms import PlatformError, StockItem, adapter_for, has_api
from inventory.selectors import sellable_quantity
from oms.cache import shared_value
from oms.models import OutboxMessage
from oms.notifications import outbox_enqueue

STOCK_EVENT = "connectors.stock"
KICK_KEY = "connectors:stock-kick"
KICK_SECONDS = 5
SYNC_ON_KEY = "connectors:stock-sync-on"
logger = logging.getLogger(__name__)


def shop_quantity(available: int, *, share_percent: int, buffer: int) -> int:
    """What a shop may sell of ``available`` units: less its buffer, times its share, rounded down, ≥ 0."""
    return max(0, (available - buffer) * share_percent // 100)


def stock_sync_on() -> bool:
    """Whether any shop takes stock pushes; asked of the cache (a minute; 5 s in this process) so stock writes
    stay cheap."""
    return shared_value(
        cache,
        SYNC_ON_KEY,
        lambda: Connection.objects.filter(is_active=True, stock_sync=True).exists(),
        timeout=60,
        local_seconds=5,
    )


def stock_changed(levels) -> None:
    """The ``inventory.hooks`` handler: ask for one sweep after this transaction commits (no rows written;
    nothing at all while no shop takes stock pushes)."""
    if not stock_sync_on():
        return
    if not db_connection.in_atomic_block:
        _kick()
        return
    if not any(callback is _kick for _sids, callback, _robust in db_connection.run_on_commit):
        transaction.on_commit(_kick)


def _kick() -> None:
    # Many stock writes in a few seconds share one sweep, run when the window closes so it sees them all.
    if cache.add(KICK_KEY, 1, timeout=KICK_SECONDS):
        try:
            import_string("connectors.tasks.stock_sync_task").apply_async(countdown=KICK_SECONDS)
        except (KombuOperationalError, ConnectionError) as exc:
            logger.warning("stock sweep not sent (broker unreachable: %s); the periodic sweep pushes it", exc)


def _quantities(connection: Connection, listings: list[Listing]) -> dict[int, int]:
    available = sellable_quantity(sku_ids=[listing.sku_id for listing in listings])
    return {
        listing.pk: shop_quantity(
            available[listing.sku_id],
            share_percent=connection.stock_share_percent,
            buffer=connection.stock_buffer,
        )
        for listing in listings
    }


def stock_sync_due(*, connection_ids: list[int] | None = None, force: bool = False) -> int:
    """Queue a push for each shop whose numbers changed (all its listings with ``force``); returns how many."""
    connections = Connection.objects.filter(is_active=True, stock_sync=True)
    if connection_ids is not None:
        connections = connections.filter(pk__in=connection_ids)
    pending = set(
        OutboxMessage.objects.filter(event=STOCK_EVENT, status=OutboxMessage.Status.PENDING).values_list(
            "recipient", flat=True
        )
    )
    queued = 0
    for connection in connections.order_by("pk"):
        recipient = f"connection:{connection.pk}"
        if not has_api(connection.platform) or recipient in pending:
            continue  # a queued push computes the numbers when it is sent
        listings = list(connection.listings.all())
        quantities = _quantities(connection, listings)
        changed = [item.pk for item in listings if force or item.last_quantity != quantities[item.pk]]
        if not changed:
            continue
        with transaction.atomic():
            outbox_enqueue(
                channel=OutboxMessage.Channel.CONNECTOR,
                recipient=recipient,
                subject=f"{len(changed)} SKU",
                body=json.dumps({"kind": "stock", "connection_id": connection.pk, "listing_ids": changed}),
                event=STOCK_EVENT,
            )
        queued += 1
    return queued


@transaction.atomic
def stock_push_deliver(*, data: dict) -> dict[str, str]:
    """Tell the shop the current numbers of the message's listings; record what it was told and when."""
    connection = Connection.objects.get(pk=data["connection_id"])
    listings = list(
        Listing.objects.select_for_update()
        .select_related("sku")
        .filter(connection=connection, pk__in=data["listing_ids"])
        .order_by("pk")
    )
    quantities = _quantities(connection, listings)
    items = {
        listing.pk: StockItem(
            listing.sku.code, listing.external_ref, listing.inventory_ref, quantities[listing.pk]
        )
        for listing in listings
    }
    errors = adapter_for(connection, decrypt_secrets(connection.secrets)).push_stock(list(items.values()))
    now = timezone.now()
    for listing in listings:
        item = items[listing.pk]
        listing.inventory_ref = item.inventory_ref
        listing.last_error = errors.get(item.sku_code, "")
        if not listing.last_error:
            listing.last_quantity, listing.last_pushed_at = item.quantity, now
        listing.save(update_fields=["inventory_ref", "last_error", "last_quantity", "last_pushed_at"])
    Connection.objects.filter(pk=connection.pk).update(last_stock_push_at=now)
    if listings and len(errors) == len(listings):
        raise PlatformError("; ".join(f"{k}: {v}" for k, v in sorted(errors.items()))[:1000])
    return errors
