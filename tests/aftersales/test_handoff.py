"""Each case page says who acts next and why; a new case, complaint or refund shows on its timeline."""

from __future__ import annotations

import pytest

from aftersales.services import case_approve, case_register, complaint_register, refund_record

pytestmark = pytest.mark.django_db


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


def next_step_text(client, case) -> str:
    page = client.get(f"/aftersales/{case.pk}/")
    return " ".join(str(page.context["next_step"].role).split()), str(page.context["next_step"].why)


def test_the_case_page_names_the_next_role_and_why_through_the_states(
    client_for, ops_user, finance_user, finance_manager_user, shipped_order, late, settings
):
    settings.OMS_LARGE_REFUND_AMOUNT = "10.00"
    client = client_for(ops_user)
    case = compensation(shipped_order, ops_user, late)
    assert next_step_text(client, case) == ("Operations", "Check the request: approve or reject it.")
    page = client.get(f"/aftersales/{case.pk}/").content.decode()
    assert 'data-testid="next-step"' in page and "Next: Operations" in page
    case_approve(case_id=case.pk, by=ops_user)
    assert next_step_text(client, case) == ("Finance", "Record the compensation paid to the customer.")
    refund_record(case_id=case.pk, amount="50.00", by=finance_user)
    assert next_step_text(client, case) == ("Finance manager", "A refund above the limit waits for approval.")


def test_new_case_refund_and_complaint_show_on_their_timelines(
    client_for, ops_user, finance_user, shipped_order, late
):
    client = client_for(ops_user)
    case = compensation(shipped_order, ops_user, late, "5.00")
    page = client.get(f"/aftersales/{case.pk}/").content.decode()
    assert "Registered" in page and f"order {shipped_order.number}" in page
    case_approve(case_id=case.pk, by=ops_user)
    refund_record(case_id=case.pk, amount="5.00", by=finance_user)
    page = client.get(f"/aftersales/{case.pk}/").content.decode()
    assert "Refund recorded" in page and "Refund of 5.00 recorded (Completed)" in page
    complaint = complaint_register(
        kind="complaint",
        category="delivery",
        customer_id=shipped_order.customer_id,
        subject="Late",
        by=ops_user,
    )
    page = client.get(f"/aftersales/complaints/{complaint.pk}/").content.decode()
    assert "Recorded: Complaint, Delivery" in page
