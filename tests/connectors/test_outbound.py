"""Tracking write-back, stock push, order pulls and the connection test against a local fake platform server."""

from __future__ import annotations

import json

import pytest

from connectors.models import Connection, InboundEvent, Listing
from connectors.services import connection_test, orders_pull, stock_sync_due
from connectors.services.stock import shop_quantity
from oms.models import OutboxMessage
from oms.notifications import outbox_deliver
from orders.models import Order
from orders.services import order_allocate, order_approve
from tests.connectors.conftest import make_shop, post_shopify, post_woo
from tests.connectors.fake_platform import FakePlatform
from tests.connectors.payloads import shopify_order, woo_order
from tests.factories import ship_through_fulfillment

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake():
    with FakePlatform() as server:
        yield server


def _ship(order: Order) -> None:
    if order.status == "on_review":
        order = order_approve(order_id=order.pk)
    order = order_allocate(order_id=order.pk)
    assert order.status == "allocated"
    ship_through_fulfillment(order)


def test_shopify_tracking_is_written_back_once(client, fake, sku):
    shop = make_shop("shopify", shop_url=fake.url, location_id="655441491")
    post_shopify(client, shop, shopify_order())
    order = Order.objects.get()
    _ship(order)

    message = OutboxMessage.objects.get(event="connectors.fulfillment")
    assert outbox_deliver(message_id=message.pk) == "sent"
    posts = [r for r in fake.requests if r["method"] == "POST"]
    assert len(posts) == 1
    fulfillment = posts[0]["json"]["fulfillment"]
    assert fulfillment["tracking_info"]["number"].startswith("SF")
    assert fulfillment["line_items_by_fulfillment_order"] == [
        {
            "fulfillment_order_id": 1046000823,
            "fulfillment_order_line_items": [{"id": 1025578640, "quantity": 2}],
        }
    ]
    # The outbox tries again after an unknown outcome (a crash after the call): the shop is not told twice.
    OutboxMessage.objects.filter(pk=message.pk).update(status="pending")
    assert outbox_deliver(message_id=message.pk) == "sent"
    assert len([r for r in fake.requests if r["method"] == "POST"]) == 1


def test_a_failing_write_back_is_retried_and_shown_on_the_order(
    client, client_for, admin_user_role, fake, sku
):
    shop = make_shop("shopify", shop_url=fake.url)
    post_shopify(client, shop, shopify_order())
    order = Order.objects.get()
    _ship(order)
    fake.fail_next = 100

    message = OutboxMessage.objects.get(event="connectors.fulfillment")
    assert outbox_deliver(message_id=message.pk) == "retry"
    message.refresh_from_db()
    assert message.attempts == 1
    assert "HTTP 503" in message.last_error
    assert "HTTP 503" in Connection.objects.get(pk=shop.pk).last_error
    page = client_for(admin_user_role).get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="order-writeback"' in page
    assert "HTTP 503" in page


def test_woocommerce_write_back_is_a_customer_note_then_completed(client, fake, sku):
    shop = make_shop("woocommerce", shop_url=fake.url)
    post_woo(client, shop, woo_order())
    _ship(Order.objects.get())

    message = OutboxMessage.objects.get(event="connectors.fulfillment")
    assert outbox_deliver(message_id=message.pk) == "sent"
    note = fake.notes["727"][0]
    assert note["customer_note"] is True and "tracking number SF" in note["note"]
    assert [r["json"] for r in fake.requests if r["method"] == "PUT"] == [{"status": "completed"}]


def test_stock_push_tells_each_shop_its_share(client, fake, sku):
    shopify = make_shop(
        "shopify",
        shop_url=fake.url,
        location_id="655441491",
        stock_sync=True,
        stock_share_percent=50,
        stock_buffer=5,
    )
    post_shopify(client, shopify, shopify_order(financial_status="pending"))  # pending: nothing reserved yet
    assert Listing.objects.get(connection=shopify).external_ref == "39072856"

    assert stock_sync_due() == 1
    assert stock_sync_due() == 0  # one push queued per shop at a time
    message = OutboxMessage.objects.get(event="connectors.stock")
    assert outbox_deliver(message_id=message.pk) == "sent"

    assert fake.inventory == {39072856 + 1000: (50 - 5) * 50 // 100}
    listing = Listing.objects.get(connection=shopify)
    assert (listing.last_quantity, listing.inventory_ref) == (22, "39073856")
    assert stock_sync_due() == 0  # nothing changed since


def test_woocommerce_stock_push_in_one_batch(client, fake, sku):
    woo = make_shop("woocommerce", shop_url=fake.url, stock_sync=True)
    post_woo(client, woo, woo_order(status="pending", date_paid=None))
    stock_sync_due()
    outbox_deliver(message_id=OutboxMessage.objects.get(event="connectors.stock").pk)
    assert fake.stock == {93: 50}


def test_shop_quantity_rule():
    assert shop_quantity(100, share_percent=30, buffer=10) == 27
    assert shop_quantity(3, share_percent=100, buffer=5) == 0


def test_pull_takes_new_orders_once_and_moves_the_cursor(fake, sku):
    shop = make_shop("shopify", shop_url=fake.url)
    fake.orders = [shopify_order()]

    assert orders_pull(connection_id=shop.pk) == 1
    assert orders_pull(connection_id=shop.pk) == 1  # the same version again: taken once
    assert Order.objects.count() == 1
    assert InboundEvent.objects.get().source == "pull"
    shop.refresh_from_db()
    assert shop.pull_cursor == "2026-12-01T10:15:02+08:00"
    last = [r for r in fake.requests if r["path"].endswith("orders.json")][-1]
    assert last["query"]["updated_at_min"] == ["2026-12-01T10:15:02+08:00"]  # encoded: a "+" is not a space


def test_connection_test_retries_then_reports(fake, db):
    shop = make_shop("shopify", shop_url=fake.url)
    fake.fail_next = 2
    assert connection_test(connection_id=shop.pk) == (True, "Fake Shop")
    assert len(fake.requests) == 3

    fake.fail_next = 100
    ok, message = connection_test(connection_id=shop.pk)
    shop.refresh_from_db()
    assert not ok and "HTTP 503" in message
    assert shop.last_test_ok is False and "HTTP 503" in shop.last_error


def test_wrong_token_is_not_retried(fake, db):
    from connectors.services import connection_save

    shop = make_shop("shopify", shop_url=fake.url)
    connection_save(connection=shop, values={}, secrets={"access_token": "wrong"})
    ok, message = connection_test(connection_id=shop.pk)
    assert not ok and "HTTP 401" in message
    assert len(fake.requests) == 1
    stored = Connection.objects.get(pk=shop.pk).secrets
    assert "wrong" not in stored and "shpat" not in stored  # encrypted at rest
    assert json.loads(json.dumps(stored))


def test_woocommerce_pull_pages_and_cursor(fake, sku):
    shop = make_shop("woocommerce", shop_url=fake.url)
    fake.orders = [woo_order()]
    assert orders_pull(connection_id=shop.pk) == 1
    shop.refresh_from_db()
    assert shop.pull_cursor == "2026-12-01T08:30:35"
    orders_pull(connection_id=shop.pk)
    last = [r for r in fake.requests if r["path"].endswith("/orders")][-1]
    assert last["query"]["modified_after"] == ["2026-12-01T08:30:35"]
    assert Order.objects.get().external_id == "727"
