"""After-sales services: registration limits, the state machine, money, supplier charges, surveys."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from aftersales.choices import CaseStatus, ReconciliationStatus, RefundStatus
from aftersales.exceptions import (
    ChargeNotAttachable,
    CompensationMismatch,
    QuantityTooHigh,
    RefundTooHigh,
    SupplierRequired,
    SurveyAlreadyAnswered,
    SurveyLinkInvalid,
)
from aftersales.models import AftersalesCase, CaseLine, Refund, SupplierCharge, SurveyResponse
from aftersales.selectors import (
    aftersales_state_for_order,
    open_supplier_charges,
    refundable_for_order,
    shipped_quantity_by_line,
)
from aftersales.services import (
    LineRequest,
    case_approve,
    case_close,
    case_inspect,
    case_receive_return,
    case_register,
    case_reject,
    refund_approve,
    refund_record,
    supplier_charges_attach,
    supplier_charges_detach,
    supplier_charges_mark_reconciled,
    survey_invite_delivered,
    survey_submit,
    survey_token,
    surveys_invite_delivered,
)
from inventory.models import StockLevel
from oms.exceptions import IllegalTransition, PermissionRefused
from oms.models import OutboxMessage
from oms.notes import render_note
from tests.factories import order_through_services

pytestmark = pytest.mark.django_db


def register(order, user, reason, *, case_type="return_refund", quantity=1, **extra):
    line = order.lines.get()
    return case_register(
        order_id=order.pk,
        case_type=case_type,
        lines=[LineRequest(order_line_id=line.pk, quantity=quantity)] if quantity else [],
        reason_id=reason.pk,
        by=user,
        **extra,
    )


def test_register_fills_the_defaults_and_adds_up_the_compensation(shipped_order, ops_user, broken, supplier):
    case = register(
        shipped_order,
        ops_user,
        broken,
        supplier_id=supplier.pk,
        compensation_applies=True,
        supplier_share="30.00",
        platform_share="20.00",
        return_tracking_number="SF123",
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REQUESTED
    assert case.handler == ops_user
    assert case.created_by == ops_user
    assert case.customer_id == shipped_order.customer_id
    assert case.channel_id == shipped_order.channel_id
    assert (case.supplier_share, case.platform_share, case.compensation_total) == (
        Decimal("30.00"),
        Decimal("20.00"),
        Decimal("50.00"),
    )
    assert case.number.startswith("AS") and case.number.endswith(f"{case.pk:04d}")
    assert [(line.sku.code, line.quantity, line.unit_price) for line in case.lines.all()] == [
        ("SKU-001", 1, Decimal("199.00"))
    ]


def test_a_unit_cannot_be_returned_twice(shipped_order, ops_user, broken):
    register(shipped_order, ops_user, broken, quantity=1)
    with pytest.raises(QuantityTooHigh) as refused:
        register(shipped_order, ops_user, broken, quantity=2)
    assert refused.value.message == "Only 1 of SKU-001 can be returned: 2 shipped, 1 already returned."
    assert AftersalesCase.objects.count() == 1
    assert CaseLine.objects.count() == 1


def test_a_rejected_case_frees_its_units(shipped_order, ops_user, broken):
    first = register(shipped_order, ops_user, broken, quantity=2)
    case_reject(case_id=first.pk, reason="No photo of the damage", by=ops_user)
    second = register(shipped_order, ops_user, broken, quantity=2)
    assert second.lines.get().quantity == 2


def test_nothing_can_be_returned_before_shipment(unshipped_order, ops_user, broken):
    assert shipped_quantity_by_line(unshipped_order.pk) == {unshipped_order.lines.get().pk: 0}
    with pytest.raises(QuantityTooHigh) as refused:
        register(unshipped_order, ops_user, broken, quantity=1)
    assert refused.value.message == "Only 0 of SKU-001 can be returned: 0 shipped, 0 already returned."


def test_compensation_needs_a_supplier_for_the_supplier_share(shipped_order, ops_user, late):
    with pytest.raises(SupplierRequired):
        register(
            shipped_order,
            ops_user,
            late,
            case_type="compensation",
            quantity=0,
            compensation_applies=True,
            supplier_share="10.00",
            platform_share="0",
        )
    with pytest.raises(CompensationMismatch):
        register(shipped_order, ops_user, late, case_type="compensation", quantity=0)
    assert AftersalesCase.objects.count() == 0


def test_the_database_refuses_a_total_that_does_not_add_up(shipped_order, ops_user, broken):
    case = register(shipped_order, ops_user, broken)
    with pytest.raises(IntegrityError), transaction.atomic():
        AftersalesCase.objects.filter(pk=case.pk).update(
            compensation_applies=True,
            supplier_share=Decimal("30.00"),
            platform_share=Decimal("20.00"),
            compensation_total=Decimal("60.00"),
        )


def test_refund_before_shipment_holds_the_order(unshipped_order, ops_user, finance_user, late):
    case = register(unshipped_order, ops_user, late, case_type="refund_only", quantity=2)
    case = case_approve(case_id=case.pk, by=ops_user)
    unshipped_order.refresh_from_db()
    assert unshipped_order.status == "on_hold"
    assert render_note(unshipped_order.hold_reason) == f"Refund requested in after-sales case {case.number}"
    assert case.stopped_parcel is True
    refund = refund_record(case_id=case.pk, amount="398.00", by=finance_user)
    case.refresh_from_db()
    assert (refund.status, case.status) == (RefundStatus.COMPLETED, CaseStatus.REFUNDED)


def test_an_illegal_step_is_refused_with_what_is_allowed(
    shipped_order, ops_user, warehouse_user, warehouse, broken
):
    case = register(shipped_order, ops_user, broken)
    with pytest.raises(IllegalTransition) as refused:
        case_receive_return(case_id=case.pk, warehouse_id=warehouse.pk, by=warehouse_user)
    assert refused.value.message == (
        f"{case.number} is Requested, so “Return received” is not possible now. Possible now: Approved, Rejected."
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.REQUESTED


def test_the_warehouse_cannot_approve_a_case(shipped_order, ops_user, warehouse_user, broken):
    case = register(shipped_order, ops_user, broken)
    with pytest.raises(PermissionRefused):
        case_approve(case_id=case.pk, by=warehouse_user)
    case.refresh_from_db()
    assert case.status == CaseStatus.REQUESTED


def returned_and_inspected(
    order, ops_user, warehouse_user, warehouse, reason, *, condition="resellable", **extra
):
    case = register(order, ops_user, reason, **extra)
    case_approve(case_id=case.pk, by=ops_user)
    case_receive_return(case_id=case.pk, warehouse_id=warehouse.pk, by=warehouse_user)
    line = case.lines.get()
    return case_inspect(case_id=case.pk, conditions={line.pk: condition}, by=warehouse_user)


def test_resellable_return_goes_back_on_hand(shipped_order, ops_user, warehouse_user, warehouse, sku, broken):
    level = StockLevel.objects.get(sku=sku, warehouse=warehouse)
    before = (level.on_hand, level.damaged)
    case = returned_and_inspected(shipped_order, ops_user, warehouse_user, warehouse, broken)
    level.refresh_from_db()
    assert case.status == CaseStatus.INSPECTED
    assert (level.on_hand, level.damaged) == (before[0] + 1, before[1])


def test_damaged_return_goes_to_the_damaged_bucket(
    shipped_order, ops_user, warehouse_user, warehouse, sku, broken
):
    level = StockLevel.objects.get(sku=sku, warehouse=warehouse)
    before = (level.on_hand, level.damaged)
    returned_and_inspected(shipped_order, ops_user, warehouse_user, warehouse, broken, condition="damaged")
    level.refresh_from_db()
    assert (level.on_hand, level.damaged) == (before[0], before[1] + 1)


def test_refund_cannot_exceed_paid_minus_earlier_refunds(
    shipped_order,
    ops_user,
    warehouse_user,
    finance_user,
    warehouse,
    broken,
    django_capture_on_commit_callbacks,
):
    from orders.models import RefundRecord

    RefundRecord.objects.create(order=shipped_order, amount=Decimal("100.00"), reason="goodwill")
    case = returned_and_inspected(shipped_order, ops_user, warehouse_user, warehouse, broken)
    outbox_before = OutboxMessage.objects.count()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RefundTooHigh) as refused:
        refund_record(case_id=case.pk, amount="298.01", by=finance_user)
    assert refused.value.message == (
        "At most 298.00 CNY can be refunded: 398.00 paid, 100.00 already refunded (298.01 asked)."
    )
    assert callbacks == []
    assert Refund.objects.count() == 0
    assert OutboxMessage.objects.count() == outbox_before
    case.refresh_from_db()
    assert case.status == CaseStatus.INSPECTED
    assert refundable_for_order(shipped_order.pk).remaining == Decimal("298.00")


def test_large_refund_waits_for_the_finance_manager(
    shipped_order, ops_user, warehouse_user, finance_user, finance_manager_user, warehouse, broken, settings
):
    settings.OMS_LARGE_REFUND_AMOUNT = "100.00"
    case = returned_and_inspected(shipped_order, ops_user, warehouse_user, warehouse, broken)
    refund = refund_record(case_id=case.pk, amount="199.00", by=finance_user)
    case.refresh_from_db()
    assert (refund.status, case.status) == (RefundStatus.AWAITING_APPROVAL, CaseStatus.INSPECTED)
    with pytest.raises(PermissionRefused):
        refund_approve(refund_id=refund.pk, by=finance_user)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.AWAITING_APPROVAL
    refund_approve(refund_id=refund.pk, by=finance_manager_user)
    refund.refresh_from_db()
    case.refresh_from_db()
    assert (refund.status, refund.approved_by, case.status) == (
        RefundStatus.COMPLETED,
        finance_manager_user,
        CaseStatus.REFUNDED,
    )
    assert OutboxMessage.objects.filter(event="aftersales.refunded", recipient="13812345678").count() == 1


def test_compensation_opens_the_supplier_share_for_reconciliation(
    shipped_order, ops_user, finance_user, supplier, late
):
    case = register(
        shipped_order,
        ops_user,
        late,
        case_type="compensation",
        quantity=0,
        supplier_id=supplier.pk,
        compensation_applies=True,
        supplier_share="15.00",
        platform_share="5.00",
    )
    case_approve(case_id=case.pk, by=ops_user)
    assert SupplierCharge.objects.count() == 0
    refund = refund_record(case_id=case.pk, amount="20.00", by=finance_user)
    case.refresh_from_db()
    assert (refund.kind, case.status) == ("compensation", CaseStatus.COMPENSATED)
    charge = SupplierCharge.objects.get()
    assert (charge.supplier, charge.case, charge.amount, charge.reconciliation_status) == (
        supplier,
        case,
        Decimal("-15.00"),
        ReconciliationStatus.OPEN,
    )
    assert list(open_supplier_charges(supplier.pk)) == [charge]
    case_close(case_id=case.pk, by=ops_user)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    invite = OutboxMessage.objects.get(event="aftersales.survey_case")
    assert "/aftersales/survey/" in invite.body


@pytest.fixture
def two_charges(shipped_order, ops_user, finance_user, supplier, late):
    charges = []
    for _n in range(2):
        case = register(
            shipped_order,
            ops_user,
            late,
            case_type="compensation",
            quantity=0,
            supplier_id=supplier.pk,
            compensation_applies=True,
            supplier_share="10.00",
            platform_share="0.00",
        )
        case_approve(case_id=case.pk, by=ops_user)
        refund_record(case_id=case.pk, amount="10.00", by=finance_user)
        charges.append(case.supplier_charge)
    return charges


def test_charges_go_on_one_statement_only_and_are_reconciled_once(two_charges, supplier):
    first, second = two_charges
    supplier_charges_attach(charge_ids=[first.pk, second.pk], statement_id=7)
    assert list(open_supplier_charges(supplier.pk)) == []
    with pytest.raises(ChargeNotAttachable) as refused:
        supplier_charges_attach(charge_ids=[first.pk], statement_id=8)
    assert refused.value.message == (
        f"Supplier charge {first.pk} (case {first.case_id}) is already on statement 7; remove it there first."
    )
    assert supplier_charges_detach(statement_id=7) == 2
    assert list(open_supplier_charges(supplier.pk)) == [first, second]
    supplier_charges_attach(charge_ids=[first.pk], statement_id=8)
    assert supplier_charges_mark_reconciled(statement_id=8, on_date=date(2026, 11, 30)) == 1
    first.refresh_from_db()
    assert (first.reconciliation_status, first.statement_id, first.reconciled_at) == (
        ReconciliationStatus.RECONCILED,
        8,
        date(2026, 11, 30),
    )
    with pytest.raises(ChargeNotAttachable):
        supplier_charges_mark_reconciled(statement_id=8, on_date=date(2026, 12, 1))
    with pytest.raises(ChargeNotAttachable):
        supplier_charges_attach(charge_ids=[first.pk, second.pk], statement_id=9)
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.reconciliation_status, second.statement_id) == (ReconciliationStatus.OPEN, None)
    assert first.reconciled_at == date(2026, 11, 30)


def test_survey_answers_once_per_link(shipped_order):
    token = survey_token(order_id=shipped_order.pk)
    response = survey_submit(token=token, score=4, comment="快")
    assert (response.context, response.order_id, response.score) == ("delivery", shipped_order.pk, 4)
    with pytest.raises(SurveyAlreadyAnswered):
        survey_submit(token=token, score=1)
    with pytest.raises(SurveyLinkInvalid):
        survey_submit(token=token + "x", score=5)
    assert SurveyResponse.objects.count() == 1


def test_survey_invites_skip_customers_who_asked_not_to_be_contacted(shipped_order, sku, warehouse):
    # given two delivered orders, one of a customer marked do-not-contact
    from orders.services import order_mark_delivered

    quiet = order_through_services(lines=[(sku, 1, "199.00")], warehouse=warehouse, phone="13900001111")
    quiet.customer.do_not_contact = True
    quiet.customer.save(update_fields=["do_not_contact"])
    for order in (shipped_order, quiet):
        order_mark_delivered(order_id=order.pk)
    OutboxMessage.objects.all().delete()
    # when the daily survey invitations run
    invited = surveys_invite_delivered(days=3)
    # then only the other customer is asked, and the quiet customer's order is not invited
    assert invited == 1
    assert list(OutboxMessage.objects.values_list("event", "dedupe_key")) == [
        ("aftersales.survey_delivery", f"aftersales:survey:order:{shipped_order.pk}")
    ]
    assert survey_invite_delivered(order_id=quiet.pk) is None


def test_order_shows_its_aftersales_state(shipped_order, ops_user, broken):
    assert aftersales_state_for_order(shipped_order.pk) is None
    case = register(shipped_order, ops_user, broken)
    state = aftersales_state_for_order(shipped_order.pk)
    assert (state.open_cases, state.total_cases, state.latest_status) == (1, 1, "requested")
    case_reject(case_id=case.pk, reason="duplicate", by=ops_user)
    state = aftersales_state_for_order(shipped_order.pk)
    assert (state.open_cases, state.latest_status, state.latest_label) == (0, "rejected", "Rejected")
