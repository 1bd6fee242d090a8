"""Stock counts (盘点) and in-transit transfers: states, refusals, the ledger, check_stock afterwards."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from inventory.exceptions import CountAlreadyOpen, InsufficientStock, StockBelowReserved, UnknownCode
from inventory.models import StockCount, StockLevel, StockMovement, StockTransfer
from inventory.selectors import sellable_quantity
from inventory.services import (
    reservation_consume,
    stock_count_approve,
    stock_count_cancel,
    stock_count_reopen,
    stock_count_scan,
    stock_count_set_line,
    stock_count_start,
    stock_count_submit,
    stock_reserve,
    transfer_cancel,
    transfer_create,
    transfer_receive,
    transfer_ship,
)
from oms.exceptions import IllegalTransition, PermissionRefused
from oms.notes import render_note
from tests.factories import LocationFactory, SKUFactory, SupplierSKUFactory, WarehouseFactory, stock_in


@pytest.fixture
def wh(db):
    return WarehouseFactory(code="SH", name="上海仓")


@pytest.fixture
def skus(wh):
    a = SKUFactory(code="A-1", barcode="6900000000011")
    b = SKUFactory(code="B-1", barcode="6900000000028")
    c = SKUFactory(code="C-1", barcode="6900000000035")
    SupplierSKUFactory(sku=a, cost="12.50", is_preferred=True)
    SupplierSKUFactory(sku=b, cost="3.00")
    LocationFactory(warehouse=wh, code="A-01-01").skus.add(a)
    LocationFactory(warehouse=wh, code="A-01-02").skus.add(b)
    LocationFactory(warehouse=wh, code="B-02-01").skus.add(c)
    stock_in(a, wh, 10)
    stock_in(b, wh, 5)
    stock_in(c, wh, 7)
    return a, b, c


def _on_hand(sku, wh) -> int:
    return StockLevel.objects.get(sku=sku, warehouse=wh).on_hand


def test_zone_count_snapshots_its_bins_and_approval_books_the_variance(wh, skus, make_user):
    a, b, c = skus
    counter, manager = make_user("counter", "warehouse"), make_user("boss", "warehouse_manager")
    count = stock_count_start(warehouse_id=wh.pk, zone="a-01", by=counter)
    assert count.zone == "A-01" and count.number.startswith("CNT")
    assert sorted((x.sku.code, x.expected_at_start, x.unit_cost) for x in count.lines.all()) == [
        ("A-1", 10, Decimal("12.50")),
        ("B-1", 5, Decimal("3.00")),
    ]
    for _ in range(8):
        stock_count_scan(count_id=count.pk, code="6900000000011", by=counter)  # 8 of 10 found
    stock_count_scan(count_id=count.pk, code="B-1", quantity=6, by=counter)  # one more than expected
    stock_count_submit(count_id=count.pk, by=counter)
    with pytest.raises(PermissionRefused):
        stock_count_approve(count_id=count.pk, by=counter)  # a counter does not approve their own count
    stock_count_approve(count_id=count.pk, by=manager)
    count.refresh_from_db()
    assert count.status == "approved" and count.approved_by == manager
    assert (_on_hand(a, wh), _on_hand(b, wh), _on_hand(c, wh)) == (8, 6, 7)
    moves = StockMovement.objects.filter(reference=count.number).order_by("sku__code")
    assert [(m.kind, m.sku.code, m.quantity) for m in moves] == [("count", "A-1", -2), ("count", "B-1", 1)]
    assert render_note(moves[0].reason) == f"Stock count {count.number}: counted 8, expected 10"
    assert {x.sku.code: (x.variance, x.variance_value, x.adjusted) for x in count.lines.all()} == {
        "A-1": (-2, Decimal("-25.00"), -2),
        "B-1": (1, Decimal("3.00"), 1),
    }
    call_command("check_stock")


def test_stock_shipped_while_counting_is_not_a_variance(wh, skus, make_user):
    a, _b, _c = skus
    manager = make_user("boss", "warehouse_manager")
    count = stock_count_start(warehouse_id=wh.pk, zone="A-01-01")
    # 3 units leave the shelf (picked and shipped) after the count started, before A-1 is counted
    stock_reserve(sku_id=a.pk, warehouse_id=wh.pk, quantity=3, demand_ref="order-line:1")
    reservation_consume(demand_ref="order-line:1")
    stock_count_scan(count_id=count.pk, code="A-1", quantity=7)  # all that is there: no variance
    stock_count_submit(count_id=count.pk)
    stock_count_approve(count_id=count.pk, by=manager)
    assert _on_hand(a, wh) == 7
    assert not StockMovement.objects.filter(reference=count.number).exists()
    call_command("check_stock")


def test_a_sku_not_in_the_count_joins_it_and_an_unscanned_one_counts_zero(wh, skus, make_user):
    a, b, c = skus
    manager = make_user("boss", "warehouse_manager")
    count = stock_count_start(warehouse_id=wh.pk, zone="A-01")
    stock_count_scan(count_id=count.pk, code="C-1", quantity=2)  # found in the wrong bin
    line = stock_count_scan(count_id=count.pk, code="A-1", quantity=9)
    stock_count_set_line(count_id=count.pk, line_id=line.pk, counted=10)  # recounted: 10 after all
    stock_count_submit(count_id=count.pk)
    stock_count_approve(count_id=count.pk, by=manager)
    assert (_on_hand(a, wh), _on_hand(b, wh), _on_hand(c, wh)) == (10, 0, 2)
    call_command("check_stock")


def test_count_refusals_change_nothing(wh, skus, make_user):
    a, _b, _c = skus
    manager = make_user("boss", "warehouse_manager")
    count = stock_count_start(warehouse_id=wh.pk, zone="A-01")
    with pytest.raises(CountAlreadyOpen):
        stock_count_start(warehouse_id=wh.pk, zone="A-01")
    with pytest.raises(UnknownCode):
        stock_count_scan(count_id=count.pk, code="no-such")
    with pytest.raises(IllegalTransition):  # not submitted yet
        stock_count_approve(count_id=count.pk, by=manager)
    stock_count_submit(count_id=count.pk)
    with pytest.raises(IllegalTransition):  # scanning is over until it is reopened
        stock_count_scan(count_id=count.pk, code="A-1")
    stock_count_reopen(count_id=count.pk, by=manager)
    stock_count_scan(count_id=count.pk, code="A-1", quantity=1)
    stock_count_submit(count_id=count.pk)
    # 5 of A-1 are promised to orders: a count of 1 cannot be booked until they are dealt with
    stock_reserve(sku_id=a.pk, warehouse_id=wh.pk, quantity=5, demand_ref="order-line:9")
    with pytest.raises(StockBelowReserved):
        stock_count_approve(count_id=count.pk, by=manager)
    count.refresh_from_db()
    assert count.status == "submitted" and _on_hand(a, wh) == 10
    assert not StockMovement.objects.filter(reference=count.number).exists()
    stock_count_cancel(count_id=count.pk, by=manager)
    assert StockCount.objects.get(pk=count.pk).status == "cancelled"
    with pytest.raises(IllegalTransition):
        stock_count_approve(count_id=count.pk, by=manager)
    call_command("check_stock")


def test_transfer_is_in_transit_and_sellable_nowhere_until_received(wh, skus, make_user):
    a, _b, _c = skus
    bj = WarehouseFactory(code="BJ", name="北京仓")
    mover = make_user("mover", "warehouse")
    transfer = transfer_create(from_warehouse_id=wh.pk, to_warehouse_id=bj.pk, lines=[(a.pk, 4)], by=mover)
    assert transfer.status == "draft" and sellable_quantity(sku_ids=[a.pk]) == {a.pk: 10}
    transfer_ship(transfer_id=transfer.pk, by=mover)
    source, destination = (StockLevel.objects.get(sku=a, warehouse=w) for w in (wh, bj))
    assert (source.on_hand, destination.on_hand, destination.in_transit) == (6, 0, 4)
    assert sellable_quantity(sku_ids=[a.pk]) == {a.pk: 6}
    call_command("check_stock")
    transfer_receive(transfer_id=transfer.pk, by=mover)
    destination.refresh_from_db()
    assert (destination.on_hand, destination.in_transit) == (4, 0)
    assert sellable_quantity(sku_ids=[a.pk]) == {a.pk: 10}
    moves = StockMovement.objects.filter(reference=transfer.number).order_by("pk")
    assert [(m.kind, m.warehouse.code, m.quantity) for m in moves] == [
        ("transfer_out", "SH", -4),
        ("transfer_in", "BJ", 4),
    ]
    call_command("check_stock")


def test_transfer_refusals_change_nothing(wh, skus, make_user):
    a, _b, _c = skus
    bj = WarehouseFactory(code="BJ", name="北京仓")
    too_many = transfer_create(from_warehouse_id=wh.pk, to_warehouse_id=bj.pk, lines=[(a.pk, 11)])
    with pytest.raises(InsufficientStock):
        transfer_ship(transfer_id=too_many.pk)
    assert StockTransfer.objects.get(pk=too_many.pk).status == "draft" and _on_hand(a, wh) == 10
    with pytest.raises(IllegalTransition):
        transfer_receive(transfer_id=too_many.pk)  # never shipped
    transfer_cancel(transfer_id=too_many.pk)
    with pytest.raises(IllegalTransition):
        transfer_ship(transfer_id=too_many.pk)
    ok = transfer_create(from_warehouse_id=wh.pk, to_warehouse_id=bj.pk, lines=[(a.pk, 1)])
    transfer_ship(transfer_id=ok.pk)
    with pytest.raises(IllegalTransition):
        transfer_cancel(transfer_id=ok.pk)  # on the road: it can only be received
    with pytest.raises(PermissionRefused):
        transfer_receive(transfer_id=ok.pk, by=make_user("buyer", "purchasing"))
    assert StockLevel.objects.get(sku=a, warehouse=bj).in_transit == 1
    call_command("check_stock")
