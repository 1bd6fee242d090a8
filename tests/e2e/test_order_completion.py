"""A delivered order completed by the hourly sweep, as a Chinese-speaking operator sees it in a browser."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orders.models import OrderRule, Tag
from orders.rules import ensure_default_rules
from orders.services import (
    order_allocate,
    order_intake,
    order_mark_delivered,
    order_mark_released,
    order_mark_shipped,
)
from orders.tasks import complete_delivered_orders_task
from tests.factories import ChannelFactory, ProductFactory, SKUFactory, WarehouseFactory, order_body, stock_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("OMS_E2E_SCREENSHOTS", "")


@pytest.fixture
def completed_order(transactional_db):
    ensure_default_rules(rule_model=OrderRule, tag_model=Tag)
    channel = ChannelFactory(code="tmall", name="天猫旗舰店", aftersales_window_days=7)
    warehouse = WarehouseFactory(code="SH", name="上海仓", province="上海", regions=["上海"])
    sku = SKUFactory(product=ProductFactory(code="P-TEA", name="龙井茶"), code="SKU-0001", price="59.90")
    stock_in(sku, warehouse, 10)
    order = order_intake(channel=channel, data=order_body(external_id="E2E-DONE"), allocate_now=False).order
    order_allocate(order_id=order.pk)
    order_mark_released(order_id=order.pk)
    order_mark_shipped(order_id=order.pk)
    order_mark_delivered(order_id=order.pk, delivered_at=timezone.now() - timedelta(days=8))
    assert complete_delivered_orders_task()["completed"] == 1
    return order


def test_the_completion_is_on_the_timeline_in_chinese(make_user, completed_order, login, live_server):
    user = make_user("ops-zh", "operations")
    user.language = "zh-hans"
    user.save()
    page = login("ops-zh", "pw-ops-zh")

    page.goto(f"{live_server.url}/orders/{completed_order.pk}/")

    last = page.locator("[data-testid=timeline] li").last
    expect(last).to_contain_text("已完成: 已签收 → 已完成")
    expect(last).to_contain_text("系统")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/order-completed-zh.png", full_page=True)


def test_the_window_is_on_the_channel_admin_form(make_user, completed_order, login, live_server):
    admin = make_user("admin-zh", "admin", is_staff=True, is_superuser=True)
    admin.language = "zh-hans"
    admin.save()
    page = login("admin-zh", "pw-admin-zh")

    page.goto(f"{live_server.url}/admin/orders/channel/{completed_order.channel_id}/change/")

    expect(page.locator("#id_aftersales_window_days")).to_have_value("7")
    expect(page.locator("label[for=id_aftersales_window_days]")).to_contain_text("售后期（天）")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/channel-admin-zh.png", full_page=True)
