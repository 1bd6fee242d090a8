"""JOURNEYS.md "Finance, month end" in a real browser: the supplier list with balances, a statement built with
the checkboxes and "add all matching" (totals update as lines are selected), the supplier's bill imported
and matched, each difference resolved, submitted; the finance manager approves from the queue; every
included item is reconciled today; the statement is exported as PDF and XLSX."""

from __future__ import annotations

import io
import itertools
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from oms.models import OutboxMessage
from reconciliation.choices import ItemStatus, MatchKind, StatementStatus
from reconciliation.models import BillMatch, ReconcilableItem, StatementLine, SupplierStatement
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

_ext = itertools.count(1)


@pytest.fixture
def month(transactional_db, make_user):
    """A supplier's October: two receipts (50.00, 125.00), a drop-ship of 3 bowls (90.00) and its share of
    a compensation (−30.00), all made through the owning apps' services."""
    from aftersales.services import case_approve, case_register, refund_record
    from fulfillment.services import (
        shipment_approve_drop_ship,
        shipment_record_supplier_dispatch,
        shipments_create_for_order,
    )
    from inventory.services import stock_receive

    users = {
        "ops": make_user("ops", "operations"),
        "finance": make_user("finance", "finance"),
        "finance_manager": make_user("finance_manager", "finance_manager", email="manager@example.com"),
    }
    warehouse = WarehouseFactory(code="WH-FIN", name="Shanghai")
    LocationFactory(warehouse=warehouse, code="DMG-01", kind="damaged")
    supplier = SupplierFactory(code="SUP-JDZ", name="Jingdezhen Porcelain", email="ds@example.com")
    bowl = SKUFactory(code="BOWL-01", price="89.00")
    SupplierSKUFactory(supplier=supplier, sku=bowl, cost="30.00", is_drop_ship=True, is_preferred=True)
    cup = SKUFactory(code="CUP-02", price="39.00")
    SupplierSKUFactory(supplier=supplier, sku=cup, cost="12.50", is_preferred=True)
    for quantity, reference in ((4, "PO-1001"), (10, "PO-1002")):
        stock_receive(
            sku_id=cup.pk,
            warehouse_id=warehouse.pk,
            quantity=quantity,
            supplier_id=supplier.pk,
            reference=reference,
            unit_cost=Decimal("12.50"),
        )
    order = order_through_services(
        lines=[(bowl, 3, "89.00")], shipped=False, external_id=f"FIN-{next(_ext)}", warehouse=warehouse
    )
    shipment = next(s for s in shipments_create_for_order(order_id=order.pk) if s.is_drop_ship)
    shipment_approve_drop_ship(shipment_id=shipment.pk)
    shipment_record_supplier_dispatch(
        shipment_id=shipment.pk, tracking_number="SF00000001", quantities={shipment.lines.get().pk: 3}
    )
    reason = ReasonFactory(code="broken", name="Arrived broken", supplier_at_fault=True)
    broken = order_through_services(
        lines=[(cup, 1, "199.00")], external_id=f"FIN-{next(_ext)}", warehouse=warehouse
    )
    case = case_register(
        order_id=broken.pk,
        case_type="compensation",
        lines=[],
        reason_id=reason.pk,
        by=users["ops"],
        supplier_id=supplier.pk,
        compensation_applies=True,
        supplier_share="30.00",
        platform_share="20.00",
    )
    case_approve(case_id=case.pk, by=users["ops"])
    refund_record(case_id=case.pk, amount="50.00", by=users["finance"])
    return {"supplier": supplier, "order": order, "case": case}


def bill_csv(order_number: str, case_number: str) -> dict:
    rows = [
        "发货单号,商品编码,数量,金额",
        "PO-1001,CUP-02,4,50.00",
        f"{order_number},BOWL-01,3,90.00",  # their drop-ship row carries our order number
        "PO-1002,CUP-02,10,130.00",  # amount differs
        f"{case_number},,,-30.00",
        "PO-9999,CUP-02,1,12.50",  # only on their bill
    ]
    return {"name": "jdz-2026-10.csv", "mimeType": "text/csv", "buffer": "\n".join(rows).encode("gb18030")}


