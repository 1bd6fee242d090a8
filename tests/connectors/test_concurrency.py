"""Webhooks delivered at once (Shopify retries while the first delivery still runs), and the stock push that
follows a committed stock change, with real concurrent transactions on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from connectors.models import InboundEvent, Listing
from oms.models import OutboxMessage
from orders.models import Order
from tests.connectors.conftest import make_shop, post_shopify
from tests.connectors.fake_platform import FakePlatform
from tests.connectors.payloads import shopify_order
from tests.factories import SKUFactory, WarehouseFactory, stock_in

pytestmark = pytest.mark.django_db(transaction=True)


def _race(n: int, fn) -> tuple[list, list]:
    barrier = threading.Barrier(n)
    results, failures = [], []

    def run(i):
        try:
            barrier.wait(timeout=10)
            results.append(fn(i))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, failures


def test_the_same_delivery_five_times_at_once_is_one_message_and_one_order():
    SKUFactory(code="SHOP-1")
    shop = make_shop("shopify")
    codes, failures = _race(5, lambda i: post_shopify(Client(), shop, shopify_order()).status_code)
    assert failures == []
    assert codes == [200] * 5
    assert InboundEvent.objects.count() == 1
    assert Order.objects.count() == 1


def test_create_and_update_deliveries_at_once_make_one_order():
    SKUFactory(code="SHOP-1")
    shop = make_shop("shopify")
    topics = ["orders/create", "orders/updated", "orders/updated", "orders/create"]
    codes, failures = _race(
        4,
        lambda i: (
            post_shopify(Client(), shop, shopify_order(), topic=topics[i], webhook_id=f"w{i}").status_code
        ),
    )
    assert failures == []
    assert codes == [200] * 4
    assert InboundEvent.objects.count() == 4
    assert Order.objects.count() == 1


def test_a_committed_stock_change_is_pushed_to_the_shop(settings):
    settings.OMS_CONNECTOR_RETRY_SECONDS = 0.01
    sku = SKUFactory(code="SHOP-1")
    with FakePlatform() as fake:
        shop = make_shop("woocommerce", shop_url=fake.url, stock_sync=True)
        Listing.objects.create(connection=shop, sku=sku, external_ref="93")
        # A receipt commits; the hook asks for a sweep after commit; the push goes out through the outbox.
        stock_in(sku, WarehouseFactory(code="WH-S"), 7)
        message = OutboxMessage.objects.get(event="connectors.stock")
        assert message.status == "sent"
        assert fake.stock == {93: 7}
        assert Listing.objects.get().last_quantity == 7
