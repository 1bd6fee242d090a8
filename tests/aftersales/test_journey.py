"""JOURNEYS.md "After-sales, a broken item", end to end through the screens a person uses."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from aftersales.models import AftersalesCase, SupplierCharge
from aftersales.selectors import aftersales_state_for_order, open_supplier_charges
from inventory.models import StockLevel
from oms.audit import timeline_for
from oms.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_broken_item_return_refund_with_compensation(
    client_for,
    ops_user,
    warehouse_user,
    finance_user,
    shipped_order,
    broken,
    supplier,
    sku,
    warehouse,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    line = shipped_order.lines.get()
    level = StockLevel.objects.get(sku=sku, warehouse=warehouse)
    on_hand, damaged = level.on_hand, level.damaged

    # 1. Operations registers the case on one page: order, line, reason, photo, compensation 30 + 20 = 50.
    client = client_for(ops_user)
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(buffer, "JPEG")
    response = client.post(
        "/aftersales/new/",
        {
            "action": "save",
            "order_number": shipped_order.number,
            "case_type": "return_refund",
            f"qty_{line.pk}": "1",
            "reason": broken.pk,
            "supplier": supplier.pk,
            "handler": ops_user.pk,
            "registered_on": "2026-11-21",
            "description": "Cup arrived broken",
            "compensation_applies": "on",
            "supplier_share": "30.00",
            "platform_share": "20.00",
            "return_tracking_number": "SF1234567890",
            "photos": [SimpleUploadedFile("broken.jpg", buffer.getvalue(), content_type="image/jpeg")],
        },
    )
    assert response.status_code == 302
    case = AftersalesCase.objects.get()
    assert case.compensation_total == Decimal("50.00")
    client.post(f"/aftersales/{case.pk}/approve/")
    case.refresh_from_db()
    assert case.status == "awaiting_return"

    # 2. The warehouse scans the return's tracking number, receives it, inspection says damaged.
    client = client_for(warehouse_user)
    page = client.get("/aftersales/receiving/?code=SF1234567890")
    assert [c.pk for c, _form in page.context["forms"]] == [case.pk]
    client.post(
        "/aftersales/receiving/",
        {
            "case": case.pk,
            "code": "SF1234567890",
            "warehouse": warehouse.pk,
            f"condition_{case.lines.get().pk}": "damaged",
            "action": "receive_inspect",
        },
    )
    case.refresh_from_db()
    level.refresh_from_db()
    assert case.status == "inspected"
    assert (level.on_hand, level.damaged) == (on_hand, damaged + 1)

    # The supplier's ¥30 waits for the next statement (negative: the supplier owes us).
    charge = SupplierCharge.objects.get()
    assert (charge.supplier_id, charge.amount, charge.reconciliation_status) == (
        supplier.pk,
        Decimal("-30.00"),
        "open",
    )
    assert list(open_supplier_charges(supplier.pk)) == [charge]

    # 3. Finance records the refund (item + compensation suggested); the customer is notified.
    client = client_for(finance_user)
    form = client.get(f"/aftersales/{case.pk}/refund/").context["form"]
    assert form.initial["amount"] == Decimal("249.00")
    response = client.post(
        f"/aftersales/{case.pk}/refund/", {"amount": "249.00", "transaction_ref": "ALI-R1"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "refunded"
    message = OutboxMessage.objects.get(event="aftersales.refunded")
    assert message.recipient == "13812345678"
    assert "249.00" in message.body

    # The order shows its after-sales state.
    state = aftersales_state_for_order(shipped_order.pk)
    assert (state.latest_status, state.open_cases) == ("refunded", 1)
    timeline = timeline_for(case)
    assert (timeline[0].kind, timeline[0].title) == ("change", "Registered")  # the case's creation
    assert [e.target for e in timeline if e.kind == "transition"] == [
        "Approved",
        "Awaiting return",
        "Received",
        "Inspected",
        "Refunded",
    ]
