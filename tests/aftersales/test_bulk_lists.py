"""Bulk work and exports on the after-sales lists: cases, refunds and complaints (the filter applied)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from aftersales.models import AftersalesCase, Refund
from aftersales.services import case_approve, case_register, complaint_register, refund_record

pytestmark = pytest.mark.django_db


def sheet_rows(response) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def compensation(order, user, reason, amount="50.00"):
    return case_register(
        order_id=order.pk,
        case_type="compensation",
        reason_id=reason.pk,
        by=user,
        lines=[],
        compensation_applies=True,
        supplier_share="0",
        platform_share=amount,
    )


def test_cases_approved_in_bulk_each_reported(client_for, ops_user, shipped_order, late):
    cases = [compensation(shipped_order, ops_user, late, "1.00") for _ in range(3)]
    case_approve(case_id=cases[0].pk, by=ops_user)
    client = client_for(ops_user)
    page = client.get("/aftersales/").content.decode()
    assert 'data-testid="bulk-approve"' in page and "3 cases match" in page
    confirm = client.post("/aftersales/", {"action": "approve", "ids": [c.pk for c in cases]})
    assert "Approve: 3 cases. Go ahead?" in confirm.content.decode()
    result = client.post(
        "/aftersales/", {"action": "approve", "ids": [c.pk for c in cases], "confirmed": "1"}
    )
    assert result.context["summary"] == {"done": 2, "refused": 1, "total": 3}
    assert [r["label"] for r in result.context["rows"] if not r["ok"]] == [cases[0].number]
    assert set(AftersalesCase.objects.values_list("status", flat=True)) == {"approved"}


def test_large_refunds_approved_in_bulk_by_the_finance_manager_only(
    client_for, ops_user, finance_user, finance_manager_user, shipped_order, late, settings
):
    settings.OMS_LARGE_REFUND_AMOUNT = "10.00"
    refunds = []
    for _ in range(2):
        case = compensation(shipped_order, ops_user, late)
        case_approve(case_id=case.pk, by=ops_user)
        refunds.append(refund_record(case_id=case.pk, amount="50.00", by=finance_user))
    data = {"action": "approve", "ids": [r.pk for r in refunds], "confirmed": "1"}
    assert client_for(finance_user).post("/aftersales/refunds/", data).status_code == 403
    result = client_for(finance_manager_user).post("/aftersales/refunds/", data)
    assert result.context["summary"]["done"] == 2
    assert set(Refund.objects.values_list("status", flat=True)) == {"completed"}


def test_refund_export_follows_the_state_filter(
    client_for, ops_user, finance_user, shipped_order, late, settings
):
    settings.OMS_LARGE_REFUND_AMOUNT = "10.00"
    case = compensation(shipped_order, ops_user, late)
    case_approve(case_id=case.pk, by=ops_user)
    refund_record(case_id=case.pk, amount="50.00", by=finance_user)
    small = compensation(shipped_order, ops_user, late, "5.00")
    case_approve(case_id=small.pk, by=ops_user)
    refund_record(case_id=small.pk, amount="5.00", by=finance_user)
    client = client_for(finance_user)
    waiting = sheet_rows(
        client.get("/aftersales/refunds/", {"status": "awaiting_approval", "export": "xlsx"})
    )
    assert [(r[1], r[4]) for r in waiting[1:]] == [(case.number, 50)]
    every = sheet_rows(client.get("/aftersales/refunds/", {"status": "all", "export": "xlsx"}))
    assert sorted(r[1] for r in every[1:]) == sorted([case.number, small.number])


def test_complaint_export_follows_the_filter_masks_the_customer_and_links_the_order(
    client_for, ops_user, shipped_order
):
    for kind, subject in (("complaint", "Late parcel"), ("inquiry", "Invoice?")):
        complaint_register(
            kind=kind,
            category="delivery",
            customer_id=shipped_order.customer_id,
            order_id=shipped_order.pk,
            subject=subject,
            by=ops_user,
        )
    client = client_for(ops_user)
    rows = sheet_rows(client.get("/aftersales/complaints/", {"kind": "complaint", "export": "xlsx"}))
    assert [r[4] for r in rows[1:]] == ["Late parcel"]
    assert rows[1][6] == shipped_order.number
    assert rows[1][5] != shipped_order.customer.name  # masked
    page = client.get("/aftersales/complaints/").content.decode()
    assert f'href="/orders/{shipped_order.pk}/"' in page
