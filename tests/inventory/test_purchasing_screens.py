"""Purchase order, stock count and transfer screens: roles, forms that keep input, exports, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import PurchaseOrder, StockCount, StockLevel, StockTransfer
from inventory.services import (
    LineRequest,
    purchase_order_create,
    purchase_order_send,
    stock_count_start,
    transfer_create,
)
from oms.navigation import nav_items_for
from tests.factories import SKUFactory, SupplierFactory, SupplierSKUFactory, WarehouseFactory, stock_in

pytestmark = pytest.mark.django_db

LISTS = ["inventory:po-list", "inventory:count-list", "inventory:transfer-list"]


@pytest.fixture
def wh(db):
    return WarehouseFactory(code="SH", name="上海仓")


@pytest.fixture
def bj(db):
    return WarehouseFactory(code="BJ", name="北京仓")


def _documents(n: int, wh, bj):
    for _ in range(n):
        supplier = SupplierFactory()
        sku = SKUFactory()
        SupplierSKUFactory(supplier=supplier, sku=sku)
        stock_in(sku, wh, 5)
        po = purchase_order_create(
            supplier_id=supplier.pk, warehouse_id=wh.pk, lines=[LineRequest(sku_id=sku.pk, quantity=3)]
        )
        purchase_order_send(po_id=po.pk)
        transfer_create(from_warehouse_id=wh.pk, to_warehouse_id=bj.pk, lines=[(sku.pk, 1)])
    for count in StockCount.objects.all():
        count.delete()
    stock_count_start(warehouse_id=wh.pk, zone=f"Z{StockCount.objects.count()}")


@pytest.mark.parametrize("name", LISTS)
def test_lists_keep_a_constant_query_count(name, wh, bj, make_user, client_for):
    client = client_for(make_user("boss", "warehouse_manager"))
    _documents(2, wh, bj)
    client.get(reverse(name))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name)).status_code == 200
    _documents(12, wh, bj)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse(name)).status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_lists_export(name, fmt, wh, bj, warehouse_user, client_for):
    _documents(1, wh, bj)
    response = client_for(warehouse_user).get(reverse(name) + f"?export={fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')


def test_po_list_filters_by_status_and_supplier(wh, bj, make_user, client_for):
    _documents(2, wh, bj)
    first = PurchaseOrder.objects.order_by("pk").first()
    client = client_for(make_user("buyer", "purchasing"))
    page = client.get(reverse("inventory:po-list"), {"supplier": first.supplier_id, "status": "sent"})
    assert first.number in page.content.decode()
    assert page.context["object_list"].count() == 1
    assert client.get(reverse("inventory:po-list"), {"status": "draft"}).context["object_list"].count() == 0


def test_navigation_per_role(make_user):
    def urls(role):
        return {item["url"] for item in nav_items_for(make_user(role, role))}

    po, counts, transfers = (reverse(n) for n in LISTS)
    assert {po, counts, transfers} <= urls("warehouse")
    assert {po, counts, transfers} <= urls("warehouse_manager")
    assert po in urls("purchasing")


def test_po_form_refuses_row_by_row_and_keeps_what_was_typed(wh, make_user, client_for):
    supplier = SupplierFactory(name="杭州茶厂")
    sku = SKUFactory(code="TEA-1")
    SupplierSKUFactory(supplier=supplier, sku=sku, cost="35.50")
    client = client_for(make_user("buyer", "purchasing"))
    typed = "TEA-1 10\nNOPE 3\nTEA-1 zero"
    page = client.post(
        reverse("inventory:po-create"),
        {"supplier": supplier.pk, "warehouse": wh.pk, "over_receipt_pct": 5, "lines": typed},
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Line 2: no SKU “NOPE”." in text and "Line 3: give a whole quantity above zero." in text
    assert "TEA-1 10\nNOPE 3" in text
    assert PurchaseOrder.objects.count() == 0
    page = client.post(
        reverse("inventory:po-create"),
        {"supplier": supplier.pk, "warehouse": wh.pk, "over_receipt_pct": 5, "lines": "TEA-1 10\nTEA-1 2"},
    )
    assert "Line 2: TEA-1 is on the order twice." in page.content.decode()
    page = client.post(
        reverse("inventory:po-create"),
        {"supplier": supplier.pk, "warehouse": wh.pk, "over_receipt_pct": 5, "lines": "TEA-1 10 33.00"},
    )
    po = PurchaseOrder.objects.get()
    assert page.status_code == 302 and po.lines.get().unit_cost == 33


def test_po_steps_refused_with_a_message_never_a_500(wh, warehouse_user, client_for):
    supplier = SupplierFactory()
    sku = SKUFactory()
    SupplierSKUFactory(supplier=supplier, sku=sku)
    po = purchase_order_create(
        supplier_id=supplier.pk, warehouse_id=wh.pk, lines=[LineRequest(sku_id=sku.pk, quantity=3)]
    )
    client = client_for(warehouse_user)
    page = client.post(reverse("inventory:po-step", args=[po.pk, "send"]), follow=True)
    assert page.status_code == 200 and "may not take the step" in page.content.decode()
    page = client.post(reverse("inventory:po-step", args=[po.pk, "close"]), {"reason": "x"}, follow=True)
    assert page.status_code == 200 and "is not possible now" in page.content.decode()
    page = client.post(reverse("inventory:po-receive", args=[po.pk]), {"code": sku.code})
    assert page.status_code == 400 and "is not possible now" in page.content.decode()
    assert PurchaseOrder.objects.get(pk=po.pk).status == "draft"


def test_replenishment_ticks_become_drafts(wh, make_user, client_for):
    supplier = SupplierFactory()
    sku = SKUFactory()
    SupplierSKUFactory(supplier=supplier, sku=sku, min_order_qty=12)
    StockLevel.objects.create(sku=sku, warehouse=wh, safety_stock=20)
    client = client_for(make_user("buyer", "purchasing"))
    page = client.get(reverse("inventory:replenishment"))
    assert f'name="qty-{supplier.pk}-{sku.pk}"' in page.content.decode()
    page = client.post(
        reverse("inventory:po-from-suggestions"),
        {"warehouse": wh.pk, "pick": [f"{supplier.pk}:{sku.pk}"], f"qty-{supplier.pk}-{sku.pk}": "24"},
        follow=True,
    )
    po = PurchaseOrder.objects.get()
    assert po.lines.get().quantity_ordered == 24 and po.number in page.content.decode()


def test_count_and_transfer_pages(wh, bj, make_user, client_for):
    sku = SKUFactory(code="A-1")
    stock_in(sku, wh, 4)
    client = client_for(make_user("boss", "warehouse_manager"))
    page = client.post(reverse("inventory:count-list"), {"warehouse": wh.pk, "zone": ""})
    count = StockCount.objects.get()
    assert page.status_code == 302
    page = client.post(reverse("inventory:count-list"), {"warehouse": wh.pk, "zone": ""})
    assert page.status_code == 400 and "is still open" in page.content.decode()
    page = client.post(
        reverse("inventory:count-scan", args=[count.pk]),
        {"code": "A-1", "quantity": 3},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-result="ok"' in page.content.decode()
    assert client.get(reverse("inventory:count-detail", args=[count.pk]) + "?export=csv").status_code == 200
    client.post(reverse("inventory:count-step", args=[count.pk, "submit"]))
    client.post(reverse("inventory:count-step", args=[count.pk, "approve"]))
    assert StockLevel.objects.get(sku=sku, warehouse=wh).on_hand == 3
    client.post(
        reverse("inventory:transfer-create"),
        {"from_warehouse": wh.pk, "to_warehouse": bj.pk, "lines": "A-1 2"},
    )
    transfer = StockTransfer.objects.get()
    client.post(reverse("inventory:transfer-step", args=[transfer.pk, "ship"]))
    page = client.get(reverse("inventory:stock-list"), {"warehouse": bj.pk})
    assert 'data-testid="in-transit">2<' in page.content.decode()
    page = client.post(reverse("inventory:transfer-step", args=[transfer.pk, "cancel"]), follow=True)
    assert "is not possible now" in page.content.decode()
