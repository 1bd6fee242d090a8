"""allocate_batch: many demand sets in one transaction, each decided exactly as ``allocate`` would one by one."""

from __future__ import annotations

import random

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from inventory.exceptions import InvalidQuantity
from inventory.models import LowStockAlert, Reservation, StockLevel
from inventory.services import DemandLine, allocate, allocate_batch
from oms.models import OutboxMessage
from tests.factories import SKUFactory, WarehouseFactory, stock_in
from tests.inventory.helpers import assert_invariants, level

pytestmark = pytest.mark.django_db

PROVINCES = ["上海", "江苏", "广东", "北京", "四川", "湖北"]


@pytest.fixture
def warehouses():
    # SH and NJ serve the same provinces with the same priority: today's load breaks their ties.
    return [
        WarehouseFactory(code="SH", regions=["上海", "江苏"], priority=10, daily_capacity=50),
        WarehouseFactory(code="NJ", regions=["上海", "江苏"], priority=10, daily_capacity=50),
        WarehouseFactory(code="GZ", regions=["广东"], priority=20, daily_capacity=50),
        WarehouseFactory(code="BJ", regions=["北京"], priority=5, daily_capacity=50),
    ]


def _outcome(result) -> tuple:
    return (
        result.allocated,
        result.explanation.get("decision"),
        result.explanation.get("chosen"),
        [(r.demand_ref, r.sku_id, r.warehouse_id, r.quantity) for r in result.reservations],
        result.short,
        [
            (c["warehouse"], c["reserved_today"], c["reason"])
            for c in result.explanation.get("candidates", [])
        ],
    )


def test_a_batch_decides_every_set_exactly_as_allocate_one_by_one(warehouses):
    # given 12 SKUs stocked unevenly in four warehouses and 80 random demand sets, several of them short
    rng = random.Random(3)
    skus = [SKUFactory(code=f"S{n:02d}") for n in range(12)]
    for sku in skus:
        for wh in rng.sample(warehouses, 3):
            stock_in(sku, wh, rng.randint(1, 12))
    demands = []
    for n in range(80):
        chosen = rng.sample(skus, rng.choice([1, 1, 2, 3, 4]))
        lines = [
            DemandLine(ref=f"line:{n}:{i}", sku_id=s.pk, quantity=rng.randint(1, 3))
            for i, s in enumerate(chosen)
        ]
        demands.append((lines, rng.choice(PROVINCES)))

    # when the sets are allocated one by one (then rolled back) and as one batch
    with transaction.atomic():
        one_by_one = [_outcome(allocate(lines=lines, province=p)) for lines, p in demands]
        transaction.set_rollback(True)
    assert Reservation.objects.count() == 0
    batch = [_outcome(r) for r in allocate_batch(demands=demands)]

    # then every decision, reservation, shortage and stored reason is the same, load ties included
    assert batch == one_by_one
    decisions = {o[1] for o in batch}
    assert {"single_warehouse", "split", "backorder"} <= decisions
    assert any(reserved for o in batch for _code, reserved, _reason in o[5] if reserved)  # load decided ties
    assert_invariants()


def test_a_batch_never_takes_more_than_is_available_and_short_sets_reserve_nothing(warehouses):
    sh, _nj, gz, _bj = warehouses
    sku = SKUFactory(code="HOT")
    stock_in(sku, sh, 3)
    stock_in(sku, gz, 2)

    results = allocate_batch(
        demands=[([DemandLine(ref=f"l{n}", sku_id=sku.pk, quantity=1)], "上海") for n in range(8)]
    )

    assert [r.allocated for r in results] == [True] * 5 + [False] * 3
    assert [r.short for r in results[5:]] == [{sku.pk: 1}] * 3
    assert (level(sku, sh).reserved, level(sku, gz).reserved) == (3, 2)
    assert Reservation.objects.filter(status="active").count() == 5
    assert_invariants()


