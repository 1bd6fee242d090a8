"""Operations see a mixed order's drop-ship parcel with its supplier, approve it and type the supplier's
tracking number; a Chinese-speaking clerk sets a customer's preferred channel to the webhook."""

import os

import pytest

from tests.factories import (
    CarrierFactory,
    CarrierServiceFactory,
    RateRowFactory,
    SKUFactory,
    SupplierSKUFactory,
    WarehouseFactory,
    stock_in,
)
from tests.fulfillment.conftest import allocated_order_through_services

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("OMS_SCREENSHOTS", "")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def mixed_order(db):
    from fulfillment.services import shipments_create_for_order

    warehouse = WarehouseFactory(code="WH-SH", name="上海一号仓", regions=["上海"])
    RateRowFactory(
        service=CarrierServiceFactory(carrier=CarrierFactory(code="ZTO", name="中通")), first_price="8"
    )
    tee = SKUFactory(code="TEE-RED-L", product__name="纯棉T恤")
    mug = SKUFactory(code="MUG-500", product__name="保温杯")
    SupplierSKUFactory(
        sku=mug, is_drop_ship=True, supplier__name="宁波杯厂", supplier__email="cups@example.com"
    )
    stock_in(tee, warehouse, 5)
    order = allocated_order_through_services(
        lines=[(tee, 1, "59.90"), (mug, 2, "39.00")],
        phone="13800000021",
        external_id="E2E-DS-1",
        warehouse=warehouse,
        stock=False,
    )
    shipments_create_for_order(order_id=order.pk)
    return order


def test_operations_see_the_drop_ship_parcel_and_record_the_suppliers_tracking_number(
    mixed_order, make_user, login, live_server
):
    make_user("opsen", "operations", language="en")
    page = login("opsen", "pw-opsen")
    page.goto(f"{live_server.url}/orders/{mixed_order.pk}/")
    drop = page.get_by_test_id("drop-ship-lines")
    assert "MUG-500: no stock of ours needed, 宁波杯厂 ships it" in drop.inner_text()
    _shot(page, "order-drop-ship-en")

    page.goto(f"{live_server.url}/fulfillment/shipments/?drop_ship=on")
    rows = page.get_by_test_id("shipment-table").locator("tbody tr")
    assert rows.count() == 1 and "宁波杯厂" in rows.first.inner_text()
    _shot(page, "shipments-drop-ship-en")
    rows.first.locator("a").first.click()
    page.get_by_role("button", name="Approve and notify the supplier").click()
    page.fill("#id_tracking_number", "SF1234567890")
    page.get_by_role("button", name="Record dispatch").click()
    page.wait_for_selector("text=the supplier's dispatch is recorded")
    assert "SF1234567890" in page.content()
    _shot(page, "drop-ship-dispatched-en")

    page.goto(f"{live_server.url}/orders/customers/{mixed_order.customer_id}/edit/")
    page.select_option("#id_preferred_contact", "email")
    page.check("#id_do_not_contact")
    page.get_by_role("button", name="Save").click()
    prefs = page.get_by_test_id("preferences").inner_text()
    assert "E-mail" in prefs
    _shot(page, "customer-preferences-en")


def test_a_chinese_clerk_sets_the_webhook_as_preferred_channel(mixed_order, make_user, login, live_server):
    make_user("opszh", "operations", language="zh-hans")
    page = login("opszh", "pw-opszh")
    page.goto(f"{live_server.url}/orders/customers/{mixed_order.customer_id}/edit/")
    page.select_option("#id_preferred_contact", "webhook")
    page.get_by_role("button", name="保存").click()
    assert "首选渠道为 Webhook 时必填。" in page.content()
    _shot(page, "customer-webhook-refused-zh")
    page.fill("#id_webhook_url", "https://erp.example.com/oms")
    page.get_by_role("button", name="保存").click()
    prefs = page.get_by_test_id("preferences").inner_text()
    assert "Webhook(客户的系统)" in prefs and "https://erp.example.com/oms" in prefs
    _shot(page, "customer-webhook-zh")

    page.goto(f"{live_server.url}/fulfillment/shipments/?drop_ship=on")
    assert "宁波杯厂" in page.get_by_test_id("shipment-table").inner_text()
    _shot(page, "shipments-drop-ship-zh")

    page.goto(f"{live_server.url}/orders/{mixed_order.pk}/")
    assert "MUG-500:无需占用自有库存,由 宁波杯厂 发货" in page.get_by_test_id("drop-ship-lines").inner_text()
    _shot(page, "order-drop-ship-zh")
