"""Inventory screens: who may open what, forms that keep input on error, exports, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inventory.models import StockLevel, StockMovement
from inventory.services import stock_level_set_policy
from tests.factories import SKUFactory, SupplierSKUFactory, WarehouseFactory, stock_in

pytestmark = pytest.mark.django_db

VIEWS = [
    "inventory:stock-list",
    "inventory:movement-list",
    "inventory:alert-list",
    "inventory:replenishment",
]


@pytest.fixture
def wh(db):
    return WarehouseFactory(code="SH", name="上海仓", regions=["上海"])


def _rows(n, wh):
    for _ in range(n):
        sku = SKUFactory()
        stock_in(sku, wh, 3)
        stock_level_set_policy(sku_id=sku.pk, warehouse_id=wh.pk, safety_stock=5)
        SupplierSKUFactory(sku=sku)


@pytest.mark.parametrize("name", VIEWS)
def test_lists_do_not_grow_queries_with_rows(
    name, wh, warehouse_user, client_for, django_assert_max_num_queries
):
    client = client_for(warehouse_user)
    _rows(2, wh)
    client.get(reverse(name))  # warm caches (content types, permissions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name)).status_code == 200
    _rows(15, wh)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse(name)).status_code == 200
    assert len(many) == len(few)


def test_sku_detail_query_count_does_not_grow_with_movements(wh, warehouse_user, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sku = SKUFactory()
    stock_in(sku, wh, 1)
    client = client_for(warehouse_user)
    url = reverse("inventory:sku-detail", args=[sku.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(10):
        stock_in(sku, wh, 1)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    assert response.context["history"][-1]["on_hand"] == 11


@pytest.mark.parametrize(
    ("role", "name", "status"),
    [
        ("warehouse", "inventory:receive", 200),
        ("warehouse", "inventory:adjust", 200),
        ("warehouse", "inventory:count", 200),
        ("operations", "inventory:stock-list", 200),
        ("operations", "inventory:receive", 403),
        ("operations", "inventory:adjust", 403),
        ("operations", "inventory:count", 403),
        ("operations", "inventory:transfer", 403),
        ("finance", "inventory:stock-list", 200),
        ("finance", "inventory:movement-list", 200),
        ("finance", "inventory:receive", 403),
        ("finance", "inventory:adjust", 403),
    ],
)
def test_role_access(role, name, status, make_user, client_for):
    client = client_for(make_user(f"u-{role}", role))
    assert client.get(reverse(name)).status_code == status


def test_operations_cannot_post_a_stock_change(wh, ops_user, client_for):
    sku = SKUFactory()
    stock_in(sku, wh, 5)
    response = client_for(ops_user).post(
        reverse("inventory:adjust"),
        {"sku": sku.code, "warehouse": wh.pk, "quantity": "-5", "reason": "x"},
    )
    assert response.status_code == 403
    assert StockLevel.objects.get().on_hand == 5


def test_receive_by_barcode(wh, warehouse_user, client_for):
    sku = SKUFactory(code="SKU-9", barcode="6901234567892")
    client = client_for(warehouse_user)

    response = client.post(
        reverse("inventory:receive"),
        {"sku": "6901234567892", "warehouse": wh.pk, "quantity": "12", "reference": "PO-7"},
        follow=True,
    )

    assert response.status_code == 200
    movement = StockMovement.objects.get()
    assert (movement.sku_id, movement.quantity, movement.reference, movement.by_id) == (
        sku.pk,
        12,
        "PO-7",
        warehouse_user.pk,
    )
    assert "SKU-9 in SH: +12, now 12 on hand." in response.content.decode()


def test_a_refused_adjustment_keeps_what_was_typed_and_says_why(wh, warehouse_user, client_for):
    sku = SKUFactory(code="SKU-1")
    stock_in(sku, wh, 2)
    client = client_for(warehouse_user)

    response = client.post(
        reverse("inventory:adjust"),
        {"sku": "SKU-1", "warehouse": wh.pk, "quantity": "-5", "reason": "broken"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "would have -3 on hand" in body
    assert 'value="SKU-1"' in body and 'value="broken"' in body and 'value="-5"' in body
    assert StockMovement.objects.count() == 1


def test_field_errors_point_at_the_field(wh, warehouse_user, client_for):
    client = client_for(warehouse_user)
    response = client.post(reverse("inventory:count"), {"sku": "NOPE", "warehouse": wh.pk, "counted": "-1"})
    form = response.context["form"]
    assert set(form.errors) == {"sku", "counted"}
    assert "NOPE" in form.errors["sku"][0]
    assert StockMovement.objects.count() == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_stock_export(fmt, wh, finance_user, client_for):
    sku = SKUFactory(code="SKU-X")
    stock_in(sku, wh, 4)
    response = client_for(finance_user).get(reverse("inventory:stock-list"), {"export": fmt})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    if fmt == "csv":
        lines = response.content.decode("utf-8-sig").splitlines()
        assert lines[1].startswith("SKU-X,")
        assert ",SH,4,0,4,0," in lines[1]


def test_replenishment_export_is_a_purchase_list(wh, finance_user, client_for):
    sku = SKUFactory(code="SKU-R")
    stock_in(sku, wh, 2)
    stock_level_set_policy(sku_id=sku.pk, warehouse_id=wh.pk, safety_stock=10)
    SupplierSKUFactory(sku=sku, supplier__code="SUP-A", cost="5.00", min_order_qty=12)
    response = client_for(finance_user).get(reverse("inventory:replenishment"), {"export": "csv"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    cells = lines[1].split(",")
    assert (cells[0], cells[3], cells[5], cells[6], cells[7]) == ("SUP-A", "SKU-R", "12", "5.00", "60.00")


def test_nav_shows_only_what_the_role_may_open(ops_user, warehouse_user, client_for):
    from oms.navigation import nav_items_for

    ops = {i["url_name"] for i in nav_items_for(ops_user)}
    wh = {i["url_name"] for i in nav_items_for(warehouse_user)}
    assert "inventory:stock-list" in ops and "inventory:receive" not in ops and "inventory:count" not in ops
    assert {"inventory:stock-list", "inventory:receive", "inventory:count"} <= wh


def test_scanning_a_barcode_opens_the_sku(wh, ops_user, client_for):
    sku = SKUFactory(barcode="6901234567892")
    client = client_for(ops_user)
    response = client.get(reverse("inventory:sku-lookup"), {"code": "6901234567892"})
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:sku-detail", args=[sku.pk])
    assert client.get(reverse("inventory:sku-lookup"), {"code": "nope"})["Location"] == reverse(
        "inventory:stock-list"
    )


def test_transfer_form_moves_stock_between_warehouses(wh, warehouse_user, client_for):
    gz = WarehouseFactory(code="GZ")
    sku = SKUFactory(code="SKU-T")
    stock_in(sku, wh, 5)
    client = client_for(warehouse_user)

    response = client.post(
        reverse("inventory:transfer"),
        {"sku": "SKU-T", "from_warehouse": wh.pk, "to_warehouse": gz.pk, "quantity": "3"},
    )

    assert response.status_code == 302
    assert dict(StockLevel.objects.values_list("warehouse__code", "on_hand")) == {"SH": 2, "GZ": 3}
    assert sorted(
        StockMovement.objects.filter(kind__startswith="transfer").values_list("kind", "quantity")
    ) == [
        ("transfer_in", 3),
        ("transfer_out", -3),
    ]


def test_movement_ledger_exports_xlsx_with_the_filters(wh, finance_user, client_for):
    import io

    import openpyxl

    a, b = SKUFactory(code="SKU-A"), SKUFactory(code="SKU-B")
    stock_in(a, wh, 4)
    stock_in(b, wh, 6)

    response = client_for(finance_user).get(
        reverse("inventory:movement-list"), {"q": "SKU-B", "export": "xlsx"}
    )

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][1:7] == ("SKU-B", "SH", "Receipt", "Sellable", 6, 6)


def test_replenishment_uses_sales_velocity_and_lead_time(wh, finance_user, client_for):
    from inventory.selectors import replenishment_suggestions
    from inventory.services import DemandLine, allocate, reservation_consume

    sku = SKUFactory(code="SKU-V")
    SupplierSKUFactory(sku=sku, lead_time_days=3, min_order_qty=1, cost="2.00")
    stock_in(sku, wh, 30)
    for n in range(14):  # 14 shipped in the last 7 days: 2 a day
        allocate(lines=[DemandLine(ref=f"s{n}", sku_id=sku.pk, quantity=1)], province="上海")
        reservation_consume(demand_ref=f"s{n}")

    [s] = replenishment_suggestions()

    # daily demand max(14/7, 14/28) = 2; target = 2 × (3 + 7) + 0 = 20; available 16 → order 4
    assert (s.shipped_7, s.shipped_28, s.daily_demand, s.target, s.available, s.suggested) == (
        14,
        14,
        2.0,
        20,
        16,
        4,
    )
