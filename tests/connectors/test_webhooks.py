"""Shopify and WooCommerce order webhooks, posted as the platforms send them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.models import InboundEvent, Listing
from connectors.services import inbound_retry
from orders.models import Order
from tests.connectors.conftest import post_shopify, post_woo
from tests.connectors.payloads import shopify_order, woo_order
from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db


def test_shopify_order_created_is_taken_in_once_with_its_money_and_address(client, shopify, sku):
    response = post_shopify(client, shopify, shopify_order())
    again = post_shopify(client, shopify, shopify_order())  # at-least-once: the same delivery again

    assert (response.status_code, again.status_code) == (200, 200)
    order = Order.objects.get(channel=shopify.channel, external_id="450789469")
    assert order.subtotal == Decimal("398.00")
    assert order.shipping_fee == Decimal("15.00")
    assert order.discount == Decimal("10.00")
    assert order.total == Decimal("403.00")
    assert order.paid_at is not None
    assert order.note == "请周末送货"
    assert order.shipping_address.line1 == "世纪大道100号, 浦东新区"
    assert order.contact_phone == "13812345678"
    line = order.lines.get()
    assert (line.sku_code, line.quantity, line.unit_price) == ("SHOP-1", 2, Decimal("199.00"))
    assert InboundEvent.objects.filter(connection=shopify).count() == 1
    assert Listing.objects.get(connection=shopify, sku=sku).external_ref == "39072856"


def test_bad_signature_is_401_and_writes_nothing(client, shopify, sku):
    response = post_shopify(client, shopify, shopify_order(), secret="not-the-secret")
    tampered = shopify_order()
    assert response.status_code == 401
    assert not InboundEvent.objects.exists()
    assert not Order.objects.exists()
    # A body changed after signing is refused as well.
    import json

    from connectors.platforms.base import hmac_base64

    body = json.dumps(tampered).encode()
    signature = hmac_base64("shpss_webhook_secret", body)
    forged = client.post(
        f"/connectors/webhooks/{shopify.webhook_key}/",
        data=body.replace(b"199.00", b"1.00"),
        content_type="application/json",
        headers={
            "X-Shopify-Hmac-Sha256": signature,
            "X-Shopify-Webhook-Id": "x",
            "X-Shopify-Topic": "orders/create",
        },
    )
    assert forged.status_code == 401
    assert not Order.objects.exists()


def test_unknown_webhook_key_is_404(client, shopify):
    response = client.post("/connectors/webhooks/nope/", data=b"{}", content_type="application/json")
    assert response.status_code == 404


def test_unknown_sku_waits_for_review_and_is_taken_in_on_retry(client, shopify, sku):
    payload = shopify_order(id=450789470)
    payload["line_items"][0]["sku"] = "NEW-SKU-9"
    response = post_shopify(client, shopify, payload, webhook_id="w-unknown")

    assert response.status_code == 200
    event = InboundEvent.objects.get()
    assert event.status == "needs_review"
    assert event.errors == {"lines[0].sku": ["Unknown SKU NEW-SKU-9"]}
    assert not Order.objects.exists()

    SKUFactory(code="NEW-SKU-9")
    event = inbound_retry(event_id=event.pk)
    assert event.status == "processed"
    assert event.order.external_id == "450789470"


def test_pending_order_paid_later_and_cancelled(client, shopify, sku):
    post_shopify(client, shopify, shopify_order(financial_status="pending"), webhook_id="w1")
    order = Order.objects.get()
    assert order.status == "pending_payment"

    post_shopify(
        client, shopify, shopify_order(financial_status="paid"), topic="orders/updated", webhook_id="w2"
    )
    order.refresh_from_db()
    assert order.status != "pending_payment"
    assert order.paid_at is not None

    cancelled = shopify_order(
        cancelled_at="2026-12-01T12:00:00+08:00", cancel_reason="customer", financial_status="refunded"
    )
    post_shopify(client, shopify, cancelled, topic="orders/cancelled", webhook_id="w3")
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert [e.status for e in InboundEvent.objects.order_by("pk")] == ["processed", "processed", "processed"]


def test_changed_lines_after_intake_go_to_review_not_silently_kept(client, shopify, sku):
    post_shopify(client, shopify, shopify_order(), webhook_id="w1")
    changed = shopify_order(total_price="602.00")
    changed["line_items"][0]["quantity"] = 3
    post_shopify(client, shopify, changed, topic="orders/updated", webhook_id="w2")

    event = InboundEvent.objects.get(delivery_id="w2")
    assert event.status == "needs_review"
    assert Order.objects.get().lines.get().quantity == 2


def test_woocommerce_order_created_with_coupon_and_shipping(client, woo, sku):
    response = post_woo(client, woo, woo_order())
    again = post_woo(client, woo, woo_order())

    assert (response.status_code, again.status_code) == (200, 200)
    order = Order.objects.get(channel=woo.channel, external_id="727")
    assert (order.subtotal, order.shipping_fee, order.discount, order.total) == (
        Decimal("118.00"),
        Decimal("10.00"),
        Decimal("5.00"),
        Decimal("123.00"),
    )
    assert order.payments.get().transaction_id == "2026120122001"
    assert order.province == "浙江"


def test_woocommerce_bad_signature_and_ping(client, woo, sku):
    assert post_woo(client, woo, woo_order(), secret="wrong").status_code == 401
    assert not Order.objects.exists()
    from connectors.platforms.base import hmac_base64

    ping = b"webhook_id=12"
    response = client.post(
        f"/connectors/webhooks/{woo.webhook_key}/",
        data=ping,
        content_type="application/x-www-form-urlencoded",
        headers={"X-WC-Webhook-Signature": hmac_base64("shpss_webhook_secret", ping)},
    )
    assert response.status_code == 200
    assert not InboundEvent.objects.exists()


def test_woocommerce_cancelled_update_cancels(client, woo, sku):
    post_woo(client, woo, woo_order(), delivery="d-1")
    post_woo(client, woo, woo_order(status="cancelled"), topic="order.updated", delivery="d-2")
    assert Order.objects.get().status == "cancelled"
