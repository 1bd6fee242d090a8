"""Operations' morning in a browser: review queue (approve, reject with a reason, bulk approve), phone order."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order, OrderRule, Tag
from orders.rules import ensure_default_rules
from orders.services import order_intake
from tests.factories import ChannelFactory, ProductFactory, SKUFactory, WarehouseFactory, order_body, stock_in

pytestmark = pytest.mark.django_db(transaction=True)


def open_from_menu(page, url_name: str) -> None:
    """The menu groups entries in dropdowns: follow the entry's link (it must be in the menu)."""
    link = page.locator(f"[data-nav='{url_name}']")
    expect(link).to_have_count(1)
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + link.get_attribute("href"))


@pytest.fixture
def ops(make_user):
    user = make_user("ops1", "operations")
    user.language = "en"
    user.save()
    return user


@pytest.fixture
def review_orders(transactional_db):
    ensure_default_rules(rule_model=OrderRule, tag_model=Tag)
    channel = ChannelFactory(code="tmall", name="天猫旗舰店")
    ChannelFactory(code="phone", name="电话订购", kind="phone")
    warehouse = WarehouseFactory(code="SH", name="上海仓", province="上海", regions=["上海"])
    sku = SKUFactory(product=ProductFactory(code="P-TEA", name="龙井茶"), code="SKU-0001", price="59.90")
    stock_in(sku, warehouse, 100)
    orders = []
    for i in range(5):
        body = order_body(external_id=f"E2E-{i}", note="请周末送货")
        body["customer"]["phone"] = f"1380000000{i}"
        body["shipping_address"]["phone"] = f"1380000000{i}"
        body["shipping_address"]["line1"] = f"世纪大道{100 + i}号"
        orders.append(order_intake(channel=channel, data=body, allocate_now=False).order)
    assert {o.status for o in orders} == {"on_review"}
    return orders


def test_review_queue_approve_reject_bulk(ops, review_orders, login, live_server):
    page = login("ops1", "pw-ops1")
    open_from_menu(page, "orders:review")
    expect(page.locator("[data-testid=review-table] tbody tr")).to_have_count(5)
    expect(page.locator("[data-testid=reasons]").first).to_have_text("Buyer left a remark")
    first, second = review_orders[0], review_orders[1]
    # approve one from its page, after reading why it waits
    page.click(f"text={first.number}")
    expect(page.locator("[data-testid=risk]")).to_contain_text("Buyer left a remark")
    page.click("[data-action=approve]")
    # approved, then allocated at once after commit (stock is there)
    expect(page.locator("[data-testid=order-status]")).to_have_text("Allocated")
    # reject another with a reason
    page.goto(f"{live_server.url}/orders/{second.pk}/")
    page.fill("#reason-reject", "Buyer asked to cancel on the phone")
    page.click("[data-action=reject]")
    expect(page.locator("[data-testid=order-status]")).to_have_text("Cancelled")
    expect(page.locator("body")).to_contain_text("Buyer asked to cancel on the phone")
    # bulk-approve the rest
    open_from_menu(page, "orders:review")
    for order in review_orders[2:]:
        page.check(f"tr[data-order='{order.number}'] input[type=checkbox]")
    page.click("[data-testid=bulk-approve]")
    expect(page.locator(".alert-success")).to_contain_text("3 orders approved")
    expect(page.locator("[data-testid=review-table] tbody tr")).to_have_count(1)  # "nothing waits" row
    statuses = dict(Order.objects.values_list("external_id", "status"))
    assert statuses == {
        "E2E-0": "allocated",
        "E2E-1": "cancelled",
        "E2E-2": "allocated",
        "E2E-3": "allocated",
        "E2E-4": "allocated",
    }


def test_phone_order_refused_field_by_field_keeps_what_was_typed(ops, review_orders, login, live_server):
    page = login("ops1", "pw-ops1")
    open_from_menu(page, "orders:create")
    page.fill("#id_customer_name", "李四")
    page.fill("#id_customer_phone", "13900001111")
    page.fill("#id_province", "上海")
    page.fill("#id_city", "上海市")
    page.fill("#id_line1", "漕溪北路 88 号")
    page.fill("#id_lines-0-sku", "SKU-00O1")  # letter O instead of zero
    page.fill("#id_lines-0-quantity", "2")
    page.click("text=Create order")
    expect(page.locator("[data-error-for='lines-0-sku']")).to_have_text("Unknown SKU SKU-00O1")
    expect(page.locator("[data-error-for='district']")).to_have_text("This field is required.")
    expect(page.locator("#id_lines-0-sku")).to_have_value("SKU-00O1")
    expect(page.locator("#id_line1")).to_have_value("漕溪北路 88 号")
    expect(page.locator("#id_customer_name")).to_have_value("李四")
    assert Order.objects.filter(source="manual").count() == 0
    # fix both and submit
    page.fill("#id_lines-0-sku", "SKU-0001")
    page.fill("#id_district", "徐汇区")
    page.click("text=Create order")
    expect(page.locator("[data-testid=order-status]")).to_have_text(re.compile("Approved|Allocated"))
    order = Order.objects.get(source="manual")
    assert (order.channel.code, str(order.total)) == ("phone", "119.80")
