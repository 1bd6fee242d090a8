"""Orders a shop sends (webhooks) or we fetch (pulls): verified, taken once per delivery, and fed to the orders
intake and lifecycle services. What became of each message is kept on it; the ones that need a person
(an unknown SKU, an order changed after intake, a cancellation too late) wait in the review list.
"""

from __future__ import annotations

import hashlib
import json
import logging

from django.db import transaction
from django.utils import timezone

from connectors.choices import EventSource, EventStatus
from connectors.crypto import decrypt_secrets
from connectors.models import Connection, InboundEvent, Listing
from connectors.platforms import PlatformError, PlatformOrder, adapter_for, has_api
from inventory.models import SKU
from oms.dispatch import task_send_on_commit
from oms.exceptions import DomainError
from oms.notes import note
from orders.choices import OrderSource, OrderStatus
from orders.models import Order
from orders.services import order_cancel, order_intake, order_mark_paid

logger = logging.getLogger(__name__)


def webhook_receive(*, webhook_key: str, body: bytes, headers) -> int:
    """The HTTP status to answer a shop's webhook with. A bad signature is 401 and writes nothing; a
    delivery already taken is 200 again (the platform delivers at least once)."""
    connection = (
        Connection.objects.select_related("channel").filter(webhook_key=webhook_key, is_active=True).first()
    )
    if connection is None or not has_api(connection.platform):
        return 404
    adapter = adapter_for(connection, decrypt_secrets(connection.secrets))
    if not adapter.verify_webhook(body, headers):
        return 401
    delivery_id, topic = adapter.webhook_meta(headers)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        payload = None
    if not isinstance(payload, dict) or "id" not in payload:
        return 200  # WooCommerce's signed "ping" when a webhook is created (webhook_id=…): nothing to take
    delivery_id = delivery_id or "sha256:" + hashlib.sha256(body).hexdigest()
    inbound_take(
        connection=connection,
        source=EventSource.WEBHOOK,
        topic=topic,
        delivery_id=delivery_id,
        payload=payload,
    )
    Connection.objects.filter(pk=connection.pk).update(last_webhook_at=timezone.now())
    return 200


@transaction.atomic
def inbound_take(
    *, connection: Connection, source: str, topic: str, delivery_id: str, payload: dict
) -> InboundEvent:
    """Keep the message once per (shop, delivery id) and act on it in the same transaction."""
    event, created = InboundEvent.objects.get_or_create(
        connection=connection,
        delivery_id=delivery_id[:120],
        defaults={"source": source, "topic": topic[:60], "payload": payload, "status": EventStatus.IGNORED},
    )
    if created:
        _process(event, connection)
    return event


@transaction.atomic
def inbound_retry(*, event_id: int, by=None) -> InboundEvent:
    """Act on a message again (after the SKU was created, the order fixed): the review list's "retry"."""
    event = InboundEvent.objects.select_for_update().select_related("connection__channel").get(pk=event_id)
    event.attempts += 1
    _process(event, event.connection, by=by)
    return event


def _process(event: InboundEvent, connection: Connection, by=None) -> None:
    adapter = adapter_for(connection, {})
    try:
        platform_order = adapter.order_from_payload(event.payload)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        _finish(event, EventStatus.NEEDS_REVIEW, note("connectors.unreadable", error=str(exc)[:200]))
        return
    event.external_id = platform_order.external_id[:64]
    _remember_listings(connection, platform_order.listings)
    existing = Order.objects.filter(
        channel=connection.channel, external_id=platform_order.external_id
    ).first()
    if existing is None:
        _take_new(event, connection, platform_order, by)
    else:
        _apply_update(event, connection, platform_order, existing, by)


