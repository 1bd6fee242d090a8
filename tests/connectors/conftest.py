"""Fixtures of the connector tests: a shop connected to a channel, a sellable SKU, signed webhook posts."""

from __future__ import annotations

import json

import pytest

from connectors.platforms.base import hmac_base64
from connectors.services import connection_save
from tests.factories import ChannelFactory, SKUFactory, WarehouseFactory, stock_in

SECRET = "shpss_webhook_secret"


@pytest.fixture(autouse=True)
def _fast_retries(settings):
    settings.OMS_CONNECTOR_RETRY_SECONDS = 0.01
    settings.OMS_CONNECTOR_HTTP_ATTEMPTS = 3


@pytest.fixture
def sku(db):
    sku = SKUFactory(code="SHOP-1")
    stock_in(sku, WarehouseFactory(code="WH-C"), 50)
    return sku


def make_shop(platform: str, *, shop_url: str = "", **values):
    channel = ChannelFactory(code=f"{platform}-shop", name=f"{platform} shop", kind="own_shop")
    return connection_save(
        connection=None,
        values={"channel": channel, "platform": platform, "shop_url": shop_url, **values},
        secrets={
            "webhook_secret": SECRET,
            "access_token": "shpat_test",
            "consumer_key": "ck_test",
            "consumer_secret": "cs_test",
        },
    )


@pytest.fixture
def shopify(db):
    return make_shop("shopify", location_id="655441491")


@pytest.fixture
def woo(db):
    return make_shop("woocommerce")


def post_shopify(
    client,
    shop,
    payload,
    *,
    topic="orders/create",
    webhook_id="b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
    secret=SECRET,
):
    body = json.dumps(payload).encode()
    return client.post(
        f"/connectors/webhooks/{shop.webhook_key}/",
        data=body,
        content_type="application/json",
        headers={
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": hmac_base64(secret, body),
            "X-Shopify-Shop-Domain": "fake-shop.myshopify.com",
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-API-Version": "2024-10",
        },
    )


def post_woo(client, shop, payload, *, topic="order.created", delivery="d-1", secret=SECRET):
    body = json.dumps(payload).encode()
    return client.post(
        f"/connectors/webhooks/{shop.webhook_key}/",
        data=body,
        content_type="application/json",
        headers={
            "X-WC-Webhook-Source": "https://shop.example.com/",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": "order",
            "X-WC-Webhook-Event": topic.split(".")[1],
            "X-WC-Webhook-Signature": hmac_base64(secret, body),
            "X-WC-Webhook-ID": "12",
            "X-WC-Webhook-Delivery-ID": delivery,
        },
    )
