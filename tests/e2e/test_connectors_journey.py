"""An admin connects a Shopify shop in the browser, tests the connection against a local fake Shopify, and
an operations clerk finds an order message waiting for review (screens in English and Chinese)."""

import os

import pytest
from django.test import Client

from tests.connectors.conftest import make_shop, post_shopify
from tests.connectors.fake_platform import FakePlatform
from tests.connectors.payloads import shopify_order
from tests.factories import ChannelFactory, SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("OMS_SCREENSHOTS", "")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_connect_a_shopify_shop_and_review_a_message(make_user, login, live_server):
    ChannelFactory(code="shopify-cn", name="Shopify CN")
    SKUFactory(code="SHOP-1")
    make_user("boss", "admin")
    page = login("boss", "pw-boss")
    with FakePlatform() as fake:
        page.goto(f"{live_server.url}/connectors/new/")
        page.select_option("#id_channel", label="Shopify CN")
        page.select_option("#id_platform", "shopify")
        page.fill("#id_shop_url", fake.url)
        page.fill("#id_location_id", "655441491")
        page.fill("#id_access_token", "shpat_test")
        page.fill("#id_webhook_secret", "shpss_webhook_secret")
        _shot(page, "shop-form-en")
        page.click("[data-testid=shop-form] button[type=submit]")
        page.wait_for_selector("[data-testid=shop-settings]")
        assert "shpat_test" not in page.content()
        assert "/connectors/webhooks/" in page.inner_text("[data-testid=webhook-url]")
        page.click("[data-testid=test-connection]")
        page.wait_for_selector("text=Connection works: Fake Shop")
        _shot(page, "shop-page-en")

    shop = make_shop("woocommerce")
    payload = shopify_order()
    payload["line_items"][0]["sku"] = "NOT-YET-1"
    from connectors.models import Connection

    shopify = Connection.objects.get(platform="shopify")
    post_shopify(Client(), shopify, payload)
    assert shop.pk

    make_user("clerk", "operations", language="zh-hans")
    page.context.clear_cookies()  # sign the admin out
    page = login("clerk", "pw-clerk")
    page.goto(f"{live_server.url}/connectors/messages/?status=needs_review")
    assert "未知 SKU" in page.content() or "Unknown SKU" in page.content()
    assert "需复核" in page.content()
    _shot(page, "shop-messages-zh")
    page.goto(f"{live_server.url}/connectors/")
    _shot(page, "shops-zh")
    page.goto(f"{live_server.url}/connectors/{shopify.pk}/")
    _shot(page, "shop-page-zh")
    page.goto(f"{live_server.url}/connectors/stock/")
    _shot(page, "shop-stock-zh")
    page.goto(f"{live_server.url}/connectors/{shopify.pk}/mapping/")
    _shot(page, "shop-mapping-zh")
