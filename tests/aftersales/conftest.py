"""Fixtures of the after-sales tests: reasons, a supplier with its SKU, shipped orders, role users."""

from __future__ import annotations

import pytest

from tests.factories import (
    LocationFactory,
    ReasonFactory,
    SKUFactory,
    SupplierFactory,
    SupplierSKUFactory,
    WarehouseFactory,
    order_through_services,
)


@pytest.fixture
def warehouse(db):
    wh = WarehouseFactory(code="WH-AS", name="上海仓")
    LocationFactory(warehouse=wh, code="DMG-01", kind="damaged")
    return wh


@pytest.fixture
def supplier(db):
    return SupplierFactory(code="SUP-AS", name="宁波杯业")


@pytest.fixture
def sku(db, supplier):
    sku = SKUFactory(code="SKU-001", price="199.00")
    SupplierSKUFactory(supplier=supplier, sku=sku, is_preferred=True)
    return sku


@pytest.fixture
def broken(db):
    return ReasonFactory(code="broken", name="Arrived broken", supplier_at_fault=True)


@pytest.fixture
def late(db):
    return ReasonFactory(code="late", name="Late delivery", supplier_at_fault=False)


@pytest.fixture
def shipped_order(db, sku, warehouse):
    """Order of 2 × SKU-001 at ¥199.00 (paid ¥398.00), shipped."""
    return order_through_services(lines=[(sku, 2, "199.00")], warehouse=warehouse)


@pytest.fixture
def unshipped_order(db, sku, warehouse):
    return order_through_services(lines=[(sku, 2, "199.00")], warehouse=warehouse, shipped=False)
