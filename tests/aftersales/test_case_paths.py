"""Every after-sales case type walked through its paths, the refused steps included, with the stock and money
invariants checked after each path (DESIGN.md invariants 1, 2 and 4)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.choices import CaseStatus, RefundStatus
from aftersales.exceptions import QuantityTooHigh, RefundTooHigh
from aftersales.models import AftersalesCase, CaseLine, Refund, SupplierCharge
from aftersales.selectors import refundable_for_order
from aftersales.services import (
    LineRequest,
    case_approve,
    case_close,
    case_inspect,
    case_receive_return,
    case_register,
    case_reject,
    case_send_replacement,
    refund_record,
)
from fulfillment.models import Shipment
from fulfillment.services import shipments_create_for_order
from inventory.models import Reservation, StockLevel
from inventory.selectors import stock_drift
from oms.exceptions import IllegalTransition
from oms.models import OutboxMessage
from orders.models import Order
from orders.services import order_allocate, order_approve
from tests.factories import SKUFactory, stock_in

pytestmark = pytest.mark.django_db


def register(order, user, reason, *, case_type, quantity=1, replacement_sku=None, **extra):
    line = order.lines.get()
    return case_register(
        order_id=order.pk,
        case_type=case_type,
        lines=[
            LineRequest(
                order_line_id=line.pk,
                quantity=quantity,
                replacement_sku_id=replacement_sku.pk if replacement_sku else None,
            )
        ]
        if quantity
        else [],
        reason_id=reason.pk,
        by=user,
        **extra,
    )


def assert_invariants(order) -> None:
    """Stock never negative, explained by its ledger and reservations; refunds never above what was paid."""
    assert stock_drift() == []
    assert not StockLevel.objects.filter(on_hand__lt=0).exists()
    for level in StockLevel.objects.all():
        assert 0 <= level.reserved <= level.on_hand, level
    refundable = refundable_for_order(order.pk)
    assert Decimal("0.00") <= refundable.refunded <= refundable.paid


def snapshot(case: AftersalesCase) -> tuple:
    case.refresh_from_db()
    return (
        case.status,
        case.replacement_order_id,
        Refund.objects.filter(case=case).count(),
        SupplierCharge.objects.filter(case=case).count(),
        OutboxMessage.objects.count(),
        Order.objects.count(),
        list(StockLevel.objects.order_by("pk").values_list("on_hand", "reserved", "damaged")),
    )


# --- refund only --------------------------------------------------------------------------------


def test_refund_only_after_shipment_refunds_without_a_return_and_closes(
    shipped_order, ops_user, finance_user, late
):
    # given a shipped order; when a refund-only case is approved, refunded and closed
    case = register(shipped_order, ops_user, late, case_type="refund_only", quantity=1)
    case = case_approve(case_id=case.pk, by=ops_user)
    shipped_order.refresh_from_db()
    # then the shipped order is not held (nothing to stop) and no return is awaited
    assert (case.status, case.stopped_parcel, shipped_order.status) == (
        CaseStatus.APPROVED,
        False,
        "shipped",
    )
    refund = refund_record(case_id=case.pk, amount="199.00", by=finance_user, transaction_ref="ALI-1")
    case_close(case_id=case.pk, by=ops_user)
    case.refresh_from_db()
    assert (refund.status, refund.kind, refund.amount) == (
        RefundStatus.COMPLETED,
        "refund",
        Decimal("199.00"),
    )
    assert case.status == CaseStatus.CLOSED
    assert refundable_for_order(shipped_order.pk).remaining == Decimal("199.00")
    assert_invariants(shipped_order)


def test_refund_only_of_more_than_ordered_is_refused_and_nothing_is_written(unshipped_order, ops_user, late):
    with pytest.raises(QuantityTooHigh):
        register(unshipped_order, ops_user, late, case_type="refund_only", quantity=3)
    assert (AftersalesCase.objects.count(), CaseLine.objects.count()) == (0, 0)


# --- return and refund ----------------------------------------------------------------------------


def test_return_and_refund_walks_to_closed_and_the_stock_comes_back(
    shipped_order, ops_user, warehouse_user, finance_user, warehouse, sku, broken
):
    level = StockLevel.objects.get(sku=sku, warehouse=warehouse)
    on_hand_before = level.on_hand
    case = register(shipped_order, ops_user, broken, case_type="return_refund", quantity=2)
    case = case_approve(case_id=case.pk, by=ops_user)
    assert case.status == CaseStatus.AWAITING_RETURN
    case_receive_return(case_id=case.pk, warehouse_id=warehouse.pk, by=warehouse_user, tracking_number="SF9")
    line = case.lines.get()
    case_inspect(case_id=case.pk, conditions={line.pk: "resellable"}, by=warehouse_user)
    refund_record(case_id=case.pk, amount="398.00", by=finance_user)
    case_close(case_id=case.pk, by=ops_user)
    case.refresh_from_db()
    level.refresh_from_db()
    assert (case.status, case.return_tracking_number) == (CaseStatus.CLOSED, "SF9")
    assert level.on_hand == on_hand_before + 2
    assert refundable_for_order(shipped_order.pk).remaining == Decimal("0.00")
    assert_invariants(shipped_order)


def test_refund_above_what_was_paid_is_refused_and_changes_nothing(
    shipped_order, ops_user, warehouse_user, finance_user, warehouse, broken
):
    case = register(shipped_order, ops_user, broken, case_type="return_refund", quantity=1)
    case_approve(case_id=case.pk, by=ops_user)
    case_receive_return(case_id=case.pk, warehouse_id=warehouse.pk, by=warehouse_user)
    case_inspect(case_id=case.pk, conditions={case.lines.get().pk: "damaged"}, by=warehouse_user)
    before = snapshot(case)
    with pytest.raises(RefundTooHigh):
        refund_record(case_id=case.pk, amount="398.01", by=finance_user)
    assert snapshot(case) == before
    assert_invariants(shipped_order)


def test_approving_twice_is_refused_and_changes_nothing(shipped_order, ops_user, broken):
    case = register(shipped_order, ops_user, broken, case_type="return_refund", quantity=1)
    case_approve(case_id=case.pk, by=ops_user)
    before = snapshot(case)
    with pytest.raises(IllegalTransition) as refused:
        case_approve(case_id=case.pk, by=ops_user)
    assert refused.value.message.startswith(
        f"{case.number} is Awaiting return, so “Approved” is not possible now."
    )
    assert snapshot(case) == before


def test_rejecting_an_approved_case_is_refused_and_changes_nothing(shipped_order, ops_user, broken):
    case = register(shipped_order, ops_user, broken, case_type="return_refund", quantity=1)
    case_approve(case_id=case.pk, by=ops_user)
    before = snapshot(case)
    with pytest.raises(IllegalTransition):
        case_reject(case_id=case.pk, reason="changed my mind", by=ops_user)
    assert snapshot(case) == before


def test_refund_before_the_return_is_inspected_is_refused_and_changes_nothing(
    shipped_order, ops_user, warehouse_user, finance_user, warehouse, broken
):
    case = register(shipped_order, ops_user, broken, case_type="return_refund", quantity=1)
    case_approve(case_id=case.pk, by=ops_user)
    case_receive_return(case_id=case.pk, warehouse_id=warehouse.pk, by=warehouse_user)
    before = snapshot(case)
    with pytest.raises(IllegalTransition):
        refund_record(case_id=case.pk, amount="199.00", by=finance_user)
    assert snapshot(case) == before


# --- exchange -------------------------------------------------------------------------------------


def test_exchange_for_another_sku_returns_the_unit_and_ships_the_other_through_fulfillment(
    shipped_order, ops_user, warehouse_user, warehouse, sku, broken
):
    # given another size in stock
    other = SKUFactory(code="SKU-001-L", price="199.00")
    stock_in(other, warehouse, 5)
    case = register(shipped_order, ops_user, broken, case_type="exchange", quantity=1, replacement_sku=other)
    case = case_approve(case_id=case.pk, by=ops_user)
    assert case.status == CaseStatus.AWAITING_RETURN
    case_receive_return(case_id=case.pk, warehouse_id=warehouse.pk, by=warehouse_user)
    case_inspect(case_id=case.pk, conditions={case.lines.get().pk: "resellable"}, by=warehouse_user)

    # when the replacement is sent
    case = case_send_replacement(case_id=case.pk, by=ops_user)

    # then a free reship order of the other SKU exists, linked to the original, and the original is unchanged
    replacement = case.replacement_order
    assert case.status == CaseStatus.REPLACEMENT_SENT
    assert replacement.reship_of_id == shipped_order.pk
    assert list(replacement.lines.values_list("sku_code", "quantity", "unit_price")) == [
        ("SKU-001-L", 1, Decimal("0.00"))
    ]
    assert Refund.objects.filter(case=case).count() == 0
    assert OutboxMessage.objects.filter(event="aftersales.replacement_sent").count() == 1
    # and fulfillment ships it like any order: allocated, one parcel of the other SKU
    while replacement.status in ("on_review", "finance_review"):
        replacement = order_approve(order_id=replacement.pk)
    replacement = order_allocate(order_id=replacement.pk)
    [parcel] = shipments_create_for_order(order_id=replacement.pk)
    assert list(parcel.lines.values_list("sku__code", "quantity")) == [("SKU-001-L", 1)]
    assert parcel.warehouse_id == warehouse.pk
    assert Reservation.objects.filter(sku=other, status="active").count() == 1
    case_close(case_id=case.pk, by=ops_user)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert_invariants(shipped_order)


def test_exchange_cannot_send_the_replacement_before_the_return_is_inspected(
    shipped_order, ops_user, warehouse_user, warehouse, broken
):
    case = register(shipped_order, ops_user, broken, case_type="exchange", quantity=1)
    case_approve(case_id=case.pk, by=ops_user)
    case_receive_return(case_id=case.pk, warehouse_id=warehouse.pk, by=warehouse_user)
    before = snapshot(case)
    with pytest.raises(IllegalTransition):
        case_send_replacement(case_id=case.pk, by=ops_user)
    assert snapshot(case) == before


def test_an_exchange_is_not_refunded(
    shipped_order, ops_user, warehouse_user, finance_user, warehouse, broken
):
    case = register(shipped_order, ops_user, broken, case_type="exchange", quantity=1)
    case_approve(case_id=case.pk, by=ops_user)
    case_receive_return(case_id=case.pk, warehouse_id=warehouse.pk, by=warehouse_user)
    case_inspect(case_id=case.pk, conditions={case.lines.get().pk: "damaged"}, by=warehouse_user)
    before = snapshot(case)
    with pytest.raises(IllegalTransition) as refused:
        refund_record(case_id=case.pk, amount="10.00", by=finance_user)
    assert refused.value.message == f"Case {case.number} is an exchange: it sends goods, not money."
    assert snapshot(case) == before


# --- reissue --------------------------------------------------------------------------------------


def test_reissue_sends_the_same_sku_again_without_a_return(shipped_order, ops_user, warehouse, sku, broken):
    stock_in(sku, warehouse, 1)
    case = register(shipped_order, ops_user, broken, case_type="reissue", quantity=1)
    case = case_approve(case_id=case.pk, by=ops_user)
    assert case.status == CaseStatus.APPROVED  # no return to wait for
    case = case_send_replacement(case_id=case.pk, by=ops_user)
    replacement = case.replacement_order
    assert case.status == CaseStatus.REPLACEMENT_SENT
    assert list(replacement.lines.values_list("sku_code", "quantity", "unit_price")) == [
        ("SKU-001", 1, Decimal("0.00"))
    ]
    assert sum(p.amount for p in replacement.payments.all()) == Decimal("0.00")
    case_close(case_id=case.pk, by=ops_user)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert_invariants(shipped_order)


def test_reissue_of_more_than_shipped_is_refused(shipped_order, ops_user, broken):
    with pytest.raises(QuantityTooHigh):
        register(shipped_order, ops_user, broken, case_type="reissue", quantity=3)
    assert AftersalesCase.objects.count() == 0


def test_sending_a_replacement_twice_is_refused_and_creates_one_order(
    shipped_order, ops_user, warehouse, sku, broken
):
    stock_in(sku, warehouse, 1)
    case = register(shipped_order, ops_user, broken, case_type="reissue", quantity=1)
    case_approve(case_id=case.pk, by=ops_user)
    case_send_replacement(case_id=case.pk, by=ops_user)
    before = snapshot(case)
    with pytest.raises(IllegalTransition):
        case_send_replacement(case_id=case.pk, by=ops_user)
    assert snapshot(case) == before


# --- compensation ---------------------------------------------------------------------------------


def test_compensation_pays_the_total_and_opens_only_the_suppliers_share(
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
        supplier_share="30.00",
        platform_share="20.00",
    )
    case = case_approve(case_id=case.pk, by=ops_user)
    assert case.status == CaseStatus.APPROVED
    refund = refund_record(case_id=case.pk, amount="50.00", by=finance_user)
    case_close(case_id=case.pk, by=ops_user)
    case.refresh_from_db()
    assert (refund.kind, refund.amount, case.status) == ("compensation", Decimal("50.00"), CaseStatus.CLOSED)
    charge = SupplierCharge.objects.get()
    assert (charge.amount, charge.reconciliation_status) == (Decimal("-30.00"), "open")
    assert refundable_for_order(shipped_order.pk).remaining == Decimal("348.00")
    assert_invariants(shipped_order)


def test_a_rejected_case_writes_no_money_and_no_stock(shipped_order, ops_user, broken):
    case = register(shipped_order, ops_user, broken, case_type="return_refund", quantity=1)
    stock_before = list(StockLevel.objects.order_by("pk").values_list("on_hand", "reserved", "damaged"))
    case = case_reject(case_id=case.pk, reason="photo shows no damage", by=ops_user)
    assert (case.status, case.reject_reason) == (CaseStatus.REJECTED, "photo shows no damage")
    assert (
        list(StockLevel.objects.order_by("pk").values_list("on_hand", "reserved", "damaged")) == stock_before
    )
    assert (Refund.objects.count(), SupplierCharge.objects.count()) == (0, 0)
    assert OutboxMessage.objects.filter(event="aftersales.rejected").count() == 1
    assert Shipment.objects.filter(lines__order_line__order__reship_of=shipped_order).count() == 0
    assert_invariants(shipped_order)


def test_the_orders_after_sales_flag_shows_the_open_case_before_a_closed_one(
    shipped_order, ops_user, finance_user, late
):
    from aftersales.selectors import aftersales_state_for_order

    # given an open case registered before a later case that is already closed
    open_case = register(shipped_order, ops_user, late, case_type="refund_only", quantity=1)
    later = register(
        shipped_order,
        ops_user,
        late,
        case_type="compensation",
        quantity=0,
        compensation_applies=True,
        platform_share="5.00",
    )
    case_approve(case_id=later.pk, by=ops_user)
    refund_record(case_id=later.pk, amount="5.00", by=finance_user)
    case_close(case_id=later.pk, by=ops_user)
    # then the order's flag shows the open case's state, with both counted
    state = aftersales_state_for_order(shipped_order.pk)
    assert (state.latest_status, state.open_cases, state.total_cases) == (
        open_case.status,
        1,
        2,
    )
