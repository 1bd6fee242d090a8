"""Concurrent order edits that ask for more of a scarce SKU never oversell (invariant 1), in real threads.

Ten allocated orders hold 1 unit each of a SKU with 12 on hand; all ten are edited at once to 2 units (same
total: the unit price halves). Each edit releases its unit and reserves again in its own transaction: whatever
the interleaving, 6 orders end with 2 units reserved (12, all the stock) and 4 are backordered, holding none.
"""

from __future__ import annotations

import threading
import traceback
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from inventory.models import Reservation, StockLevel
from inventory.selectors import stock_drift
from orders.models import Order, OrderRule, Tag
from orders.rules import ensure_default_rules
from orders.services import order_allocate, order_approve, order_intake
from orders.services.editing import order_edit
from tests.factories import ChannelFactory, SKUFactory, WarehouseFactory, order_body, stock_in
from tests.inventory.helpers import assert_invariants

pytestmark = pytest.mark.django_db(transaction=True)
ORDERS = 10


@pytest.fixture
def allocated_orders(transactional_db):
    ensure_default_rules(rule_model=OrderRule, tag_model=Tag)
    channel = ChannelFactory(code="tmall")
    warehouse = WarehouseFactory(code="SH", province="上海", regions=["上海"])
    sku = SKUFactory(code="HOT-1", price="59.90")
    stock_in(sku, warehouse, 12)
    orders = []
    for i in range(ORDERS):
        body = order_body(
            external_id=f"C-{i}", lines=[{"sku": "HOT-1", "quantity": 1, "unit_price": "59.90"}]
        )
        body["customer"]["phone"] = body["shipping_address"]["phone"] = f"1391111{i:04d}"
        body["shipping_address"]["line1"] = f"世纪大道{i + 1}号"
        order = order_intake(channel=channel, data=body, allocate_now=False).order
        if order.status == "on_review":
            order = order_approve(order_id=order.pk)
        orders.append(order_allocate(order_id=order.pk))
    assert {o.status for o in orders} == {"allocated"}
    return orders, sku


def _edit(order: Order, barrier) -> str:
    try:
        barrier.wait(timeout=30)
        line = order.lines.get()
        a = order.shipping_address
        data = {
            "shipping_address": {
                f: getattr(a, f)
                for f in ("name", "phone", "province", "city", "district", "line1", "postcode")
            },
            "lines": [{"id": line.pk, "sku": "HOT-1", "quantity": 2, "unit_price": "29.95"}],
            "shipping_fee": "0.00",
            "discount": "0.00",
        }
        order_edit(order_id=order.pk, data=data, reason="two instead of one")
        return ""
    except Exception:  # noqa: BLE001 - the proof counts any exception as a failure
        return traceback.format_exc()
    finally:
        connection.close()


def test_concurrent_edits_never_oversell(allocated_orders):
    orders, sku = allocated_orders
    barrier = threading.Barrier(ORDERS)
    with ThreadPoolExecutor(max_workers=ORDERS) as pool:
        errors = [e for e in pool.map(lambda o: _edit(o, barrier), orders) if e]
    assert errors == []
    statuses = sorted(Order.objects.values_list("status", flat=True))
    assert statuses == ["allocated"] * 6 + ["backordered"] * 4
    level = StockLevel.objects.get(sku=sku)
    assert (level.on_hand, level.reserved) == (12, 12)
    for order in Order.objects.all():
        held = sum(
            Reservation.objects.filter(demand_ref=order.lines.get().demand_ref, status="active").values_list(
                "quantity", flat=True
            )
        )
        assert held == (2 if order.status == "allocated" else 0)
        assert str(order.total) == "59.90"
    assert_invariants()
    assert stock_drift() == []
