"""Shipments from allocations: one per warehouse, merged parcels (合单), drop-ship approval and dispatch."""

import pytest

from fulfillment.choices import ShipmentStatus as S
from fulfillment.exceptions import QuantityAboveOrdered, TrackingNumberRequired
from fulfillment.models import Shipment, ShipmentLine
from fulfillment.services import (
    shipment_approve_drop_ship,
    shipment_override_carrier,
    shipment_record_supplier_dispatch,
    shipments_create_for_order,
    wave_build,
)
from inventory.models import Reservation, StockLevel
from inventory.selectors import stock_drift
from oms.exceptions import IllegalTransition
from oms.models import OutboxMessage
from oms.notes import render_note
from tests.factories import CarrierServiceFactory, SupplierSKUFactory

pytestmark = pytest.mark.django_db


def test_an_allocated_order_becomes_one_parcel_and_is_released(allocated_order, skus, manual_service):
    tee, mug, _ = skus
    order = allocated_order([(tee, 2), (mug, 1)])
    [shipment] = shipments_create_for_order(order_id=order.pk)
    order.refresh_from_db()
    assert order.status == "in_fulfillment"
    assert (shipment.number, shipment.status, shipment.warehouse.code) == (
        f"SHP-{shipment.pk:06d}",
        S.PENDING,
        "WH-AS",
    )
    assert [(line.sku.code, line.quantity, line.demand_ref) for line in shipment.lines.order_by("pk")] == [
        ("TEE-RED-L", 2, f"order-line:{order.lines.get(line_no=1).pk}"),
        ("MUG-500", 1, f"order-line:{order.lines.get(line_no=2).pk}"),
    ]
    assert shipment.expected_weight_g == 2 * 200 + 350 + 150  # items + packaging
    assert (shipment.carrier_service, str(shipment.shipping_cost)) == (manual_service, "8.00")


def test_creating_twice_returns_the_same_parcels(allocated_order, skus):
    order = allocated_order([(skus[0], 1)])
    first = shipments_create_for_order(order_id=order.pk)
    assert shipments_create_for_order(order_id=order.pk) == first
    assert Shipment.objects.count() == 1


def test_same_customer_and_address_merge_into_one_parcel(allocated_order, skus):
    tee, mug, _ = skus
    one = allocated_order([(tee, 1)])
    two = allocated_order([(mug, 2)])
    [a] = shipments_create_for_order(order_id=one.pk)
    [b] = shipments_create_for_order(order_id=two.pk)
    assert a.pk == b.pk
    assert sorted(
        ShipmentLine.objects.filter(shipment=a).values_list("order_line__order__number", "quantity")
    ) == sorted([(one.number, 1), (two.number, 2)])
    a.refresh_from_db()
    assert a.expected_weight_g == 200 + 2 * 350 + 150


def test_no_merge_once_picking_started_or_other_customer(allocated_order, skus, warehouse):
    tee, mug, _ = skus
    one = allocated_order([(tee, 1)])
    [a] = shipments_create_for_order(order_id=one.pk)
    wave_build(warehouse_id=warehouse.pk)
    two = allocated_order([(mug, 1)])
    [b] = shipments_create_for_order(order_id=two.pk)
    three = allocated_order([(mug, 1)], phone="13900000000")
    [c] = shipments_create_for_order(order_id=three.pk)
    assert len({a.pk, b.pk, c.pk}) == 3


def test_never_merge_tag_keeps_parcels_apart(allocated_order, skus):
    from orders.models import Tag

    one = allocated_order([(skus[0], 1)])
    [a] = shipments_create_for_order(order_id=one.pk)
    two = allocated_order([(skus[1], 1)])
    two.tags.add(Tag.objects.create(name="never-merge"))
    [b] = shipments_create_for_order(order_id=two.pk)
    assert a.pk != b.pk and b.never_merge is True


@pytest.fixture
def drop_ship(allocated_order, skus):
    tee, mug, _ = skus
    link = SupplierSKUFactory(sku=mug, is_drop_ship=True, supplier__email="factory@example.com")
    order = allocated_order([(tee, 1), (mug, 3)])
    shipments = shipments_create_for_order(order_id=order.pk)
    return order, shipments, link.supplier


def test_drop_ship_lines_become_their_own_parcel_awaiting_approval(drop_ship):
    order, shipments, supplier = drop_ship
    own, dropped = sorted(shipments, key=lambda s: s.is_drop_ship)
    assert (own.status, own.is_drop_ship) == (S.PENDING, False)
    assert (dropped.status, dropped.is_drop_ship, dropped.supplier) == (S.AWAITING_APPROVAL, True, supplier)
    assert list(dropped.lines.values_list("sku__code", "quantity")) == [("MUG-500", 3)]


