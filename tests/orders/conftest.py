"""Fixtures of the orders tests: default rules, a channel with its API token, SKUs with stock."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from orders.models import OrderRule, Tag
from orders.rules import ensure_default_rules
from orders.services import channel_token_create, order_intake
from tests.factories import ChannelFactory, ProductFactory, SKUFactory, WarehouseFactory, order_body, stock_in


@pytest.fixture
def channel(db):
    # The data migration creates the default rules; tests that flush the database need them back.
    ensure_default_rules(rule_model=OrderRule, tag_model=Tag)
    return ChannelFactory(code="tmall", name="天猫旗舰店", kind="marketplace")


@pytest.fixture
def warehouse(db):
    return WarehouseFactory(
        code="SH", name="上海仓", province="上海", regions=["上海", "江苏", "浙江"], priority=1
    )


@pytest.fixture
def sku(db, warehouse):
    product = ProductFactory(code="P-TEA", name="龙井茶", category="tea")
    sku = SKUFactory(product=product, code="SKU-0001", name="250g", price="59.90")
    stock_in(sku, warehouse, 100)
    return sku


@pytest.fixture
def sku2(db, warehouse):
    product = ProductFactory(code="P-CUP", name="茶杯", category="tea")
    sku = SKUFactory(product=product, code="SKU-0002", name="白瓷", price="20.00")
    stock_in(sku, warehouse, 5)
    return sku


@pytest.fixture
def token(channel):
    _token, raw = channel_token_create(channel=channel, name="test")
    return raw


@pytest.fixture
def api(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def make_order(channel, sku):
    """Create an order through the intake service (the way production does)."""
    counter = {"n": 0}

    def make(**overrides):
        counter["n"] += 1
        overrides.setdefault("external_id", f"T-{counter['n']:04d}")
        allocate_now = overrides.pop("allocate_now", False)
        result = order_intake(
            channel=overrides.pop("channel", channel), data=order_body(**overrides), allocate_now=allocate_now
        )
        assert not result.errors, result.errors
        return result.order

    return make


@pytest.fixture
def order_in(make_order, ops_user, finance_user):
    """An order walked through the services to ``status`` (the way production gets there)."""
    from orders import services

    def walk(status: str, **overrides):
        if status == "pending_payment":
            return make_order(paid=False, **overrides)
        if status in ("on_review", "finance_review"):
            overrides.setdefault("note", "请周末送货")  # a buyer remark sends it to review
        if status == "finance_review":
            overrides.setdefault("lines", [{"sku": "SKU-0001", "quantity": 1, "unit_price": "25000.00"}])
        order = make_order(**overrides)
        if status == "paid":
            raise ValueError("paid is passed through at once: auto-approve or review")
        if status in ("on_review",):
            return order
        if status == "finance_review":
            return services.order_approve(order_id=order.pk, by=ops_user)
        if status == "approved":
            return order
        if status == "allocated":
            return services.order_allocate(order_id=order.pk)
        if status == "backordered":
            order = make_order(lines=[{"sku": "SKU-0001", "quantity": 1000, "unit_price": "1.00"}])
            return services.order_allocate(order_id=order.pk)
        order = services.order_allocate(order_id=order.pk)
        if status == "on_hold":
            return services.order_hold(order_id=order.pk, by=ops_user, reason="customer called")
        order = services.order_mark_released(order_id=order.pk)
        if status == "in_fulfillment":
            return order
        if status == "partially_shipped":
            return services.order_mark_shipped(order_id=order.pk, partial=True)
        order = services.order_mark_shipped(order_id=order.pk)
        if status == "shipped":
            return order
        order = services.order_mark_delivered(order_id=order.pk)
        if status == "delivered":
            return order
        if status == "cancelled":
            raise ValueError("use order_cancel")
        raise ValueError(status)

    return walk
