"""The Finance month-end journey (JOURNEYS.md) through the screens: build a statement, import the
supplier's bill, resolve every difference, submit, approve as the finance manager, export."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from aftersales.models import SupplierCharge
from oms.models import OutboxMessage
from reconciliation.choices import ItemStatus, MatchKind, Resolution, StatementStatus
from reconciliation.models import BillMatch, ReconcilableItem, StatementLine, SupplierBill, SupplierStatement

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(receive, drop_ship, compensation, bowl, cup):
    receive(cup, 4, "PO-1001")  # 50.00
    receive(cup, 10, "PO-1002")  # 125.00
    receive(cup, 2, "PO-1003")  # 25.00
    receive(cup, 6, "PO-1004")  # 75.00
    shipment = drop_ship(bowl, 3)  # 90.00
    charge = compensation("30.00")  # -30.00
    return shipment, charge


def bill_csv(shipment, charge) -> bytes:
    rows = [
        "发货单号,商品编码,数量,金额,日期",
        "PO-1001,CUP-02,4,50.00,2026-10-03",
        f'{shipment.order.number},BOWL-01,3,"¥90.00",2026/10/05',  # by order number, with a currency sign
        "PO-1002,CUP-02,10,130.00,2026-10-06",  # amount differs
        "PO-1004,CUP-02,5,62.50,2026-10-07",  # quantity differs
        f"{charge.case.number},,,-30.00,2026-10-08",
        "PO-9999,CUP-02,1,12.50,2026-10-09",  # only on their bill
        "合计,,,340.00,",  # their total row is skipped
    ]
    return "\n".join(rows).encode("gb18030")


def test_finance_month_end(
    month, supplier, finance_user, finance_manager_user, client, django_capture_on_commit_callbacks
):
    shipment, charge = month
    finance_manager_user.email = "manager@example.com"
    finance_manager_user.save()
    client.force_login(finance_user)

    # 1. The supplier list shows the balances (items are collected on demand when a statement is built).
    response = client.get(reverse("reconciliation:suppliers"))
    assert response.status_code == 200 and supplier.name in response.content.decode()

    # 2. Build the statement: everything open, selected with "all matching".
    response = client.post(reverse("reconciliation:statement-create"), {"supplier": supplier.pk})
    statement = SupplierStatement.objects.get()
    assert response.status_code == 302 and response.url.startswith(
        f"/reconciliation/statements/{statement.pk}/"
    )
    response = client.post(
        reverse("reconciliation:statement-select", args=[statement.pk]),
        {"scope": "filter", "action": "select", "kind": "", "q": ""},
    )
    statement.refresh_from_db()
    assert (statement.line_count, statement.total) == (6, Decimal("335.00"))

    # 3. Import the supplier's bill (GBK CSV); the first time, say which column holds what.
    upload = SimpleUploadedFile("ciyuan-2026-10.csv", bill_csv(shipment, charge), content_type="text/csv")
    response = client.post(reverse("reconciliation:bill-upload", args=[statement.pk]), {"file": upload})
    bill = SupplierBill.objects.get()
    assert response.url == reverse("reconciliation:bill-detail", args=[bill.pk])
    page = client.get(response.url).content.decode()
    assert "发货单号" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reconciliation:bill-mapping", args=[bill.pk]),
            {
                "reference": "发货单号",
                "sku": "商品编码",
                "quantity": "数量",
                "amount": "金额",
                "date": "日期",
            },
        )
    bill.refresh_from_db()
    assert response.status_code == 302 and response.url == reverse("job-detail", args=[bill.job_id])
    assert bill.status == "matched"
    kinds = dict(BillMatch.objects.values_list("reference", "kind"))
    assert kinds == {
        "PO-1001": MatchKind.MATCHED,
        shipment.number: MatchKind.MATCHED,
        "PO-1002": MatchKind.AMOUNT,
        "PO-1004": MatchKind.QUANTITY,
        charge.case.number: MatchKind.MATCHED,
        "PO-9999": MatchKind.THEIRS_ONLY,
        "PO-1003": MatchKind.OURS_ONLY,
    }

    # 4. Submitting with unresolved differences is refused; nothing changes.
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("reconciliation:statement-action", args=[statement.pk, "submit"]))
    assert response.status_code == 409
    assert "4 differences with the supplier&#x27;s bill are unresolved" in response.content.decode()
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DRAFT and callbacks == []
    assert not OutboxMessage.objects.filter(event="reconciliation.statement_submitted").exists()

    # 5. Resolve each. An adjustment without a note is refused field by field, keeping what was typed.
    match = {m.kind: m for m in BillMatch.objects.exclude(kind=MatchKind.MATCHED)}
    resolve = lambda m, **data: client.post(reverse("reconciliation:match-resolve", args=[m.pk]), data)  # noqa: E731
    response = resolve(match[MatchKind.THEIRS_ONLY], resolution="adjustment", amount="12.50", note="")
    assert response.status_code == 400
    assert 'value="12.50"' in response.content.decode() and "Say why" in response.content.decode()
    assert (
        match[MatchKind.THEIRS_ONLY].__class__.objects.get(pk=match[MatchKind.THEIRS_ONLY].pk).resolution
        == ""
    )
    assert (
        resolve(
            match[MatchKind.THEIRS_ONLY], resolution="adjustment", amount="12.50", note="补发 1 只"
        ).status_code
        == 302
    )
    assert resolve(match[MatchKind.AMOUNT], resolution="accept_theirs", note="").status_code == 302
    assert resolve(match[MatchKind.QUANTITY], resolution="accept_ours", note="入库 6 只").status_code == 302
    assert resolve(match[MatchKind.OURS_ONLY], resolution="accept_theirs", note="下月再对").status_code == 302
    assert set(BillMatch.objects.exclude(kind=MatchKind.MATCHED).values_list("resolution", flat=True)) == {
        Resolution.ADJUSTMENT,
        Resolution.ACCEPT_THEIRS,
        Resolution.ACCEPT_OURS,
    }
    statement.refresh_from_db()
    # 335.00 − 25.00 (PO-1003 off) + 5.00 (their amount for PO-1002) + 12.50 (PO-9999) = 327.50
    assert (statement.line_count, statement.total) == (7, Decimal("327.50"))
    assert ReconcilableItem.objects.get(reference="PO-1003").status == ItemStatus.OPEN

    # 6. Submit: the finance manager is told (outbox, after commit).
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("reconciliation:statement-action", args=[statement.pk, "submit"]))
    assert response.status_code == 302 and len(callbacks) == 1
    message = OutboxMessage.objects.get(event="reconciliation.statement_submitted")
    assert message.recipient == "manager@example.com"

    # 7. A plain finance user cannot approve; nothing changes.
    response = client.post(reverse("reconciliation:statement-action", args=[statement.pk, "approve"]))
    assert response.status_code == 403
    statement.refresh_from_db()
    assert statement.status == StatementStatus.SUBMITTED
    assert not ReconcilableItem.objects.filter(status=ItemStatus.RECONCILED).exists()

    # 8. The finance manager approves from the queue: every included item is reconciled today.
    client.force_login(finance_manager_user)
    queue = client.get(reverse("reconciliation:approvals")).content.decode()
    assert statement.number in queue
    response = client.post(reverse("reconciliation:statement-action", args=[statement.pk, "approve"]))
    assert response.status_code == 302
    statement.refresh_from_db()
    today = timezone.localdate()
    assert (statement.status, statement.reconciled_on) == (StatementStatus.APPROVED, today)
    on_statement = ReconcilableItem.objects.filter(statement=statement)
    assert on_statement.count() == 7
    assert set(on_statement.values_list("status", "reconciled_at")) == {(ItemStatus.RECONCILED, today)}
    assert (
        sum(StatementLine.objects.filter(statement=statement).values_list("amount", flat=True))
        == statement.total
    )
    assert SupplierCharge.objects.get().reconciliation_status == "reconciled"

    # 9. The reconciled items cannot go on another statement.
    other = client.post(reverse("reconciliation:statement-create"), {"supplier": supplier.pk})
    second = SupplierStatement.objects.exclude(pk=statement.pk).get()
    assert other.status_code == 302
    taken = ReconcilableItem.objects.get(reference="PO-1001")
    response = client.post(
        reverse("reconciliation:statement-select", args=[second.pk]),
        {"item": [taken.pk], "action": "select"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert not StatementLine.objects.filter(statement=second).exists()
    taken.refresh_from_db()
    assert (taken.status, taken.statement_id) == (ItemStatus.RECONCILED, statement.pk)
    client.post(
        reverse("reconciliation:statement-select", args=[second.pk]), {"scope": "filter", "action": "select"}
    )
    assert list(StatementLine.objects.filter(statement=second).values_list("item__reference", flat=True)) == [
        "PO-1003"
    ]

    # 10. Export for the supplier.
    pdf = client.get(reverse("reconciliation:statement-pdf", args=[statement.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("reconciliation:statement-xlsx", args=[statement.pk]))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
