"""A customer calls to change the address of an order already with the warehouse: hold → edit → resume, in a
browser; and the edit, split and merge screens in Chinese.

Set OMS_SHOTS=<folder> to keep screenshots of each screen.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from fulfillment.models import Shipment
from fulfillment.services import shipments_create_for_order, shipments_create_pending
from orders.models import Order, OrderRule, Tag
from orders.rules import ensure_default_rules
from orders.services import order_allocate, order_approve, order_intake
from tests.factories import ChannelFactory, ProductFactory, SKUFactory, WarehouseFactory, order_body, stock_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("OMS_SHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _order(channel, external_id: str, phone: str = "13812345678", **overrides) -> Order:
    body = order_body(external_id=external_id, **overrides)
    body["customer"]["phone"] = phone
    body["shipping_address"]["phone"] = phone
    order = order_intake(channel=channel, data=body, allocate_now=False).order
    if order.status in ("on_review", "finance_review"):
        order = order_approve(order_id=order.pk)
    return order_allocate(order_id=order.pk)


@pytest.fixture
def shop(transactional_db):
    ensure_default_rules(rule_model=OrderRule, tag_model=Tag)
    channel = ChannelFactory(code="tmall", name="天猫旗舰店")
    warehouse = WarehouseFactory(code="SH", name="上海仓", province="上海", regions=["上海"])
    tea = SKUFactory(product=ProductFactory(code="P-TEA", name="龙井茶"), code="SKU-0001", price="59.90")
    cup = SKUFactory(product=ProductFactory(code="P-CUP", name="茶杯"), code="SKU-0002", price="20.00")
    stock_in(tea, warehouse, 50)
    stock_in(cup, warehouse, 50)
    return channel


@pytest.fixture
def ops(make_user):
    def make(language: str):
        user = make_user(f"ops-{language}", "operations")
        user.language = language
        user.save()
        return user

    return make


def test_customer_calls_new_address_hold_edit_resume(ops, shop, login, live_server):
    order = _order(shop, "CALL-1", phone="13911112222")
    (parcel,) = shipments_create_for_order(order_id=order.pk)
    ops("en")
    page = login("ops-en", "pw-ops-en")
    # search by phone, open the order: it is with the warehouse, so the page says to hold it first
    page.goto(f"{live_server.url}/orders/?q=13911112222")
    page.click(f"text={order.number}")
    expect(page.locator("[data-testid=order-status]")).to_have_text("In fulfillment")
    expect(page.locator("[data-testid=change-hint]")).to_contain_text("hold it first")
    expect(page.locator("[data-testid=edit-order]")).to_have_count(0)
    page.fill("#reason-hold", "Customer called: new address")
    page.click("[data-action=hold]")
    expect(page.locator("[data-testid=order-status]")).to_have_text("On hold")
    # edit: a new street address and district, and a free gift line added with HTMX
    page.click("[data-testid=edit-order]")
    expect(page.locator("#id_line1")).to_have_value("世纪大道100号 2栋 301室")
    page.fill("#id_district", "徐汇区")
    page.fill("#id_line1", "漕溪北路 88 号 5 楼")
    page.click("[data-testid=add-line]")
    page.fill("#id_lines-1-sku", "SKU-0002")
    page.press("#id_lines-1-sku", "Tab")
    expect(page.locator("#sku-info-lines-1")).to_contain_text("茶杯")
    page.fill("#id_lines-1-quantity", "1")
    page.fill("#id_lines-1-unit_price", "0.00")
    page.fill("#id_reason", "Customer called: new address, a cup as a gift")
    shot(page, "edit-en")
    page.click("[data-testid=save-edit]")
    expect(page.locator(".alert-success")).to_contain_text(f"{order.number} changed.")
    expect(page.locator("body")).to_contain_text(f"Parcel {parcel.number} was intercepted")
    expect(page.locator("[data-testid=timeline]")).to_contain_text("SKU-0002 × 1 added")
    expect(page.locator("[data-testid=timeline]")).to_contain_text(
        "Customer called: new address, a cup as a gift"
    )
    shot(page, "order-after-edit-en")
    # resume: back to allocated, and the next parcel goes to the new address
    page.click("[data-action=resume]")
    expect(page.locator("[data-testid=order-status]")).to_have_text("Allocated")
    order.refresh_from_db()
    assert (order.total, order.shipping_address.district) == (order.subtotal, "徐汇区")
    assert str(order.total) == "119.80" and not order.refunds.exists()
    parcel.refresh_from_db()
    assert parcel.status == "cancelled"
    shipments_create_pending()
    new_parcel = Shipment.objects.exclude(pk=parcel.pk).get()
    assert new_parcel.address.line1 == "漕溪北路 88 号 5 楼"
    assert sorted(new_parcel.lines.values_list("sku__code", "quantity")) == [("SKU-0001", 2), ("SKU-0002", 1)]
    page.reload()
    expect(page.locator("[data-testid=order-status]")).to_have_text("In fulfillment")


def test_edit_split_merge_screens_in_chinese(ops, shop, login, live_server):
    a = _order(shop, "ZH-1", lines=[{"sku": "SKU-0001", "quantity": 3, "unit_price": "59.90"}])
    b = _order(shop, "ZH-2")
    ops("zh-hans")
    page = login("ops-zh-hans", "pw-ops-zh-hans")
    page.goto(f"{live_server.url}/orders/{a.pk}/")
    expect(page.locator("[data-testid=edit-order]")).to_have_text("修改订单")
    expect(page.locator("[data-testid=merge-form]")).to_contain_text(b.number)
    shot(page, "order-change-actions-zh")
    page.click("[data-testid=edit-order]")
    page.fill("#id_district", "")
    page.fill("#id_lines-0-quantity", "0")
    page.fill("#id_reason", "客户来电")
    page.click("[data-testid=save-edit]")
    expect(page.locator("[data-error-for=district]")).to_have_text("此项必填。")
    expect(page.locator("#id_reason")).to_have_value("客户来电")
    shot(page, "edit-refused-zh")
    page.goto(f"{live_server.url}/orders/{a.pk}/split/")
    page.fill(f"#id_move-{a.lines.get().pk}", "1")
    shot(page, "split-zh")
    page.click("[data-testid=split-submit]")
    expect(page.locator("[data-testid=split-from]")).to_have_text(a.number)
    new = Order.objects.get(split_from=a)
    expect(page.locator("[data-testid=order-number]")).to_have_text(new.number)
    page.goto(f"{live_server.url}/orders/{a.pk}/")
    page.check(f"#merge-{b.pk}")
    page.click("[data-testid=merge-submit]")
    expect(page.locator(".alert-success")).to_contain_text(re.compile(b.number))
    shot(page, "merged-zh")
    b.refresh_from_db()
    assert b.status == "cancelled" and b.merged_into_id == a.pk