def test_approval_notifies_the_supplier_after_commit(drop_ship, ops_user, django_capture_on_commit_callbacks):
    _order, shipments, _supplier = drop_ship
    dropped = next(s for s in shipments if s.is_drop_ship)
    with django_capture_on_commit_callbacks() as callbacks:
        shipment = shipment_approve_drop_ship(shipment_id=dropped.pk, by=ops_user)
    assert shipment.status == S.APPROVED
    message = OutboxMessage.objects.get(event="fulfillment.drop_ship_request")
    assert message.recipient == "factory@example.com"
    assert "MUG-500" in message.body and "× 3" in message.body
    assert len(callbacks) == 1


def test_supplier_cannot_ship_more_than_ordered_and_nothing_changes(drop_ship, ops_user):
    _order, shipments, _supplier = drop_ship
    dropped = next(s for s in shipments if s.is_drop_ship)
    shipment_approve_drop_ship(shipment_id=dropped.pk, by=ops_user)
    line = dropped.lines.get()
    with pytest.raises(QuantityAboveOrdered) as exc:
        shipment_record_supplier_dispatch(
            shipment_id=dropped.pk, tracking_number="SF100", quantities={line.pk: 4}, by=ops_user
        )
    assert str(exc.value) == "MUG-500: 4 shipped is more than the 3 ordered."
    dropped.refresh_from_db()
    line.refresh_from_db()
    assert (dropped.status, dropped.tracking_number, line.shipped_qty) == (S.APPROVED, "", 0)
    with pytest.raises(TrackingNumberRequired):
        shipment_record_supplier_dispatch(
            shipment_id=dropped.pk, tracking_number=" ", quantities={}, by=ops_user
        )


def test_supplier_dispatch_ships_and_moves_the_order_to_partially_shipped(drop_ship, ops_user):
    order, shipments, _supplier = drop_ship
    dropped = next(s for s in shipments if s.is_drop_ship)
    shipment_approve_drop_ship(shipment_id=dropped.pk, by=ops_user)
    line = dropped.lines.get()
    shipment = shipment_record_supplier_dispatch(
        shipment_id=dropped.pk, tracking_number="SF100", quantities={line.pk: 3}, by=ops_user
    )
    order.refresh_from_db()
    line.refresh_from_db()
    assert (shipment.status, shipment.tracking_number, line.shipped_qty) == (S.SHIPPED, "SF100", 3)
    assert order.status == "partially_shipped"


def test_drop_ship_lines_hold_no_warehouse_stock_and_dispatch_leaves_ours_untouched(
    drop_ship, ops_user, warehouse
):
    # given the mug is drop-shipped by its supplier: allocation held none of our mugs for it
    _order, shipments, _supplier = drop_ship
    own, dropped = sorted(shipments, key=lambda s: s.is_drop_ship)
    mug_level = StockLevel.objects.get(sku__code="MUG-500", warehouse=warehouse)
    tee_level = StockLevel.objects.get(sku__code="TEE-RED-L", warehouse=warehouse)
    assert (mug_level.on_hand, mug_level.reserved, tee_level.reserved) == (3, 0, 1)
    shipment_approve_drop_ship(shipment_id=dropped.pk, by=ops_user)
    # when the supplier's dispatch is recorded
    shipment_record_supplier_dispatch(
        shipment_id=dropped.pk, tracking_number="SF100", quantities={}, by=ops_user
    )
    # then our mugs are still all free, our own parcel still holds its tee
    mug_level.refresh_from_db()
    tee_level.refresh_from_db()
    assert (mug_level.on_hand, mug_level.reserved, tee_level.reserved) == (3, 0, 1)
    assert not Reservation.objects.filter(sku__code="MUG-500").exists()
    assert stock_drift() == []


def test_unapproved_drop_ship_cannot_be_dispatched(drop_ship, ops_user):
    _order, shipments, _supplier = drop_ship
    dropped = next(s for s in shipments if s.is_drop_ship)
    with pytest.raises(IllegalTransition):
        shipment_record_supplier_dispatch(
            shipment_id=dropped.pk, tracking_number="SF1", quantities={}, by=ops_user
        )
    dropped.refresh_from_db()
    assert (dropped.status, dropped.tracking_number) == (S.AWAITING_APPROVAL, "")


def test_operations_can_override_the_carrier(allocated_order, skus, ops_user):
    [shipment] = shipments_create_for_order(order_id=allocated_order([(skus[0], 1)]).pk)
    other = CarrierServiceFactory(name="顺丰次日")
    shipment = shipment_override_carrier(
        shipment_id=shipment.pk, carrier_service_id=other.pk, by=ops_user, reason="VIP"
    )
    assert (shipment.carrier_service, shipment.carrier_overridden) == (other, True)
    assert [render_note(r) for r in shipment.carrier_reasons] == ["Chosen by hand by ops: VIP"]
