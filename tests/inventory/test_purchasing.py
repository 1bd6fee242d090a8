"""Purchase orders: every state reached in real use, refusals that change nothing, on order, receipts, backorders."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from pypdf import PdfReader

from inventory.exceptions import LinesInvalid, NotOnPurchaseOrder, OverReceipt, UnknownCode
from inventory.models import PurchaseOrder, StockLevel, StockMovement
from inventory.pdf import purchase_order_pdf
from inventory.selectors_purchasing import pipeline_drift
from inventory.selectors_reconciliation import purchase_order_costs
from inventory.services import (
    LineRequest,
    purchase_order_cancel,
    purchase_order_close,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
    purchase_orders_from_suggestions,
)
from oms.exceptions import IllegalTransition, PermissionRefused
from oms.models import OutboxMessage
from tests.factories import ProductFactory, SKUFactory, SupplierFactory, SupplierSKUFactory, WarehouseFactory


@pytest.fixture
def setup(db):
    wh = WarehouseFactory(code="SH", name="上海仓")
    supplier = SupplierFactory(code="SUP-TEA", name="杭州茶厂", email="orders@tea.example.com")
    tea = SKUFactory(product=ProductFactory(name="龙井茶"), code="TEA-1", barcode="6901234500011")
    cup = SKUFactory(product=ProductFactory(name="茶杯"), code="CUP-1", barcode="6901234500028")
    SupplierSKUFactory(supplier=supplier, sku=tea, cost="35.50", supplier_sku_code="HZ-LJ-250")
    SupplierSKUFactory(supplier=supplier, sku=cup, cost="8.00")
    return {"wh": wh, "supplier": supplier, "tea": tea, "cup": cup}


def _po(setup, *, tea=10, cup=4, pct=0, by=None):
    return purchase_order_create(
        supplier_id=setup["supplier"].pk,
        warehouse_id=setup["wh"].pk,
        lines=[
            LineRequest(sku_id=setup["tea"].pk, quantity=tea),
            LineRequest(sku_id=setup["cup"].pk, quantity=cup),
        ],
        over_receipt_pct=pct,
        by=by,
    )


def _on_order(sku, wh) -> int:
    level = StockLevel.objects.filter(sku=sku, warehouse=wh).first()
    return level.on_order if level else 0


def test_draft_takes_the_agreed_costs_and_a_number(setup):
    po = _po(setup)
    assert po.status == "draft" and po.number.startswith("PO") and po.number.endswith(f"{po.pk:05d}")
    lines = {x.sku.code: (x.quantity_ordered, x.unit_cost, x.supplier_sku_code) for x in po.lines.all()}
    assert lines == {"TEA-1": (10, Decimal("35.50"), "HZ-LJ-250"), "CUP-1": (4, Decimal("8.00"), "")}
    assert _on_order(setup["tea"], setup["wh"]) == 0  # a draft is not on order yet


def test_bad_lines_are_refused_row_by_row_and_nothing_is_written(setup):
    stranger = SKUFactory(code="NOT-SUPPLIED")
    with pytest.raises(LinesInvalid) as refused:
        purchase_order_create(
            supplier_id=setup["supplier"].pk,
            warehouse_id=setup["wh"].pk,
            lines=[
                LineRequest(sku_id=setup["tea"].pk, quantity=0),
                LineRequest(sku_id=stranger.pk, quantity=3),
                LineRequest(sku_id=setup["cup"].pk, quantity=2),
                LineRequest(sku_id=setup["cup"].pk, quantity=1),
            ],
        )
    assert refused.value.problems == [
        "Line 1: the quantity must be above zero.",
        "Line 2: 杭州茶厂 has no agreed cost for NOT-SUPPLIED; give a unit cost.",
        "Line 4: CUP-1 is on the order twice.",
    ]
    assert PurchaseOrder.objects.count() == 0


def test_send_emails_the_pdf_through_the_outbox_and_puts_the_lines_on_order(
    setup, django_capture_on_commit_callbacks
):
    po = _po(setup)
    with django_capture_on_commit_callbacks(execute=True):
        purchase_order_send(po_id=po.pk)
    po.refresh_from_db()
    assert po.status == "sent" and po.sent_at
    assert (_on_order(setup["tea"], setup["wh"]), _on_order(setup["cup"], setup["wh"])) == (10, 4)
    message = OutboxMessage.objects.get(event="inventory.purchase_order_sent")
    assert (message.recipient, message.status) == ("orders@tea.example.com", "sent")
    (email,) = mail.outbox
    (filename, content, mimetype) = email.attachments[0]
    assert (filename, mimetype) == (f"{po.number}.pdf", "application/pdf")
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert po.number in text and "HZ-LJ-250" in text and "¥387.00" in text  # 10 × 35.50 + 4 × 8.00
    assert pipeline_drift() == []


def test_pdf_in_chinese_shows_the_chinese_labels(setup):
    text = PdfReader(io.BytesIO(purchase_order_pdf(_po(setup), language="zh-hans"))).pages[0].extract_text()
    assert "采购" in text and "杭州茶厂" in text and "龙井茶" in text


def test_receiving_by_scan_partially_then_fully(setup):
    po = _po(setup, tea=2, cup=1)
    purchase_order_send(po_id=po.pk)
    out = purchase_order_receive(po_id=po.pk, code="6901234500011")  # tea barcode
    assert (out.purchase_order.status, out.complete, out.over) == ("partially_received", False, 0)
    assert _on_order(setup["tea"], setup["wh"]) == 1
    purchase_order_receive(po_id=po.pk, code="TEA-1")
    out = purchase_order_receive(po_id=po.pk, code="CUP-1")
    po.refresh_from_db()
    assert (po.status, out.complete) == ("received", True) and po.received_at
    movements = StockMovement.objects.filter(reference=po.number).order_by("pk")
    assert [(m.kind, m.sku.code, m.quantity, m.unit_cost, m.supplier_id) for m in movements] == [
        ("receipt", "TEA-1", 1, Decimal("35.50"), setup["supplier"].pk),
        ("receipt", "TEA-1", 1, Decimal("35.50"), setup["supplier"].pk),
        ("receipt", "CUP-1", 1, Decimal("8.00"), setup["supplier"].pk),
    ]
    assert StockLevel.objects.get(sku=setup["tea"], warehouse=setup["wh"]).on_hand == 2
    assert pipeline_drift() == []


def test_over_receipt_within_tolerance_is_flagged_beyond_it_refused(setup):
    po = _po(setup, tea=10, cup=1, pct=10)
    purchase_order_send(po_id=po.pk)
    out = purchase_order_receive(po_id=po.pk, code="TEA-1", quantity=11)
    assert out.over == 1 and out.purchase_order.status == "partially_received"
    with pytest.raises(OverReceipt) as refused:
        purchase_order_receive(po_id=po.pk, code="TEA-1", quantity=1)
    assert "10 ordered, 11 already received" in refused.value.message
    assert StockLevel.objects.get(sku=setup["tea"], warehouse=setup["wh"]).on_hand == 11
    assert _on_order(setup["tea"], setup["wh"]) == 0  # the extra unit was never on order
    assert pipeline_drift() == []


def test_refusals_change_nothing(setup):
    po = _po(setup)
    with pytest.raises(IllegalTransition):  # a draft is not sent yet
        purchase_order_receive(po_id=po.pk, code="TEA-1")
    purchase_order_send(po_id=po.pk)
    other = SKUFactory(code="OTHER-1")
    with pytest.raises(NotOnPurchaseOrder):
        purchase_order_receive(po_id=po.pk, code=other.code)
    with pytest.raises(UnknownCode):
        purchase_order_receive(po_id=po.pk, code="nothing-like-it")
    with pytest.raises(OverReceipt):
        purchase_order_receive(po_id=po.pk, code="TEA-1", quantity=11)
    with pytest.raises(IllegalTransition):  # nothing received yet: cancel, not close
        purchase_order_close(po_id=po.pk, reason="supplier out of stock")
    with pytest.raises(IllegalTransition):
        purchase_order_send(po_id=po.pk)
    po.refresh_from_db()
    assert po.status == "sent" and StockMovement.objects.count() == 0
    assert _on_order(setup["tea"], setup["wh"]) == 10


def test_close_a_partly_received_order_and_cancel_a_sent_one(setup):
    po = _po(setup, tea=5, cup=2)
    purchase_order_send(po_id=po.pk)
    purchase_order_receive(po_id=po.pk, code="TEA-1", quantity=3)
    purchase_order_close(po_id=po.pk, reason="supplier discontinued the cups")
    po.refresh_from_db()
    assert po.status == "closed" and _on_order(setup["tea"], setup["wh"]) == 0
    with pytest.raises(IllegalTransition):
        purchase_order_receive(po_id=po.pk, code="TEA-1")
    second = _po(setup)
    purchase_order_send(po_id=second.pk)
    purchase_order_cancel(po_id=second.pk, reason="ordered twice")
    second.refresh_from_db()
    assert second.status == "cancelled" and _on_order(setup["cup"], setup["wh"]) == 0
    draft = _po(setup)
    assert purchase_order_cancel(po_id=draft.pk, reason="not needed").status == "cancelled"
    assert pipeline_drift() == []
    call_command("check_stock")


def test_roles_decide_who_may_send_and_receive(setup, warehouse_user, make_user):
    buyer = make_user("buyer", "purchasing")
    po = _po(setup, by=buyer)
    with pytest.raises(PermissionRefused):
        purchase_order_send(po_id=po.pk, by=warehouse_user)
    purchase_order_send(po_id=po.pk, by=buyer)
    with pytest.raises(PermissionRefused):
        purchase_order_receive(po_id=po.pk, code="TEA-1", by=buyer)
    assert purchase_order_receive(po_id=po.pk, code="TEA-1", by=warehouse_user).quantity == 1


def test_from_suggestions_one_draft_per_supplier(setup):
    other = SupplierFactory(code="SUP-CUP", name="景德镇瓷厂")
    SupplierSKUFactory(supplier=other, sku=setup["cup"], cost="7.00")
    pos = purchase_orders_from_suggestions(
        warehouse_id=setup["wh"].pk,
        picks=[(setup["supplier"].pk, setup["tea"].pk, 30), (other.pk, setup["cup"].pk, 12)],
    )
    assert [
        (p.supplier.code, [(x.sku.code, x.quantity_ordered, x.unit_cost) for x in p.lines.all()]) for p in pos
    ] == [
        ("SUP-TEA", [("TEA-1", 30, Decimal("35.50"))]),
        ("SUP-CUP", [("CUP-1", 12, Decimal("7.00"))]),
    ]


def test_received_stock_is_allocated_to_a_backorder_at_once(setup, django_capture_on_commit_callbacks):
    from orders.models import OrderRule, Tag
    from orders.rules import ensure_default_rules
    from orders.services import order_allocate, order_intake
    from tests.factories import ChannelFactory, order_body

    ensure_default_rules(rule_model=OrderRule, tag_model=Tag)
    body = order_body(external_id="BO-1", lines=[{"sku": "TEA-1", "quantity": 2, "unit_price": "59.90"}])
    order = order_intake(channel=ChannelFactory(code="tmall"), data=body, allocate_now=False).order
    order = order_allocate(order_id=order.pk)
    assert order.status == "backordered"
    po = _po(setup, tea=2, cup=1)
    purchase_order_send(po_id=po.pk)
    with django_capture_on_commit_callbacks(execute=True):
        purchase_order_receive(po_id=po.pk, code="TEA-1")
    order.refresh_from_db()
    assert order.status == "backordered"  # one of two is not enough
    with django_capture_on_commit_callbacks(execute=True):
        purchase_order_receive(po_id=po.pk, code="TEA-1")
    order.refresh_from_db()
    assert order.status == "allocated"
    level = StockLevel.objects.get(sku=setup["tea"], warehouse=setup["wh"])
    assert (level.on_hand, level.reserved) == (2, 2)


def test_purchase_costs_are_available_to_reconciliation(setup):
    po = _po(setup, tea=3, cup=1)
    purchase_order_send(po_id=po.pk)
    purchase_order_receive(po_id=po.pk, code="TEA-1", quantity=2)
    rows = purchase_order_costs(supplier_id=setup["supplier"].pk)
    assert [(r["number"], r["sku_code"], r["ordered"], r["received"], r["unit_cost"]) for r in rows] == [
        (po.number, "TEA-1", 3, 2, Decimal("35.50")),
        (po.number, "CUP-1", 1, 0, Decimal("8.00")),
    ]