def sign_in(page, live_server, username: str, next_url: str) -> None:
    page.goto(f"{live_server.url}/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.press("#id_password", "Enter")
    page.wait_for_selector("[data-testid=current-user]")


def sign_out(page) -> None:
    page.locator("form[action='/logout/'] button").click()
    page.wait_for_selector("#id_username")


def test_finance_month_end_in_the_browser(page, live_server, month, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    supplier, order, case = month["supplier"], month["order"], month["case"]

    # 1. The supplier list; building a statement for this supplier collects what it has not reconciled.
    sign_in(page, live_server, "finance", "/reconciliation/")
    page.locator("tr", has_text="Jingdezhen Porcelain").get_by_role("link", name="Build statement").click()
    expect(page.locator("#id_supplier")).to_have_value(str(supplier.pk))
    page.get_by_role("button", name="Create draft").click()
    expect(page.locator("[data-testid=statement-status]")).to_have_text("Draft")
    statement = SupplierStatement.objects.get()
    page.goto(f"{live_server.url}/reconciliation/")
    row = page.locator("tr", has_text="Jingdezhen Porcelain")
    expect(row.locator("td").nth(1)).to_have_text("¥235.00")  # 50 + 125 + 90 − 30
    expect(row.locator("td").nth(2)).to_have_text("¥0.00")  # reconciled
    expect(row.locator("td").nth(3)).to_have_text("¥235.00")  # remaining
    row.get_by_role("link", name="Statements").click()
    page.get_by_role("link", name=statement.number).click()

    # 2. The builder: ticking one item updates the totals (HTMX); then everything open is added at once.
    po1001 = page.get_by_role("checkbox", name="PO-1001 CUP-02")
    po1001.check()
    expect(page.locator("[data-testid=statement-total]")).to_have_text("¥50.00")
    expect(page.locator("[data-testid=line-count]")).to_have_text("1")
    po1001.uncheck()
    expect(page.locator("[data-testid=statement-total]")).to_have_text("¥0.00")
    page.click("[data-testid=select-all]")
    expect(page.locator("[data-testid=line-count]")).to_have_text("4")
    expect(page.locator("[data-testid=statement-total]")).to_have_text("¥235.00")

    # 3. Import the supplier's bill; the first time, say which column holds what, then it is matched.
    page.set_input_files("input[name=file]", [bill_csv(order.number, case.number)])
    page.get_by_role("button", name="Import bill").click()
    page.select_option("#id_reference", "发货单号")
    page.select_option("#id_sku", "商品编码")
    page.select_option("#id_quantity", "数量")
    page.select_option("#id_amount", "金额")
    page.get_by_role("button", name="Save and match").click()
    expect(page.locator("[data-testid=job-progress]")).to_have_attribute("data-status", "done")
    page.get_by_role("link", name="Open the result").click()
    expect(page.locator("[data-testid=bill-status]")).to_have_text("Matched")
    kinds = dict(BillMatch.objects.values_list("reference", "kind"))
    assert kinds == {
        "PO-1001": MatchKind.MATCHED,
        "PO-1002": MatchKind.AMOUNT,
        "PO-9999": MatchKind.THEIRS_ONLY,
        case.number: MatchKind.MATCHED,
        ReconcilableItem.objects.get(kind="drop_ship").reference: MatchKind.MATCHED,
    }

    # 4. Resolve each difference: their amount for PO-1002; an adjustment line with a note for PO-9999.
    amount = BillMatch.objects.get(kind=MatchKind.AMOUNT)
    form = page.locator(f"[data-testid=resolve-{amount.pk}]")
    form.locator("select").select_option("accept_theirs")
    form.get_by_role("button", name="Resolve").click()
    expect(page.locator(".alert-success")).to_contain_text("Difference PO-1002 resolved.")
    theirs = BillMatch.objects.get(kind=MatchKind.THEIRS_ONLY)
    form = page.locator(f"[data-testid=resolve-{theirs.pk}]")
    form.locator("select").select_option("adjustment")
    form.locator("input[name=amount]").fill("12.50")
    form.locator("input[name=note]").fill("One cup sent again")
    form.get_by_role("button", name="Resolve").click()
    expect(page.locator(".alert-success")).to_contain_text("Difference PO-9999 resolved.")

    # 5. Back on the statement: the totals follow the resolutions; submit for approval.
    page.get_by_role("link", name=statement.number).click()
    expect(page.locator("[data-testid=statement-total]")).to_have_text("¥252.50")  # 235 + 5 + 12.50
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=statement-status]")).to_have_text("Submitted")
    assert OutboxMessage.objects.filter(
        event="reconciliation.statement_submitted", recipient="manager@example.com"
    ).exists()
    sign_out(page)

    # 6. The finance manager approves from the queue: every included item is reconciled today.
    sign_in(page, live_server, "finance_manager", "/reconciliation/approvals/")
    page.get_by_role("link", name=statement.number).click()
    page.click("[data-testid=approve]")
    expect(page.locator("[data-testid=statement-status]")).to_have_text("Approved")
    statement.refresh_from_db()
    today = timezone.localdate()
    assert (statement.status, statement.total, statement.line_count, statement.reconciled_on) == (
        StatementStatus.APPROVED,
        Decimal("252.50"),
        6,
        today,
    )
    assert set(ReconcilableItem.objects.values_list("status", "reconciled_at")) == {
        (ItemStatus.RECONCILED, today)
    }
    lines = StatementLine.objects.filter(statement=statement).values_list("amount", flat=True)
    assert sum(lines, Decimal("0.00")) == statement.total

    # 7. Export for the supplier: XLSX (a download) and PDF.
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    assert download.value.suggested_filename == f"{statement.number}.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    cells = [c for row in workbook.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "PO-1002" in cells and "PO-9999" in cells
    pdf = page.request.get(f"{live_server.url}/reconciliation/statements/{statement.pk}/pdf/")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    # 8. The balances now show it reconciled.
    page.goto(f"{live_server.url}/reconciliation/")
    row = page.locator("tr", has_text="Jingdezhen Porcelain")
    expect(row.locator("td").nth(2)).to_have_text("¥252.50")
    expect(row.locator("td").nth(3)).to_have_text("¥0.00")