def _take_new(event: InboundEvent, connection: Connection, platform_order: PlatformOrder, by) -> None:
    if platform_order.cancelled:
        _finish(event, EventStatus.IGNORED, note("connectors.cancelled_before_intake"))
        return
    result = order_intake(
        channel=connection.channel,
        data=platform_order.body,
        by=by,
        source=OrderSource.API,
        allocate_now=False,
    )
    if result.errors:
        _finish(event, EventStatus.NEEDS_REVIEW, note("connectors.refused"), errors=result.errors)
        return
    event.order = result.order
    if result.created and result.order.status == OrderStatus.APPROVED:
        task_send_on_commit("orders.tasks.allocate_order_task", order_id=result.order.pk)
    _finish(event, EventStatus.PROCESSED, note("connectors.taken_in"))


def _apply_update(event, connection, platform_order: PlatformOrder, order: Order, by) -> None:
    """A known order again: cancelled or paid on the platform moves it on; other changes go to a person."""
    event.order = order
    platform = connection.get_platform_display()
    if platform_order.cancelled:
        if order.status == OrderStatus.CANCELLED:
            _finish(event, EventStatus.PROCESSED, note("connectors.unchanged"))
            return
        reason = note(
            "connectors.cancel_reason", platform=platform, reason=platform_order.cancel_reason or "-"
        )
        try:
            with transaction.atomic():
                order_cancel(order_id=order.pk, by=by, reason=reason, check_perm=False)
        except DomainError as exc:
            _finish(event, EventStatus.NEEDS_REVIEW, note("connectors.cancel_refused", message=exc.message))
            return
        _finish(
            event,
            EventStatus.PROCESSED,
            note("connectors.cancelled", reason=platform_order.cancel_reason or "-"),
        )
        return
    outcome = note("connectors.unchanged")
    if platform_order.paid and order.status == OrderStatus.PENDING_PAYMENT:
        with transaction.atomic():
            order_mark_paid(
                order_id=order.pk, transaction_id=platform_order.body["payment"]["transaction_id"], by=by
            )
        outcome = note("connectors.paid")
    result = order_intake(channel=connection.channel, data=platform_order.body, by=by, source=OrderSource.API)
    changed = [part for part in result.conflict if part != "payment"]
    if changed:
        _finish(event, EventStatus.NEEDS_REVIEW, note("connectors.changed", parts=", ".join(changed)))
        return
    _finish(event, EventStatus.PROCESSED, outcome)


def _finish(event: InboundEvent, status: str, outcome: str, errors: dict | None = None) -> None:
    event.status = status
    event.outcome = outcome
    event.errors = errors or {}
    event.processed_at = timezone.now()
    event.save()


def _remember_listings(connection: Connection, listings: list[tuple[str, str]]) -> None:
    """The shop's product id of each SKU it sold, for the stock push (new ones only; never a write lock)."""
    if not listings:
        return
    refs = dict(listings)
    skus = dict(SKU.objects.filter(code__in=list(refs)).values_list("code", "pk"))
    rows = [
        Listing(connection=connection, sku_id=skus[code], external_ref=ref[:60])
        for code, ref in refs.items()
        if code in skus
    ]
    Listing.objects.bulk_create(rows, ignore_conflicts=True)


def orders_pull(*, connection_id: int) -> int:
    """Fetch the orders changed since the shop's cursor and take each in (once per order version)."""
    connection = Connection.objects.select_related("channel").get(pk=connection_id)
    adapter = adapter_for(connection, decrypt_secrets(connection.secrets))
    now = timezone.now()
    try:
        orders, cursor = adapter.fetch_orders(cursor=connection.pull_cursor)
    except PlatformError as exc:
        Connection.objects.filter(pk=connection_id).update(last_error=str(exc)[:2000], last_error_at=now)
        raise
    for payload in orders:
        version = payload.get("updated_at") or payload.get("date_modified_gmt") or ""
        inbound_take(
            connection=connection,
            source=EventSource.PULL,
            topic="orders/pull",
            delivery_id=f"pull:{payload.get('id')}:{version}",
            payload=payload,
        )
    Connection.objects.filter(pk=connection_id).update(pull_cursor=cursor[:100], last_pull_at=now)
    return len(orders)
