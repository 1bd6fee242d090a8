"""In a browser, in Chinese: tick orders on the list (select all on the page), hold them in bulk after a
confirmation that states the count, read each order's result; the manual form's SKU search and added line.

Set OMS_E2E_SCREENSHOTS=<folder> to keep screenshots (desktop 1366 px and phone 390 px)."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orders.models import Order, OrderRule, Tag
from orders.rules import ensure_default_rules
from orders.services import order_hold, order_intake
from tests.factories import ChannelFactory, ProductFactory, SKUFactory, WarehouseFactory, order_body, stock_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("OMS_E2E_SCREENSHOTS", "")


@pytest.fixture
def zh_ops(make_user):
    return make_user("ops-zh", "operations", language="zh-hans")


@pytest.fixture
def orders(transactional_db, zh_ops):
    ensure_default_rules(rule_model=OrderRule, tag_model=Tag)
    channel = ChannelFactory(code="tmall", name="天猫旗舰店")
    ChannelFactory(code="phone", name="电话订购", kind="phone")
    warehouse = WarehouseFactory(code="SH", name="上海仓", province="上海", regions=["上海"])
    tea = SKUFactory(product=ProductFactory(code="P-TEA", name="龙井茶"), code="SKU-0001", price="59.90")
    cup = SKUFactory(product=ProductFactory(code="P-CUP", name="白瓷茶杯"), code="SKU-0002", price="20.00")
    stock_in(tea, warehouse, 100)
    stock_in(cup, warehouse, 8)
    made = []
    for i in range(6):
        body = order_body(
            external_id=f"BULK-{i}", lines=[{"sku": "SKU-0001", "quantity": i + 1, "unit_price": "59.90"}]
        )
        body["placed_at"] = (timezone.now() - timedelta(days=i % 4)).isoformat()
        phone = f"1390000{i:04d}"
        body["customer"].update(name=f"顾客{i}", phone=phone)
        body["shipping_address"].update(name=f"顾客{i}", phone=phone, line1=f"世纪大道{200 + i}号")
        made.append(order_intake(channel=channel, data=body, allocate_now=True).order)
    order_hold(order_id=made[5].pk, by=zh_ops, reason="客户来电改地址")
    return made


def shoot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_bulk_hold_in_chinese_with_the_count_and_each_result(zh_ops, orders, login, live_server):
    page = login("ops-zh", "pw-ops-zh")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/orders/")
    expect(page.locator("[data-testid=bulk-total]")).to_contain_text("6")
    page.check("[data-testid=bulk-all]")  # select every row on the page
    expect(page.locator("[data-testid=bulk-count]")).to_have_text("6")
    shoot(page, "order-list-bulk-zh-1366")
    page.click("[data-testid=bulk-hold]")
    expect(page.locator("[data-testid=bulk-confirm-count]")).to_contain_text("共 6 个订单")
    page.fill("#id_reason", "仓库盘点")
    page.click("[data-testid=bulk-go]")
    expect(page.locator("[data-testid=bulk-summary]")).to_contain_text("5 条完成")
    expect(page.locator("[data-testid=bulk-summary]")).to_contain_text("1 条被拒绝")
    refused = page.locator("tr[data-result=refused]")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text(orders[5].number)
    shoot(page, "bulk-result-zh-1366")
    assert Order.objects.filter(status="on_hold").count() == 6
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/orders/")
    page.check(f"tr[data-order='{orders[0].number}'] input[type=checkbox]")
    expect(page.locator("[data-testid=bulk-count]")).to_have_text("1")
    shoot(page, "order-list-bulk-zh-390")


def test_manual_form_sku_search_and_added_line(zh_ops, orders, login, live_server):
    page = login("ops-zh", "pw-ops-zh")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/orders/new/")
    page.fill("#id_customer_phone", "13900000001")
    expect(page.locator("[data-testid=customer-match]")).to_have_count(1)
    page.click("[data-address-pick]")
    expect(page.locator("#id_district")).to_have_value("浦东新区")
    page.locator("#id_lines-0-sku").press_sequentially("茶杯", delay=50)
    expect(page.locator("[data-sku-pick='SKU-0002']")).to_contain_text("库存 8")
    page.click("[data-sku-pick='SKU-0002']")
    expect(page.locator("#id_lines-0-sku")).to_have_value("SKU-0002")
    page.click("[data-testid=add-line]")
    page.click("[data-testid=add-line]")
    expect(page.locator("#id_lines-4-sku")).to_be_visible()
    page.locator("#id_lines-4-sku").press_sequentially("SKU-0001", delay=30)
    expect(page.locator("[data-sku-pick='SKU-0001']")).to_contain_text("59.90")
    shoot(page, "manual-order-zh-1366")
    page.click("[data-sku-pick='SKU-0001']")
    page.click("[data-testid=order-form] button[type=submit]")
    expect(page.locator("[data-testid=order-status]")).to_be_visible()
    order = Order.objects.get(source="manual")
    assert sorted((line.sku.code, line.quantity) for line in order.lines.all()) == [
        ("SKU-0001", 1),
        ("SKU-0002", 1),
    ]
    assert order.shipping_address.line1 == "世纪大道201号"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/orders/new/")
    page.locator("#id_lines-0-sku").press_sequentially("SKU", delay=30)
    expect(page.locator("[data-sku-pick='SKU-0001']")).to_be_visible()
    shoot(page, "manual-order-zh-390")


def test_dashboard_chart_in_chinese(zh_ops, orders, login, live_server):
    page = login("ops-zh", "pw-ops-zh")
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/")
        expect(page.locator("[data-testid=week-chart] svg g")).to_have_count(7)
        expect(page.locator("[data-testid=week-chart]")).to_contain_text("最近 7 天")
        expect(page.locator("[data-testid=week-chart]")).to_contain_text("共 6 个订单")
        shoot(page, f"dashboard-zh-{width}")
