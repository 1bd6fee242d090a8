"""Purchasing and counting in a real browser (issue #16): replenishment → purchase order → sent → received by
scanning at scanner speed → the backordered order is allocated; a stock count scanned, approved by a manager,
the ledger adjusted and check_stock clean. Screens in English and Chinese are photographed."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from inventory.models import Location, PurchaseOrder, StockCount, StockLevel, StockMovement
from orders.models import Order, OrderRule, Tag
from orders.rules import ensure_default_rules
from orders.services import order_allocate, order_intake
from tests.factories import (
    ChannelFactory,
    ProductFactory,
    SKUFactory,
    SupplierFactory,
    SupplierSKUFactory,
    WarehouseFactory,
    order_body,
    stock_in,
)
from tests.utils import wait_until

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("OMS_E2E_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def shop(transactional_db, make_user):
    ensure_default_rules(rule_model=OrderRule, tag_model=Tag)
    wh = WarehouseFactory(code="SH", name="上海仓", province="上海", regions=["上海"])
    supplier = SupplierFactory(code="SUP-TEA", name="杭州茶厂", email="orders@tea.example.com")
    tea = SKUFactory(
        product=ProductFactory(name="龙井茶"), code="TEA-250", barcode="6901234500011", name="250g"
    )
    cup = SKUFactory(product=ProductFactory(name="白瓷茶杯"), code="CUP-1", barcode="6901234500028")
    SupplierSKUFactory(
        supplier=supplier, sku=tea, cost="35.50", supplier_sku_code="HZ-LJ-250", min_order_qty=6
    )
    SupplierSKUFactory(supplier=supplier, sku=cup, cost="8.00", min_order_qty=4)
    StockLevel.objects.create(sku=tea, warehouse=wh, safety_stock=6)
    StockLevel.objects.create(sku=cup, warehouse=wh, safety_stock=4)
    body = order_body(external_id="E2E-BO", lines=[{"sku": "TEA-250", "quantity": 3, "unit_price": "59.90"}])
    order = order_intake(channel=ChannelFactory(code="tmall"), data=body, allocate_now=False).order
    assert order_allocate(order_id=order.pk).status == "backordered"
    make_user("buyer", "purchasing")
    make_user("warehouse", "warehouse")
    make_user("boss", "warehouse_manager")
    return {"wh": wh, "order": order, "tea": tea, "cup": cup}


def test_purchase_order_received_by_scanning_allocates_the_backorder(page, live_server, login, shop):
    # the buyer turns the suggestions into a purchase order and sends it
    login("buyer", "pw-buyer")
    page.goto(f"{live_server.url}/inventory/replenishment/")
    shot(page, "replenishment-en")
    page.get_by_label("Quantity to order TEA-250").fill(
        "12"
    )  # six suggested; the buyer rounds up for the backorder
    page.get_by_label("Deliver to").select_option(label="SH 上海仓")
    page.get_by_role("button", name="Create purchase orders from the ticked rows").click()
    expect(page.get_by_test_id("po-table")).to_contain_text("Draft")
    po = PurchaseOrder.objects.get()
    assert sorted((x.sku.code, x.quantity_ordered) for x in po.lines.all()) == [("CUP-1", 4), ("TEA-250", 12)]
    shot(page, "po-list-en")
    page.get_by_role("link", name=po.number).click()
    page.get_by_test_id("po-send").click()
    expect(page.get_by_test_id("po-status")).to_have_text("Sent")
    expect(page.get_by_test_id("timeline")).to_contain_text("Sent to orders@tea.example.com with the PDF")
    assert StockLevel.objects.get(sku=shop["tea"], warehouse=shop["wh"]).on_order == 12
    shot(page, "po-detail-en")

    # the warehouse receives the delivery by scanning, at scanner speed, 0 and 10 ms between keys
    page.context.clear_cookies()
    login("warehouse", "pw-warehouse")
    page.goto(f"{live_server.url}/inventory/purchase-orders/{po.pk}/")
    page.get_by_role("link", name="Receive by scanning").click()
    expect(page.locator("#scan-input")).to_be_focused()
    for i in range(12):
        page.keyboard.type("6901234500011\n", delay=0 if i % 2 else 10)
    page.keyboard.type("CUP-1\n", delay=0)
    page.keyboard.type("CUP-1\n", delay=10)
    tea_row = page.locator("[data-testid=po-lines] tr[data-sku=TEA-250] [data-testid=received]")
    expect(tea_row).to_have_text("12", timeout=30_000)
    expect(page.get_by_test_id("po-status")).to_have_text("Partially received")
    # one scan too many is refused in red and changes nothing
    page.keyboard.type("TEA-250\n", delay=5)
    expect(page.get_by_test_id("scan-message")).to_contain_text("would exceed the 12 allowed")
    expect(page.locator("#station-box")).to_have_class("station-box station-error")
    shot(page, "po-receive-refused-en")
    # the backordered order got its stock at once
    wait_until(
        lambda: Order.objects.get(pk=shop["order"].pk).status == "allocated", message="backorder allocated"
    )
    level = StockLevel.objects.get(sku=shop["tea"], warehouse=shop["wh"])
    assert (level.on_hand, level.reserved, level.on_order) == (12, 3, 0)
    # the other cups: typed quantity
    page.fill("#scan-quantity", "2")
    page.fill("#scan-input", "CUP-1")
    page.press("#scan-input", "Enter")
    expect(page.get_by_test_id("po-status")).to_have_text("Received")
    expect(page.locator("#station-box")).to_have_class("station-box station-ok")
    shot(page, "po-receive-en")
    assert StockMovement.objects.filter(reference=po.number).count() == 15  # 12 + 1 + 1 + one of 2
    call_command("check_stock")


def test_stock_count_scanned_then_approved_by_a_manager(page, live_server, login, shop):
    stock_in(shop["tea"], shop["wh"], 10)
    stock_in(shop["cup"], shop["wh"], 5)
    Location.objects.create(warehouse=shop["wh"], code="A-01-01").skus.add(shop["tea"])
    Location.objects.create(warehouse=shop["wh"], code="A-01-02").skus.add(shop["cup"])
    login("warehouse", "pw-warehouse")
    page.goto(f"{live_server.url}/inventory/counts/")
    page.get_by_label("Warehouse").first.select_option(label="SH 上海仓")
    page.get_by_label("Zone (bin prefix)").fill("A-01")
    page.get_by_role("button", name="Start a count").click()
    expect(page.get_by_test_id("count-status")).to_have_text("Counting")
    count = StockCount.objects.get()
    for i in range(9):  # nine teas on the shelf where the books say ten
        page.keyboard.type("6901234500011\n", delay=0 if i % 2 else 10)
    page.keyboard.type("CUP-1\n", delay=0)
    page.fill("#scan-quantity", "5")
    page.fill("#scan-input", "6901234500028")
    page.press("#scan-input", "Enter")
    cup = page.locator("[data-testid=count-lines] tr[data-sku=CUP-1] [data-testid=counted]")
    expect(cup).to_have_text("6", timeout=30_000)
    expect(page.locator("[data-testid=count-lines] tr[data-sku=TEA-250] [data-testid=counted]")).to_have_text(
        "9"
    )
    expect(page.get_by_test_id("variance-value")).to_have_text("¥-27.50")  # −1 × 35.50 + 1 × 8.00
    page.get_by_test_id("count-submit").click()
    expect(page.get_by_test_id("count-status")).to_have_text("Awaiting approval")
    expect(page.get_by_test_id("count-approve")).to_have_count(0)  # counters do not approve
    shot(page, "count-submitted-en")

    page.context.clear_cookies()
    login("boss", "pw-boss")
    page.goto(f"{live_server.url}/inventory/counts/{count.pk}/")
    page.get_by_test_id("count-approve").click()
    expect(page.get_by_test_id("count-status")).to_have_text("Approved")
    shot(page, "count-approved-en")
    levels = {lv.sku.code: lv.on_hand for lv in StockLevel.objects.filter(warehouse=shop["wh"])}
    assert levels == {"TEA-250": 9, "CUP-1": 6}
    moves = StockMovement.objects.filter(reference=count.number).order_by("sku__code")
    assert [(m.kind, m.sku.code, m.quantity) for m in moves] == [
        ("count", "CUP-1", 1),
        ("count", "TEA-250", -1),
    ]
    call_command("check_stock")


def test_the_new_screens_in_chinese(page, live_server, login, shop, make_user):
    from inventory.services import (
        LineRequest,
        purchase_order_create,
        purchase_order_receive,
        purchase_order_send,
        stock_count_scan,
        stock_count_start,
        transfer_create,
        transfer_ship,
    )

    bj = WarehouseFactory(code="BJ", name="北京仓")
    stock_in(shop["cup"], shop["wh"], 8)
    supplier = shop["tea"].supplier_skus.get().supplier
    po = purchase_order_create(
        supplier_id=supplier.pk,
        warehouse_id=shop["wh"].pk,
        lines=[
            LineRequest(sku_id=shop["tea"].pk, quantity=12),
            LineRequest(sku_id=shop["cup"].pk, quantity=4),
        ],
        over_receipt_pct=10,
    )
    purchase_order_send(po_id=po.pk)
    purchase_order_receive(po_id=po.pk, code="TEA-250", quantity=5)
    count = stock_count_start(warehouse_id=shop["wh"].pk)
    stock_count_scan(count_id=count.pk, code="CUP-1", quantity=7)
    transfer = transfer_create(
        from_warehouse_id=shop["wh"].pk, to_warehouse_id=bj.pk, lines=[(shop["cup"].pk, 1)]
    )
    transfer_ship(transfer_id=transfer.pk)
    boss = make_user("boss-zh", "warehouse_manager")
    boss.language = "zh-hans"
    boss.save()
    boss.groups.add(Group.objects.get(name="Purchasing"))
    login("boss-zh", "pw-boss-zh")
    pages = {
        "po-list-zh": ("/inventory/purchase-orders/", "采购单"),
        "po-detail-zh": (f"/inventory/purchase-orders/{po.pk}/", "部分收货"),
        "po-receive-zh": (f"/inventory/purchase-orders/{po.pk}/receive/", "待到货"),
        "count-list-zh": ("/inventory/counts/", "开始盘点"),
        "count-detail-zh": (f"/inventory/counts/{count.pk}/", "差异金额"),
        "transfer-list-zh": ("/inventory/transfers/", "在途"),
        "transfer-detail-zh": (f"/inventory/transfers/{transfer.pk}/", "两个仓库都不可售"),
        "stock-list-zh": ("/inventory/stock/", "在途"),
    }
    for name, (path, text) in pages.items():
        page.goto(live_server.url + path)
        expect(page.locator("main")).to_contain_text(text)
        shot(page, name)
    page.goto(f"{live_server.url}/inventory/purchase-orders/new/")
    page.get_by_label("供应商", exact=True).select_option(label="杭州茶厂")
    page.get_by_label("商品行").fill("TEA-250 10\nNOPE 1")
    page.get_by_role("button", name="创建草稿").click()
    expect(page.locator("main")).to_contain_text("第 2 行：没有 SKU “NOPE”。")
    expect(page.get_by_label("商品行")).to_have_value("TEA-250 10\nNOPE 1")
    shot(page, "po-form-refused-zh")
