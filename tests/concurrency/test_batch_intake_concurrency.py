"""Batch intakes racing: the allocation decided before the stock lock never oversells, and a batch does not
make another wait for its whole transaction because they share a new buyer.

Each batch runs on its own thread and PostgreSQL connection (real concurrent transactions).
"""

from __future__ import annotations

import threading
import traceback
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connection

from inventory.models import Reservation, StockLevel
from inventory.services import DemandLine, allocate
from orders.models import Order, OrderRule, Tag
from orders.rules import ensure_default_rules
from orders.services import allocation as orders_allocation
from orders.services import intake_batch
from orders.services.intake_batch import orders_intake_batch
from tests.factories import ChannelFactory, ProductFactory, SKUFactory, WarehouseFactory, order_body, stock_in
from tests.inventory.helpers import assert_invariants

THREADS = 6
PER_BATCH = 8


@pytest.fixture
def shop(transactional_db):
    ensure_default_rules(rule_model=OrderRule, tag_model=Tag)
    channel = ChannelFactory(code="tmall", name="天猫旗舰店", kind="marketplace")
    sku = SKUFactory(product=ProductFactory(code="P-TEA", name="龙井茶"), code="SKU-0001", price="59.90")
    sh = WarehouseFactory(code="SH", province="上海", regions=["上海"], priority=1)
    gz = WarehouseFactory(code="GZ", province="广东", regions=["广东"], priority=2)
    stock_in(sku, sh, 12)
    stock_in(sku, gz, 8)
    return channel, sku, sh, gz


def body(n: int) -> dict:
    data = order_body(
        external_id=f"R-{n:04d}", lines=[{"sku": "SKU-0001", "quantity": 1, "unit_price": "59.90"}]
    )
    phone = f"1370000{n:04d}"
    data["customer"].update(phone=phone, name=f"买家{n}")
    data["shipping_address"].update(phone=phone, line1=f"世纪大道{n}号")
    return data


def _statuses_agree(results) -> None:
    """What each answer says is what the database holds."""
    in_db = dict(Order.objects.filter(pk__in=[r.order.pk for r in results]).values_list("pk", "status"))
    assert {r.order.pk: r.order.status for r in results} == in_db


def test_batch_intakes_racing_for_scarce_stock_never_oversell(shop):
    channel, sku, _sh, _gz = shop
    barrier = threading.Barrier(THREADS)

    def worker(i: int):
        try:
            barrier.wait(timeout=30)
            return orders_intake_batch(channel=channel, bodies=[body(i * 100 + k) for k in range(PER_BATCH)])
        except Exception:  # noqa: BLE001 - the proof counts any exception as a failure
            return traceback.format_exc()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = list(pool.map(worker, range(THREADS)))

    assert [o for o in outcomes if isinstance(o, str)] == []
    results = [r for batch in outcomes for r in batch]
    assert len(results) == THREADS * PER_BATCH
    statuses = [r.order.status for r in results]
    # 20 units for 48 one-unit orders: exactly 20 allocated, every other one backordered
    assert statuses.count("allocated") == 20
    assert statuses.count("backordered") == THREADS * PER_BATCH - 20
    _statuses_agree(results)
    levels = {
        lv.warehouse.code: (lv.on_hand, lv.reserved) for lv in StockLevel.objects.select_related("warehouse")
    }
    assert levels == {"SH": (12, 12), "GZ": (8, 8)}
    assert Reservation.objects.filter(sku=sku, status="active").count() == 20
    assert_invariants()
    call_command("check_stock")  # exits 1 on drift


def test_stock_taken_between_the_decision_and_the_lock_is_decided_again_on_locked_stock(
    shop, monkeypatch, caplog
):
    channel, sku, sh, gz = shop
    real = orders_allocation.allocation_batch_new

    def decided_then_taken(**kwargs):
        pending = real(**kwargs)  # decided on 20 units: all 3 orders get one

        def take_all() -> None:  # another transaction takes 19 of the 20 units and commits meanwhile
            try:
                allocate(lines=[DemandLine(ref="other:1", sku_id=sku.pk, quantity=12)], province="上海")
                allocate(lines=[DemandLine(ref="other:2", sku_id=sku.pk, quantity=7)], province="广东")
            finally:
                connection.close()

        thread = threading.Thread(target=take_all)
        thread.start()
        thread.join(timeout=30)
        assert not thread.is_alive()
        return pending

    monkeypatch.setattr(orders_allocation, "allocation_batch_new", decided_then_taken)
    with caplog.at_level("INFO", logger="orders.services.intake_batch"):
        results = orders_intake_batch(channel=channel, bodies=[body(k) for k in range(3)])

    # The orders were decided and written in their final state; the stock lock found the units gone, so
    # all of it was rolled back, the orders written approved, and allocated on locked rows.
    assert "a batch of 3 orders is written before its allocation instead: StockMoved()" in caplog.text
    # Decided again on the locked rows: 1 unit left, for the first order; the others wait for stock.
    assert sorted(r.order.status for r in results) == ["allocated", "backordered", "backordered"]
    _statuses_agree(results)
    assert {lv.warehouse_id: lv.reserved for lv in StockLevel.objects.all()} == {sh.pk: 12, gz.pk: 8}
    # the reservations written for the first decision went with its savepoint
    mine = Reservation.objects.filter(demand_ref__startswith="order-line:", status="active")
    assert mine.count() == 1
    assert_invariants()
    call_command("check_stock")


def test_a_batch_does_not_wait_for_another_that_took_in_the_same_new_buyer(shop, monkeypatch):
    channel, _sku, _sh, _gz = shop
    first_inside, first_may_go = threading.Event(), threading.Event()
    real = intake_batch._write_rows

    def held_open(created, lines_of, **kwargs):
        if any(c.clean.external_id == "R-0001" for c in created):
            first_inside.set()  # batch A's transaction is open, its orders written
            assert first_may_go.wait(timeout=30)
        return real(created, lines_of, **kwargs)

    monkeypatch.setattr(intake_batch, "_write_rows", held_open)

    def batch_a():
        try:
            return orders_intake_batch(channel=channel, bodies=[body(1)])
        finally:
            connection.close()

    def batch_b():  # the same buyer's next order, while A's transaction is still open
        try:
            later = body(2)
            later["customer"], later["shipping_address"] = body(1)["customer"], body(1)["shipping_address"]
            return orders_intake_batch(channel=channel, bodies=[later])
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        a = pool.submit(batch_a)
        assert first_inside.wait(timeout=30)
        b = pool.submit(batch_b)
        try:
            (result_b,) = b.result(timeout=20)  # would wait on the buyer's phone until A commits
        finally:
            first_may_go.set()
        (result_a,) = a.result(timeout=30)

    assert result_a.created and result_b.created
    assert result_a.order.customer_id == result_b.order.customer_id
    _statuses_agree([result_a, result_b])
