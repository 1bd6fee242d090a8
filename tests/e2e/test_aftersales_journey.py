"""JOURNEYS.md "After-sales, a broken item" in a real browser: operations registers, the warehouse receives
and inspects (keyboard), finance records the refund; the customer is notified, the supplier's ¥30 is open."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from PIL import Image
from playwright.sync_api import expect

from aftersales.models import AftersalesCase, SupplierCharge
from oms.models import OutboxMessage
from tests.factories import (
    LocationFactory,
    ReasonFactory,
    SKUFactory,
    SupplierFactory,
    SupplierSKUFactory,
    WarehouseFactory,
    order_through_services,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def journey_data(transactional_db, make_user):
    users = {
        "ops": make_user("ops", "operations"),
        "warehouse": make_user("warehouse", "warehouse"),
        "finance": make_user("finance", "finance"),
    }
    warehouse = WarehouseFactory(code="WH-AS", name="Shanghai")
    LocationFactory(warehouse=warehouse, code="DMG-01", kind="damaged")
    supplier = SupplierFactory(code="SUP-AS", name="Ningbo Cups")
    sku = SKUFactory(code="SKU-001", price="199.00")
    SupplierSKUFactory(supplier=supplier, sku=sku, is_preferred=True)
    reason = ReasonFactory(code="broken", name="Arrived broken", supplier_at_fault=True)
    order = order_through_services(lines=[(sku, 2, "199.00")], warehouse=warehouse)
    return {"users": users, "order": order, "supplier": supplier, "reason": reason}


def sign_in(page, live_server, username: str, next_url: str) -> None:
    page.goto(f"{live_server.url}/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.press("#id_password", "Enter")
    page.wait_for_selector("[data-testid=current-user]")


def sign_out(page) -> None:
    page.locator("form[action='/logout/'] button").click()
    page.wait_for_selector("#id_username")


def jpeg() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(buffer, "JPEG")
    return {"name": "broken.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def test_broken_item_journey_in_the_browser(page, live_server, journey_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order, supplier, reason = journey_data["order"], journey_data["supplier"], journey_data["reason"]
    line = order.lines.get()

    # 1. Operations registers the case on one page.
    sign_in(page, live_server, "ops", "/aftersales/new/")
    page.fill("#id_order_number", order.number)
    page.press("#id_order_number", "Enter")  # loads the order's lines, keeps what was typed
    expect(page.locator("[data-testid=order-lines]")).to_contain_text("SKU-001")
    page.check("input[name=case_type][value=return_refund]")
    page.fill(f"#id_qty_{line.pk}", "1")
    page.select_option("#id_reason", str(reason.pk))
    expect(page.locator("#id_supplier")).to_have_value(str(supplier.pk))  # the SKU's preferred supplier
    page.fill("#id_description", "Cup arrived broken")
    page.set_input_files("#id_photos", [jpeg()])
    page.check("#id_compensation_applies")
    page.fill("#id_supplier_share", "30")
    page.fill("#id_platform_share", "20")
    expect(page.locator("[data-testid=compensation-total]")).to_have_text("50.00")
    page.fill("#id_return_tracking_number", "SF1234567890")
    page.click("[data-testid=register]")
    expect(page.locator("[data-testid=case-status]")).to_have_text("Requested")
    page.click("[data-testid=approve]")
    expect(page.locator("[data-testid=case-status]")).to_have_text("Awaiting return")
    case = AftersalesCase.objects.get()
    assert case.compensation_total == Decimal("50.00")
    sign_out(page)

    # 2. The warehouse scans the return and marks it damaged, keyboard only.
    sign_in(page, live_server, "warehouse", "/aftersales/receiving/")
    page.keyboard.type("SF1234567890")
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=receive-form]")).to_contain_text(case.number)
    page.focus(f"input[name=condition_{case.lines.get().pk}][value=resellable]")
    page.keyboard.press("ArrowRight")  # → damaged
    page.focus("[data-testid=receive-inspect]")
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_contain_text(f"Case {case.number} received and inspected.")
    sign_out(page)

    # 3. Finance records the refund; the customer is notified.
    sign_in(page, live_server, "finance", f"/aftersales/{case.pk}/refund/")
    expect(page.locator("#id_amount")).to_have_value("249.00")
    page.fill("#id_transaction_ref", "ALI-R1")
    page.click("[data-testid=save-refund]")
    expect(page.locator("[data-testid=case-status]")).to_have_text("Refunded")
    expect(page.locator("[data-testid=supplier-charge]")).to_contain_text(re.compile(r"-30\.00"))

    case.refresh_from_db()
    assert case.lines.get().condition == "damaged"
    assert OutboxMessage.objects.filter(event="aftersales.refunded", recipient="13812345678").count() == 1
    charge = SupplierCharge.objects.get()
    assert (charge.supplier_id, charge.amount, charge.reconciliation_status) == (
        supplier.pk,
        Decimal("-30.00"),
        "open",
    )
