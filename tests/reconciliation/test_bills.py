"""Supplier bills: XLSX import, bad rows reported row by row (nothing matched until the clerk chooses),
matching the good rows only, a new bill replacing the last one's results and adjustments."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reconciliation.choices import ItemKind, MatchKind
from reconciliation.exceptions import StatementNotEditable
from reconciliation.models import BillMatch, ReconcilableItem, SupplierBill
from reconciliation.selectors import ItemFilter
from reconciliation.services import (
    bill_match_resolve,
    bill_match_start,
    bill_upload,
    mapping_save,
    statement_create,
    statement_select,
)

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def draft(supplier, cup, receive, finance_user):
    receive(cup, 4, "PO-1")  # 50.00
    receive(cup, 2, "PO-2")  # 25.00
    statement = statement_create(supplier_id=supplier.pk, by=finance_user)
    statement_select(statement_id=statement.pk, filters=ItemFilter())
    mapping_save(
        supplier_id=supplier.pk,
        columns={"reference": "Ref", "sku": "SKU", "quantity": "Qty", "amount": "Amount", "date": ""},
    )
    return statement


def upload_and_match(statement, content: bytes, name: str, user, capture, skip: bool = False) -> SupplierBill:
    bill = bill_upload(statement_id=statement.pk, upload=SimpleUploadedFile(name, content), by=user)
    with capture(execute=True):
        bill_match_start(bill_id=bill.pk, skip_bad_rows=skip, by=user)
    bill.refresh_from_db()
    return bill


def test_bad_rows_are_reported_row_by_row_and_nothing_is_matched(
    draft, finance_user, django_capture_on_commit_callbacks
):
    content = xlsx(
        [
            ["Ref", "SKU", "Qty", "Amount"],
            ["PO-1", "CUP-02", 4, 50],
            ["", "CUP-02", 1, 9],
            ["PO-2", "CUP-02", "two", "25"],
        ]
    )
    bill = upload_and_match(draft, content, "bill.xlsx", finance_user, django_capture_on_commit_callbacks)
    assert bill.status == "invalid"
    assert [(r["row"], r["errors"]) for r in bill.bad_rows] == [
        (3, ["the shipment / order number is empty"]),
        (4, ["quantity “two” is not a whole number"]),
    ]
    assert not BillMatch.objects.exists() and not bill.lines.exists()

    with django_capture_on_commit_callbacks(execute=True):
        bill_match_start(bill_id=bill.pk, skip_bad_rows=True, by=finance_user)
    bill.refresh_from_db()
    assert bill.status == "matched" and bill.counts == {"matched": 1, "ours_only": 1}
    assert bill.row_count == 3 and len(bill.bad_rows) == 2


def test_a_new_bill_replaces_the_last_results_and_their_adjustments(
    draft, finance_user, django_capture_on_commit_callbacks
):
    first = xlsx([["Ref", "SKU", "Qty", "Amount"], ["PO-1", "CUP-02", 4, "52.00"], ["PO-2", "CUP-02", 2, 25]])
    bill = upload_and_match(draft, first, "v1.xlsx", finance_user, django_capture_on_commit_callbacks)
    difference = BillMatch.objects.get(bill=bill, kind=MatchKind.AMOUNT)
    bill_match_resolve(match_id=difference.pk, resolution="accept_theirs", by=finance_user)
    draft.refresh_from_db()
    assert draft.total == Decimal("77.00")
    assert ReconcilableItem.objects.filter(kind=ItemKind.ADJUSTMENT).count() == 1

    second = b"Ref,SKU,Qty,Amount\nPO-1,CUP-02,4,50.00\nPO-2,CUP-02,2,25.00\n"
    bill2 = upload_and_match(draft, second, "v2.csv", finance_user, django_capture_on_commit_callbacks)
    assert bill2.counts == {"matched": 2}
    draft.refresh_from_db()
    assert draft.total == Decimal("75.00") and draft.line_count == 2
    assert not ReconcilableItem.objects.filter(kind=ItemKind.ADJUSTMENT).exists()
    assert set(BillMatch.objects.values_list("bill_id", flat=True)) == {bill2.pk}


def test_no_bill_on_a_submitted_statement(draft, finance_user):
    from reconciliation.services import statement_submit

    statement_submit(statement_id=draft.pk, by=finance_user)
    with pytest.raises(StatementNotEditable):
        bill_upload(
            statement_id=draft.pk,
            upload=SimpleUploadedFile("x.csv", b"Ref,Amount\nPO-1,1\n"),
            by=finance_user,
        )
    assert not SupplierBill.objects.exists()


def test_a_rejection_drops_the_bill_results_and_their_adjustments_until_matched_again(
    draft, finance_user, finance_manager_user, django_capture_on_commit_callbacks
):
    from reconciliation.exceptions import BillNotMatched
    from reconciliation.services import statement_reject, statement_reopen, statement_submit

    # Given a matched bill whose amount difference was accepted as an adjustment line, submitted
    content = b"Ref,SKU,Qty,Amount\nPO-1,CUP-02,4,52.00\nPO-2,CUP-02,2,25.00\n"
    bill = upload_and_match(draft, content, "v1.csv", finance_user, django_capture_on_commit_callbacks)
    difference = BillMatch.objects.get(bill=bill, kind=MatchKind.AMOUNT)
    bill_match_resolve(match_id=difference.pk, resolution="accept_theirs", by=finance_user)
    statement_submit(statement_id=draft.pk, by=finance_user)

    # When it is rejected and reopened
    statement_reject(statement_id=draft.pk, reason="重新核对", by=finance_manager_user)
    assert not BillMatch.objects.exists()
    assert not ReconcilableItem.objects.filter(kind=ItemKind.ADJUSTMENT).exists()
    bill.refresh_from_db()
    assert (bill.status, bill.counts) == ("uploaded", {})
    statement = statement_reopen(statement_id=draft.pk, by=finance_user)
    assert (statement.total, statement.line_count) == (Decimal("75.00"), 2)

    # Then submitting before the bill is matched again is refused, and nothing changes
    with pytest.raises(BillNotMatched) as refused:
        statement_submit(statement_id=draft.pk, by=finance_user)
    assert "v1.csv" in refused.value.message
    draft.refresh_from_db()
    assert draft.status == "draft"

    # And matching again gives the same results, to be resolved once more
    with django_capture_on_commit_callbacks(execute=True):
        bill_match_start(bill_id=bill.pk, by=finance_user)
    bill.refresh_from_db()
    assert bill.status == "matched" and bill.counts == {"matched": 1, "amount": 1}