def test_a_bad_quantity_refuses_the_whole_batch_and_changes_nothing(warehouses):
    sh = warehouses[0]
    sku = SKUFactory()
    stock_in(sku, sh, 10)

    with pytest.raises(InvalidQuantity):
        allocate_batch(
            demands=[
                ([DemandLine(ref="ok", sku_id=sku.pk, quantity=2)], "上海"),
                ([DemandLine(ref="bad", sku_id=sku.pk, quantity=0)], "上海"),
            ]
        )

    assert Reservation.objects.count() == 0
    assert level(sku, sh).reserved == 0


def test_an_inactive_warehouse_is_never_used(warehouses):
    sh, nj, _gz, _bj = warehouses
    sku = SKUFactory()
    stock_in(sku, sh, 1)
    stock_in(sku, nj, 9)
    nj.is_active = False  # being emptied: its stock stays but is not sold
    nj.save()

    results = allocate_batch(
        demands=[
            ([DemandLine(ref="a", sku_id=sku.pk, quantity=1)], "上海"),
            ([DemandLine(ref="b", sku_id=sku.pk, quantity=1)], "上海"),
        ]
    )

    assert [r.allocated for r in results] == [True, False]
    assert [c["warehouse"] for c in results[0].explanation["candidates"]] == ["SH"]
    assert level(sku, nj).reserved == 0


def test_a_set_already_held_is_handed_back_not_held_twice(warehouses):
    sh = warehouses[0]
    sku = SKUFactory()
    stock_in(sku, sh, 10)
    first = allocate(lines=[DemandLine(ref="order-line:1", sku_id=sku.pk, quantity=4)], province="上海")

    again, fresh = allocate_batch(
        demands=[
            ([DemandLine(ref="order-line:1", sku_id=sku.pk, quantity=4)], "上海"),
            ([DemandLine(ref="order-line:2", sku_id=sku.pk, quantity=4)], "上海"),
        ]
    )

    assert again.explanation == {"decision": "already_allocated", "refs": ["order-line:1"]}
    assert [r.pk for r in again.reservations] == [r.pk for r in first.reservations]
    assert fresh.allocated is True
    assert level(sku, sh).reserved == 8
    assert_invariants()


def test_a_batch_opens_a_low_stock_alert_once_for_a_level_it_takes_under_safety_stock(warehouses):
    sh = warehouses[0]
    sku = SKUFactory(code="LOW")
    stock_in(sku, sh, 10, safety_stock=5)

    allocate_batch(demands=[([DemandLine(ref=f"l{n}", sku_id=sku.pk, quantity=3)], "上海") for n in range(3)])

    alert = LowStockAlert.objects.get(sku=sku, warehouse=sh, status="open")
    assert (alert.available_at_open, alert.safety_stock) == (1, 5)
    assert OutboxMessage.objects.filter(event="inventory.low_stock").count() == 1


def test_a_batch_costs_the_same_few_queries_whatever_its_size(warehouses):
    skus = [SKUFactory() for _ in range(40)]
    for n, sku in enumerate(skus):
        stock_in(sku, warehouses[n % 4], 50)
        stock_in(sku, warehouses[(n + 1) % 4], 50)

    def queries(count: int, tag: str) -> int:
        demands = [
            (
                [
                    DemandLine(ref=f"{tag}:{n}:0", sku_id=skus[n % 40].pk, quantity=1),
                    DemandLine(ref=f"{tag}:{n}:1", sku_id=skus[(n + 7) % 40].pk, quantity=1),
                ],
                PROVINCES[n % len(PROVINCES)],
            )
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as ctx:
            results = allocate_batch(demands=demands)
        assert all(r.allocated for r in results)
        return len(ctx.captured_queries)

    assert queries(5, "small") == queries(100, "large")
    assert StockLevel.objects.filter(reserved__gt=0).count() == 80
    assert_invariants()
