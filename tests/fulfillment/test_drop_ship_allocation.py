"""Drop-ship SKUs (厂家发货) need no stock of ours: allocation sets them aside for their supplier, the order
splits into a warehouse parcel and a supplier parcel, and the supplier's tracking number closes it."""

import pytest

from fulfillment.choices import ShipmentStatus as S
from fulfillment.services import (
    shipment_approve_drop_ship,
    shipment_record_supplier_dispatch,
    shipments_create_for_order,
)
from inventory.models import Reservation, StockLevel
from orders.models import Order
from orders.services import order_allocate, order_approve, order_intake, orders_allocate_batch
from tests.factories import ChannelFactory, SupplierSKUFactory, order_body, stock_in
from tests.fulfillment.conftest import allocated_order_through_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def factory_mug(skus):
    """The mug is shipped by its factory; we hold none of it (no stock level at all)."""
    return SupplierSKUFactory(
        sku=skus[1], is_drop_ship=True, supplier__name="宁波杯厂", supplier__email="cups@example.com"
    )


def test_an_order_of_a_drop_ship_sku_without_stock_is_allocated_not_backordered(
    factory_mug, skus, warehouse, manual_service, ops_user
):
    order = allocated_order_through_services(
        lines=[(skus[1], 2, "39.00")],
        phone="13800000001",
        external_id="DS-1",
        warehouse=warehouse,
        stock=False,
    )
    assert order.status == "allocated"
    assert order.allocation_explanation["decision"] == "drop_ship"
    assert [d["sku"] for d in order.allocation_explanation["drop_ship"]] == ["MUG-500"]
    assert not Reservation.objects.exists()

    [parcel] = shipments_create_for_order(order_id=order.pk)
    assert (parcel.is_drop_ship, parcel.supplier.name, parcel.status, parcel.warehouse_id) == (
        True,
        "宁波杯厂",
        S.AWAITING_APPROVAL,
        None,
    )
    assert list(parcel.lines.values_list("sku__code", "quantity")) == [("MUG-500", 2)]

    shipment_approve_drop_ship(shipment_id=parcel.pk, by=ops_user)
    shipped = shipment_record_supplier_dispatch(
        shipment_id=parcel.pk, tracking_number="SF2024001", quantities={}, by=ops_user
    )
    order.refresh_from_db()
    assert (shipped.status, shipped.tracking_number, order.status) == (S.SHIPPED, "SF2024001", "shipped")


def test_a_mixed_order_splits_into_a_warehouse_parcel_and_a_supplier_parcel(factory_mug, skus, warehouse):
    tee, mug, _ = skus
    stock_in(tee, warehouse, 5)
    order = allocated_order_through_services(
        lines=[(tee, 1, "59.90"), (mug, 3, "39.00")],
        phone="13800000002",
        external_id="DS-2",
        warehouse=warehouse,
        stock=False,
    )
    assert order.allocation_explanation["decision"] == "single_warehouse"
    assert [d["sku"] for d in order.allocation_explanation["drop_ship"]] == ["MUG-500"]

    parcels = sorted(shipments_create_for_order(order_id=order.pk), key=lambda s: s.is_drop_ship)
    assert [(p.is_drop_ship, p.warehouse_id, p.supplier_id, p.status) for p in parcels] == [
        (False, warehouse.pk, None, S.PENDING),
        (True, None, factory_mug.supplier_id, S.AWAITING_APPROVAL),
    ]
    assert [list(p.lines.values_list("sku__code", "quantity")) for p in parcels] == [
        [("TEE-RED-L", 1)],
        [("MUG-500", 3)],
    ]
    assert StockLevel.objects.get(sku=tee, warehouse=warehouse).reserved == 1
    assert not StockLevel.objects.filter(sku=mug).exists()


def test_a_mixed_order_still_backorders_when_its_own_stock_is_short(factory_mug, skus, warehouse):
    tee, mug, _ = skus
    body = order_body(
        external_id="DS-3",
        lines=[
            {"sku": tee.code, "quantity": 1, "unit_price": "59.90"},
            {"sku": mug.code, "quantity": 1, "unit_price": "39"},
        ],
    )
    order = order_intake(channel=ChannelFactory(code="jd"), data=body, allocate_now=False).order
    while order.status in ("on_review", "finance_review"):
        order = order_approve(order_id=order.pk)
    order = order_allocate(order_id=order.pk)
    assert order.status == "backordered"
    assert [s["code"] for s in order.backorder_info["short"]] == ["TEE-RED-L"]


def test_the_batch_allocation_sets_drop_ship_lines_aside_too(factory_mug, skus, warehouse):
    tee, mug, _ = skus
    stock_in(tee, warehouse, 1)
    ids = []
    for n, lines in enumerate(([(mug, 1)], [(tee, 1), (mug, 2)], [(tee, 1)])):
        body = order_body(
            external_id=f"DS-B{n}",
            lines=[{"sku": s.code, "quantity": q, "unit_price": "10"} for s, q in lines],
        )
        body["customer"]["phone"] = body["shipping_address"]["phone"] = f"1390000000{n}"
        order = order_intake(channel=ChannelFactory(code=f"b{n}"), data=body, allocate_now=False).order
        while order.status in ("on_review", "finance_review"):
            order = order_approve(order_id=order.pk)
        ids.append(order.pk)

    counts = orders_allocate_batch(order_ids=ids)

    assert counts == {"allocated": 2, "backordered": 1, "skipped": 0}
    assert [Order.objects.get(pk=pk).status for pk in ids] == ["allocated", "allocated", "backordered"]
    assert Order.objects.get(pk=ids[0]).allocation_explanation["decision"] == "drop_ship"
