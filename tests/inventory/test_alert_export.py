"""The low-stock list filters by warehouse and SKU, and its export follows the filter."""

from __future__ import annotations

import io

import openpyxl
import pytest

from inventory.services import stock_reserve
from tests.factories import SKUFactory, WarehouseFactory, stock_in

pytestmark = pytest.mark.django_db


def test_alert_export_follows_the_warehouse_filter(client_for, ops_user):
    sh, bj = WarehouseFactory(code="SH"), WarehouseFactory(code="BJ")
    sku = SKUFactory(code="SKU-LOW")
    for wh in (sh, bj):
        stock_in(sku, wh, 10, safety_stock=5)
        stock_reserve(sku_id=sku.pk, warehouse_id=wh.pk, quantity=7, demand_ref=f"d-{wh.code}")
    client = client_for(ops_user)
    page = client.get("/inventory/alerts/", {"warehouse": bj.pk}).content.decode()
    assert page.count('href="/inventory/skus/') == 1
    response = client.get("/inventory/alerts/", {"warehouse": bj.pk, "export": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [(r[1], r[3], r[5]) for r in rows[1:]] == [("SKU-LOW", "BJ", 3)]
    every = client.get("/inventory/alerts/", {"export": "xlsx"})
    assert openpyxl.load_workbook(io.BytesIO(every.content)).active.max_row == 3
