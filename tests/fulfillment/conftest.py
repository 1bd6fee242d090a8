"""Fixtures of the fulfillment tests: allocated orders made through the orders services, carriers."""

from __future__ import annotations

import itertools

import pytest

from tests.factories import (
    CarrierFactory,
    CarrierServiceFactory,
    ChannelFactory,
    LocationFactory,
    RateRowFactory,
    SKUFactory,
    WarehouseFactory,
    order_body,
    stock_in,
)

_ext = itertools.count(1)


def allocated_order_through_services(
    *, lines, phone: str, external_id: str, warehouse, urgent: bool = False, stock: bool = True
):
    """An order taken in, approved if it needs review, and allocated, all through the orders services.

    ``stock``: receive each line's quantity into ``warehouse`` first (False: the test stocked already).
    """
    from orders.services import order_allocate, order_approve, order_intake

    for sku, quantity, _price in lines if stock else ():
        stock_in(sku, warehouse, quantity)
    body = order_body(
        external_id=external_id,
        lines=[{"sku": sku.code, "quantity": q, "unit_price": str(p)} for sku, q, p in lines],
    )
    body["customer"]["phone"] = phone
    body["shipping_address"]["phone"] = phone
    body["flags"]["urgent"] = urgent
    result = order_intake(channel=ChannelFactory(code="tmall"), data=body, allocate_now=False)
    assert not result.errors, result.errors
    order = result.order
    while order.status in ("on_review", "finance_review"):
        order = order_approve(order_id=order.pk)
    order = order_allocate(order_id=order.pk)
    assert order.status == "allocated", order.status
    return order


@pytest.fixture
def warehouse(db):
    return WarehouseFactory(
        code="WH-AS", name="上海一号仓", province="上海", city="上海市", address="外高桥 1 号"
    )


@pytest.fixture
def manual_service(db):
    service = CarrierServiceFactory(carrier=CarrierFactory(code="ZTO", name="中通"), code="STD", name="标准")
    RateRowFactory(service=service, first_price="8.00", extra_kg_price="2.00")
    return service


@pytest.fixture
def skus(db, warehouse):
    """Three SKUs with weights, each in a pick bin (bin sequence 30, 10, 20)."""
    a = SKUFactory(code="TEE-RED-L", barcode="6900000000011", weight_g=200, product__name="纯棉T恤")
    b = SKUFactory(code="MUG-500", barcode="6900000000028", weight_g=350, product__name="保温杯")
    c = SKUFactory(code="SOCK-3", barcode="6900000000035", weight_g=50, product__name="袜子")
    for sku, seq in ((a, 30), (b, 10), (c, 20)):
        LocationFactory(warehouse=warehouse, code=f"A-{seq:02d}", pick_sequence=seq).skus.add(sku)
    return a, b, c


@pytest.fixture
def allocated_order(warehouse, manual_service):
    """An allocated (not yet released) order for ``lines`` [(sku, qty), ...]."""

    def make(lines, *, phone: str = "13812345678"):
        return allocated_order_through_services(
            lines=[(sku, qty, "59.90") for sku, qty in lines],
            phone=phone,
            external_id=f"FF-{next(_ext)}",
            warehouse=warehouse,
        )

    return make
