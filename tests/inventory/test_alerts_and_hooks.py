"""Low-stock alerts (one per SKU × warehouse, notification to purchasing), backorder hook, check_stock."""

from __future__ import annotations

import threading

import pytest
from celery import current_app, shared_task
from django.core.management import call_command
from django.db import connection

from inventory.exceptions import StockBelowReserved
from inventory.models import LowStockAlert, StockLevel, StockMovement
from inventory.selectors import stock_drift
from inventory.services import (
    BACKORDER_TASK,
    DemandLine,
    allocate,
    reservation_release,
    stock_adjust,
    stock_count,
    stock_receive,
    stock_reserve,
    stock_restock_return,
)
from oms.models import OutboxMessage
from tests.factories import SKUFactory, WarehouseFactory, stock_in


@pytest.fixture
def wh(db):
    return WarehouseFactory(code="SH", regions=["上海"])


@pytest.mark.django_db
def test_falling_below_safety_stock_opens_one_alert_and_tells_purchasing_once(wh, settings):
    settings.OMS_PURCHASING_EMAIL = "buyers@example.com"
    sku = SKUFactory(code="SKU-LOW")
    stock_in(sku, wh, 10, safety_stock=5)

    stock_reserve(sku_id=sku.pk, warehouse_id=wh.pk, quantity=6, demand_ref="l1")  # available 4 < 5
    stock_reserve(sku_id=sku.pk, warehouse_id=wh.pk, quantity=1, demand_ref="l2")  # still low

    alerts = list(LowStockAlert.objects.values_list("status", "available_at_open", "safety_stock"))
    assert alerts == [("open", 4, 5)]
    messages = list(OutboxMessage.objects.values_list("recipient", "event", "subject"))
    assert messages == [("buyers@example.com", "inventory.low_stock", "Low stock: SKU-LOW in SH")]


@pytest.mark.django_db
def test_alert_closes_when_stock_recovers_and_a_new_drop_opens_a_new_one(wh):
    sku = SKUFactory()
    stock_in(sku, wh, 3, safety_stock=5)  # opens at 3
    assert LowStockAlert.objects.filter(status="open").count() == 1

    stock_receive(sku_id=sku.pk, warehouse_id=wh.pk, quantity=10)  # 13: recovered
    assert list(LowStockAlert.objects.values_list("status", flat=True)) == ["closed"]

    stock_adjust(sku_id=sku.pk, warehouse_id=wh.pk, quantity=-10, reason="broken shelf")  # 3 again
    assert sorted(LowStockAlert.objects.values_list("status", flat=True)) == ["closed", "open"]
    assert OutboxMessage.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_drops_open_exactly_one_alert(wh):
    sku = SKUFactory()
    stock_in(sku, wh, 30, safety_stock=30)  # at safety stock: not low yet
    assert LowStockAlert.objects.count() == 0
    barrier = threading.Barrier(8)
    errors = []

    def worker(n):
        try:
            barrier.wait(timeout=10)
            stock_reserve(sku_id=sku.pk, warehouse_id=wh.pk, quantity=1, demand_ref=f"l{n}")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert LowStockAlert.objects.filter(status="open").count() == 1
    assert OutboxMessage.objects.filter(event="inventory.low_stock").count() == 1


@pytest.fixture
def backorder_task():
    """A stand-in for the orders app's task, registered under its name; records the calls."""
    calls = []
    existing = current_app.tasks.get(BACKORDER_TASK)

    @shared_task(name="tests.inventory.fake_allocate_backorders")
    def fake(*, sku_ids):
        calls.append(sku_ids)

    # Stand in under the orders app's task name, whether or not the orders app registered it.
    current_app.tasks[BACKORDER_TASK] = current_app.tasks[fake.name]
    yield calls
    if existing is None:
        current_app.tasks.pop(BACKORDER_TASK, None)
    else:
        current_app.tasks[BACKORDER_TASK] = existing


@pytest.mark.django_db
def test_stock_arriving_asks_the_orders_app_to_allocate_backorders_after_commit(
    wh, backorder_task, django_capture_on_commit_callbacks
):
    sku = SKUFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        stock_receive(sku_id=sku.pk, warehouse_id=wh.pk, quantity=5)
    assert backorder_task == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert backorder_task == [[sku.pk]]

    with django_capture_on_commit_callbacks(execute=True):
        stock_count(sku_id=sku.pk, warehouse_id=wh.pk, counted=7)  # count up
        stock_restock_return(sku_id=sku.pk, warehouse_id=wh.pk, quantity=1, resellable=True)
        stock_restock_return(sku_id=sku.pk, warehouse_id=wh.pk, quantity=1, resellable=False)  # not sellable
        stock_count(sku_id=sku.pk, warehouse_id=wh.pk, counted=6)  # count down: nothing arrived
    assert backorder_task == [[sku.pk], [sku.pk], [sku.pk]]


@pytest.mark.django_db
def test_without_an_orders_task_registered_nothing_is_sent(wh, django_capture_on_commit_callbacks):
    # given an installation without the orders app's task (inventory deployed on its own)
    registered = current_app.tasks.pop(BACKORDER_TASK, None)
    try:
        sku = SKUFactory()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            stock_receive(sku_id=sku.pk, warehouse_id=wh.pk, quantity=5)
    finally:
        if registered is not None:
            current_app.tasks[BACKORDER_TASK] = registered
    # then the receipt commits, its hook ran and sent nothing, without raising
    assert len(callbacks) == 1
    assert StockLevel.objects.get(sku=sku, warehouse=wh).on_hand == 5


@pytest.mark.django_db
def test_a_refused_adjustment_changes_nothing_and_queues_nothing(wh, django_capture_on_commit_callbacks):
    sku = SKUFactory()
    stock_in(sku, wh, 5)
    allocate(lines=[DemandLine(ref="l1", sku_id=sku.pk, quantity=4)], province="上海")
    before = list(StockMovement.objects.values_list("pk", flat=True))

    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(StockBelowReserved, match="4 are reserved"),
    ):
        stock_adjust(sku_id=sku.pk, warehouse_id=wh.pk, quantity=-2, reason="lost")

    assert callbacks == []
    assert list(StockMovement.objects.values_list("pk", flat=True)) == before
    lv = StockLevel.objects.get()
    assert (lv.on_hand, lv.reserved) == (5, 4)


@pytest.mark.django_db
def test_check_stock_reports_drift_with_exit_code_1(wh, capsys):
    sku = SKUFactory(code="SKU-D")
    stock_in(sku, wh, 5)
    stock_reserve(sku_id=sku.pk, warehouse_id=wh.pk, quantity=2, demand_ref="l1")
    call_command("check_stock")
    assert "matches" in capsys.readouterr().out

    # someone edits the table by hand, behind the services' back
    StockLevel.objects.update(on_hand=9)
    reservation_release(demand_refs=["l1"])
    StockLevel.objects.update(reserved=1)

    assert [d.describe() for d in stock_drift()] == [
        "SKU-D @ SH: on_hand 9 but ledger says 5; reserved 1 but active reservations hold 0"
    ]
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_stock")
    assert exit_info.value.code == 1
    assert "SKU-D @ SH" in capsys.readouterr().err
