"""The services the orders app codes against: allocate, plan, reserve, release, consume, receive, restock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory.exceptions import InsufficientStock, InvalidQuantity, NoActiveReservation
from inventory.models import Reservation, StockLevel, StockMovement
from inventory.services import (
    AllocationResult,
    DemandLine,
    allocate,
    allocation_plan,
    reservation_consume,
    reservation_release,
    sellable_quantity,
    stock_receive,
    stock_reserve,
    stock_restock_return,
)
from tests.factories import LocationFactory, SKUFactory, SupplierFactory, WarehouseFactory, stock_in
from tests.inventory.helpers import assert_invariants, level

pytestmark = pytest.mark.django_db


@pytest.fixture
def sh():
    return WarehouseFactory(code="SH", name="上海仓", regions=["上海", "江苏", "浙江"], priority=10)


@pytest.fixture
def gz():
    return WarehouseFactory(code="GZ", name="广州仓", regions=["广东", "广西"], priority=20)


@pytest.fixture
def bj():
    return WarehouseFactory(code="BJ", name="北京仓", regions=["北京"], priority=5)


def test_one_warehouse_that_serves_the_province_is_chosen_over_a_higher_priority_one(sh, bj):
    # given both warehouses hold enough; BJ has the better priority but SH serves 江苏
    sku = SKUFactory(code="SKU-001")
    stock_in(sku, sh, 10)
    stock_in(sku, bj, 10)

    # when
    result = allocate(lines=[DemandLine(ref="order-line:1", sku_id=sku.pk, quantity=3)], province="江苏")

    # then
    assert isinstance(result, AllocationResult)
    assert result.allocated is True
    assert result.short == {}
    assert [(r.demand_ref, r.warehouse_id, r.quantity, r.status) for r in result.reservations] == [
        ("order-line:1", sh.pk, 3, "active")
    ]
    assert (level(sku, sh).reserved, level(sku, bj).reserved) == (3, 0)
    assert result.explanation["decision"] == "single_warehouse"
    assert result.explanation["chosen"] == ["SH"]
    by_code = {c["warehouse"]: c for c in result.explanation["candidates"]}
    assert by_code["SH"]["region_match"] is True and by_code["SH"]["chosen"] is True
    assert by_code["BJ"]["fills_all"] is True and by_code["BJ"]["chosen"] is False
    assert "province" in by_code["BJ"]["reason"]
    assert_invariants()


def test_without_a_region_match_the_lower_priority_number_wins(sh, gz, bj):
    sku = SKUFactory()
    for wh in (sh, gz, bj):
        stock_in(sku, wh, 5)

    result = allocate(lines=[DemandLine(ref="r1", sku_id=sku.pk, quantity=1)], province="西藏")

    assert result.explanation["chosen"] == ["BJ"]
    assert [r.warehouse_id for r in result.reservations] == [bj.pk]


def test_load_breaks_a_tie_on_region_and_priority(sh):
    # given two equal warehouses; SH2 already has 3 active reservations today
    sh2 = WarehouseFactory(code="SH2", regions=["上海"], priority=10, daily_capacity=1000)
    sku = SKUFactory()
    stock_in(sku, sh, 10)
    stock_in(sku, sh2, 10)
    stock_reserve(sku_id=sku.pk, warehouse_id=sh.pk, quantity=1, demand_ref="x1")
    stock_reserve(sku_id=sku.pk, warehouse_id=sh.pk, quantity=1, demand_ref="x2")

    result = allocate(lines=[DemandLine(ref="r1", sku_id=sku.pk, quantity=1)], province="上海")

    assert result.explanation["chosen"] == ["SH2"]
    by_code = {c["warehouse"]: c for c in result.explanation["candidates"]}
    assert (by_code["SH"]["reserved_today"], by_code["SH2"]["reserved_today"]) == (2, 0)
    assert "busier" in by_code["SH"]["reason"]


def test_a_warehouse_filling_every_line_beats_a_split_even_without_region_match(sh, gz):
    a, b = SKUFactory(), SKUFactory()
    stock_in(a, sh, 5)  # SH serves the province but only has A
    stock_in(a, gz, 5)
    stock_in(b, gz, 5)

    result = allocate(
        lines=[DemandLine(ref="l1", sku_id=a.pk, quantity=2), DemandLine(ref="l2", sku_id=b.pk, quantity=2)],
        province="上海",
    )

    assert result.explanation["decision"] == "single_warehouse"
    assert {r.warehouse_id for r in result.reservations} == {gz.pk}


def test_split_takes_the_fewest_warehouses(sh, gz, bj):
    # given A only in SH; B and C in GZ; C also in BJ -> SH + GZ (2 parcels), never 3
    a, b, c = SKUFactory(code="A"), SKUFactory(code="B"), SKUFactory(code="C")
    stock_in(a, sh, 5)
    stock_in(b, gz, 5)
    stock_in(c, gz, 5)
    stock_in(c, bj, 5)

    result = allocate(
        lines=[
            DemandLine(ref="l1", sku_id=a.pk, quantity=1),
            DemandLine(ref="l2", sku_id=b.pk, quantity=1),
            DemandLine(ref="l3", sku_id=c.pk, quantity=1),
        ],
        province="北京",
    )

    assert result.allocated is True
    assert result.explanation["decision"] == "split"
    assert sorted(result.explanation["chosen"]) == ["GZ", "SH"]
    assert sorted((r.demand_ref, r.warehouse_id) for r in result.reservations) == [
        ("l1", sh.pk),
        ("l2", gz.pk),
        ("l3", gz.pk),
    ]
    assert_invariants()


def test_a_line_no_single_warehouse_can_fill_is_split_by_units(sh, gz):
    sku = SKUFactory()
    stock_in(sku, sh, 3)
    stock_in(sku, gz, 4)

    result = allocate(lines=[DemandLine(ref="l1", sku_id=sku.pk, quantity=6)], province="上海")

    assert result.allocated is True
    assert sorted((r.warehouse_id, r.quantity) for r in result.reservations) == [(sh.pk, 3), (gz.pk, 3)]
    assert sum(r.quantity for r in Reservation.objects.filter(demand_ref="l1", status="active")) == 6
    assert_invariants()


def test_shortage_reserves_nothing_and_explains_what_is_missing(sh, gz):
    a, b = SKUFactory(code="SKU-A"), SKUFactory(code="SKU-B")
    stock_in(a, sh, 5)
    stock_in(b, gz, 1)

    result = allocate(
        lines=[DemandLine(ref="l1", sku_id=a.pk, quantity=2), DemandLine(ref="l2", sku_id=b.pk, quantity=3)],
        province="上海",
    )

    assert result.allocated is False
    assert result.reservations == []
    assert result.short == {b.pk: 2}
    assert result.explanation["decision"] == "backorder"
    assert result.explanation["short"] == {"SKU-B": 2}
    assert Reservation.objects.count() == 0
    assert list(StockLevel.objects.values_list("reserved", flat=True)) == [0, 0]


def test_a_sku_with_no_stock_row_anywhere_is_short_by_its_quantity(sh):
    sku = SKUFactory(code="NEW-1")

    result = allocate(lines=[DemandLine(ref="l1", sku_id=sku.pk, quantity=4)], province="上海")

    assert (result.allocated, result.short, result.explanation["short"]) == (False, {sku.pk: 4}, {"NEW-1": 4})


def test_the_same_sku_on_two_lines_counts_its_stock_once(sh):
    sku = SKUFactory()
    stock_in(sku, sh, 3)

    result = allocate(
        lines=[
            DemandLine(ref="l1", sku_id=sku.pk, quantity=2),
            DemandLine(ref="l2", sku_id=sku.pk, quantity=2),
        ],
        province="上海",
    )

    assert (result.allocated, result.short) == (False, {sku.pk: 1})
    assert level(sku, sh).reserved == 0


def test_allocation_plan_reserves_nothing(sh):
    sku = SKUFactory()
    stock_in(sku, sh, 3)

    plan = allocation_plan(lines=[DemandLine(ref="l1", sku_id=sku.pk, quantity=2)], province="上海")

    assert plan.allocated is True
    assert plan.reservations == []
    assert plan.explanation["chosen"] == ["SH"]
    assert plan.explanation["assignments"] == [
        {"ref": "l1", "sku": sku.code, "warehouse": "SH", "quantity": 2}
    ]
    assert Reservation.objects.count() == 0
    assert level(sku, sh).reserved == 0


def test_allocating_the_same_refs_twice_holds_the_stock_once(sh):
    sku = SKUFactory()
    stock_in(sku, sh, 10)
    lines = [DemandLine(ref="l1", sku_id=sku.pk, quantity=2)]

    first = allocate(lines=lines, province="上海")
    second = allocate(lines=lines, province="上海")

    assert (first.allocated, second.allocated) == (True, True)
    assert [r.pk for r in second.reservations] == [r.pk for r in first.reservations]
    assert level(sku, sh).reserved == 2


def test_inactive_warehouses_are_not_candidates(sh, gz):
    sku = SKUFactory()
    stock_in(sku, gz, 5)
    gz.is_active = False
    gz.save()

    result = allocate(lines=[DemandLine(ref="l1", sku_id=sku.pk, quantity=1)], province="广东")

    assert (result.allocated, result.short) == (False, {sku.pk: 1})
    assert sellable_quantity(sku_ids=[sku.pk]) == {sku.pk: 0}


def test_bad_quantity_is_refused():
    sku = SKUFactory()
    with pytest.raises(InvalidQuantity):
        allocate(lines=[DemandLine(ref="l1", sku_id=sku.pk, quantity=0)], province="上海")


def test_reserve_more_than_available_is_refused_with_an_actionable_message_and_changes_nothing(sh):
    sku = SKUFactory(code="SKU-001")
    stock_in(sku, sh, 3)

    with pytest.raises(InsufficientStock) as refused:
        stock_reserve(sku_id=sku.pk, warehouse_id=sh.pk, quantity=5, demand_ref="l1")

    assert str(refused.value) == "Only 3 of SKU-001 available in SH (5 asked)."
    assert level(sku, sh).reserved == 0
    assert Reservation.objects.count() == 0


def test_release_returns_units_and_is_safe_to_call_twice(sh):
    sku = SKUFactory()
    stock_in(sku, sh, 10)
    stock_reserve(sku_id=sku.pk, warehouse_id=sh.pk, quantity=4, demand_ref="l1")
    stock_reserve(sku_id=sku.pk, warehouse_id=sh.pk, quantity=1, demand_ref="l2")

    first = reservation_release(demand_refs=["l1", "l2", "nothing"], reason="order cancelled")
    second = reservation_release(demand_refs=["l1", "l2"])

    assert (first, second) == (5, 0)
    assert level(sku, sh).reserved == 0
    assert set(Reservation.objects.values_list("status", "closed_reason")) == {
        ("released", "order cancelled")
    }
    assert_invariants()


def test_consume_on_shipment_writes_the_shipment_row(sh, gz):
    sku = SKUFactory()
    stock_in(sku, sh, 3)
    stock_in(sku, gz, 3)
    allocate(lines=[DemandLine(ref="l1", sku_id=sku.pk, quantity=5)], province="上海")

    movements = reservation_consume(demand_ref="l1", reference="SHP-1")
    again = reservation_consume(demand_ref="l1", reference="SHP-1")

    assert sorted((m.warehouse_id, m.kind, m.quantity, m.reference) for m in movements) == sorted(
        [(sh.pk, "shipment", -3, "SHP-1"), (gz.pk, "shipment", -2, "SHP-1")]
    )
    assert again == []
    assert [(lv.on_hand, lv.reserved) for lv in (level(sku, sh), level(sku, gz))] == [(0, 0), (1, 0)]
    assert set(Reservation.objects.values_list("status", flat=True)) == {"consumed"}
    assert_invariants()


def test_consume_without_a_reservation_is_refused():
    with pytest.raises(NoActiveReservation):
        reservation_consume(demand_ref="order-line:404")


def test_receive_records_supplier_reference_and_cost(sh):
    sku = SKUFactory()
    supplier = SupplierFactory()

    movement = stock_receive(
        sku_id=sku.pk,
        warehouse_id=sh.pk,
        quantity=12,
        supplier_id=supplier.pk,
        reference="PO-1",
        unit_cost=Decimal("18.50"),
    )

    assert (movement.kind, movement.quantity, movement.balance_after, movement.supplier_id) == (
        "receipt",
        12,
        12,
        supplier.pk,
    )
    assert (movement.reference, movement.unit_cost) == ("PO-1", Decimal("18.50"))
    assert level(sku, sh).on_hand == 12


def test_restock_return_resellable_goes_on_hand_damaged_to_the_damaged_bin(sh):
    sku = SKUFactory()
    damaged_bin = LocationFactory(warehouse=sh, code="DMG", kind="damaged")

    good = stock_restock_return(
        sku_id=sku.pk, warehouse_id=sh.pk, quantity=2, resellable=True, reference="AS-1"
    )
    bad = stock_restock_return(
        sku_id=sku.pk, warehouse_id=sh.pk, quantity=1, resellable=False, reference="AS-1"
    )

    assert (good.kind, good.bucket, good.quantity) == ("return_restock", "sellable", 2)
    assert (bad.kind, bad.bucket, bad.quantity, bad.location_id) == (
        "return_damaged",
        "damaged",
        1,
        damaged_bin.pk,
    )
    lv = level(sku, sh)
    assert (lv.on_hand, lv.damaged, lv.available) == (2, 1, 2)
    assert_invariants()


def test_sellable_quantity_sums_available_over_warehouses(sh, gz):
    a, b, c = SKUFactory(), SKUFactory(), SKUFactory()
    stock_in(a, sh, 5)
    stock_in(a, gz, 2)
    stock_in(b, sh, 1)
    stock_reserve(sku_id=a.pk, warehouse_id=sh.pk, quantity=3, demand_ref="l1")

    assert sellable_quantity(sku_ids=[a.pk, b.pk, c.pk]) == {a.pk: 4, b.pk: 1, c.pk: 0}


def test_a_caller_may_catch_a_refusal_and_keep_its_transaction(sh):
    from django.db import transaction

    sku = SKUFactory()
    stock_in(sku, sh, 1)
    with transaction.atomic():
        with pytest.raises(InsufficientStock):
            stock_reserve(sku_id=sku.pk, warehouse_id=sh.pk, quantity=2, demand_ref="l1")
        stock_reserve(sku_id=sku.pk, warehouse_id=sh.pk, quantity=1, demand_ref="l1")

    assert level(sku, sh).reserved == 1
    assert StockMovement.objects.count() == 1


def test_allocate_batch_decides_each_set_in_order_as_allocate_would(sh, gz):
    from inventory.services import allocate_batch

    a, b = SKUFactory(code="A"), SKUFactory(code="B")
    stock_in(a, sh, 5)
    stock_in(b, gz, 2)

    results = allocate_batch(
        demands=[
            ([DemandLine(ref="o1", sku_id=a.pk, quantity=3)], "上海"),
            (
                [
                    DemandLine(ref="o2", sku_id=a.pk, quantity=3),
                    DemandLine(ref="o2b", sku_id=b.pk, quantity=1),
                ],
                "广东",
            ),
            (
                [
                    DemandLine(ref="o3", sku_id=a.pk, quantity=2),
                    DemandLine(ref="o3b", sku_id=b.pk, quantity=2),
                ],
                "广东",
            ),
            ([DemandLine(ref="o1", sku_id=a.pk, quantity=3)], "上海"),  # repeated: held once
        ]
    )

    assert [r.allocated for r in results] == [True, False, True, True]
    assert results[1].short == {a.pk: 1}
    assert results[2].explanation["decision"] == "split"
    assert [(r.demand_ref, r.warehouse_id, r.quantity) for r in results[2].reservations] == [
        ("o3", sh.pk, 2),
        ("o3b", gz.pk, 2),
    ]
    assert results[3].explanation["decision"] == "already_allocated"
    assert all(r.pk for res in results for r in res.reservations)
    assert (level(a, sh).reserved, level(b, gz).reserved) == (5, 2)
    assert_invariants()
