"""Fixtures of the reconciliation tests: a supplier with a drop-ship and a stocked SKU, and helpers that
make reconcilable sources through the owning apps' services (receipts, drop-ship dispatch, compensation)."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from tests.factories import (
    CarrierFactory,
    CarrierServiceFactory,
    LocationFactory,
    RateRowFactory,
    ReasonFactory,
    SKUFactory,
    SupplierFactory,
    SupplierSKUFactory,
    WarehouseFactory,
    order_through_services,
)

_ext = itertools.count(1)


@pytest.fixture
def warehouse(db):
    wh = WarehouseFactory(code="WH-RC", name="上海仓")
    LocationFactory(warehouse=wh, code="DMG-01", kind="damaged")
    service = CarrierServiceFactory(carrier=CarrierFactory(code="ZTO", name="中通"), code="STD", name="标准")
    RateRowFactory(service=service, first_price="8.00", extra_kg_price="2.00")
    return wh


@pytest.fixture
def supplier(db):
    return SupplierFactory(code="SUP-JDZ", name="景德镇瓷源陶瓷厂", email="ds@ciyuan.example.com")


@pytest.fixture
def other_supplier(db):
    return SupplierFactory(code="SUP-HZ", name="杭州织造")


@pytest.fixture
def bowl(db, supplier):
    """Drop-shipped by the supplier at an agreed cost of ¥30.00."""
    sku = SKUFactory(code="BOWL-01", price="89.00")
    SupplierSKUFactory(supplier=supplier, sku=sku, cost="30.00", is_drop_ship=True, is_preferred=True)
    return sku


@pytest.fixture
def cup(db, supplier):
    """Bought in and received into our warehouse at ¥12.50."""
    sku = SKUFactory(code="CUP-02", price="39.00")
    SupplierSKUFactory(supplier=supplier, sku=sku, cost="12.50", is_preferred=True)
    return sku


@pytest.fixture
def receive(warehouse, supplier):
    """A goods receipt from the supplier through inventory's service."""
    from inventory.services import stock_receive

    def make(sku, quantity: int, reference: str, unit_cost: str = "12.50", supplier_obj=None):
        return stock_receive(
            sku_id=sku.pk,
            warehouse_id=warehouse.pk,
            quantity=quantity,
            supplier_id=(supplier_obj or supplier).pk,
            reference=reference,
            unit_cost=Decimal(unit_cost),
        )

    return make


@pytest.fixture
def drop_ship(warehouse, ops_user):
    """An order whose line is drop-shipped: approved, and dispatched by the supplier (through services)."""
    from fulfillment.services import (
        shipment_approve_drop_ship,
        shipment_record_supplier_dispatch,
        shipments_create_for_order,
    )

    def make(sku, quantity: int, *, shipped: int | None = None):
        order = order_through_services(
            lines=[(sku, quantity, "89.00")],
            shipped=False,
            external_id=f"RC-{next(_ext)}",
            warehouse=warehouse,
        )
        shipment = next(s for s in shipments_create_for_order(order_id=order.pk) if s.is_drop_ship)
        shipment_approve_drop_ship(shipment_id=shipment.pk)
        line = shipment.lines.get()
        shipment_record_supplier_dispatch(
            shipment_id=shipment.pk,
            tracking_number=f"SF{shipment.pk:08d}",
            quantities={line.pk: quantity if shipped is None else shipped},
        )
        shipment.refresh_from_db()
        return shipment

    return make


@pytest.fixture
def compensation(warehouse, supplier, ops_user, finance_user, cup):
    """A compensation case with the supplier's share: an open supplier charge (negative)."""
    from aftersales.services import case_approve, case_register, refund_record

    reason = ReasonFactory(code="broken", name="破损", supplier_at_fault=True)

    def make(share: str = "30.00", platform: str = "20.00"):
        order = order_through_services(
            lines=[(cup, 1, "199.00")], external_id=f"RCA-{next(_ext)}", warehouse=warehouse
        )
        case = case_register(
            order_id=order.pk,
            case_type="compensation",
            lines=[],
            reason_id=reason.pk,
            by=ops_user,
            supplier_id=supplier.pk,
            compensation_applies=True,
            supplier_share=share,
            platform_share=platform,
        )
        case_approve(case_id=case.pk, by=ops_user)
        refund_record(case_id=case.pk, amount=str(Decimal(share) + Decimal(platform)), by=finance_user)
        return case.supplier_charge

    return make
