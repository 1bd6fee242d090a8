"""Reconciliation services: collecting items once, building a draft, the state machine and its refusals,
balances (reconciled + remaining = total), settlements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.models import SupplierCharge
from inventory.models import SupplierSKU
from oms.audit import timeline_for
from oms.exceptions import IllegalTransition, PermissionRefused
from oms.models import OutboxMessage
from reconciliation import selectors
from reconciliation.choices import ItemKind, ItemStatus, StatementStatus
from reconciliation.exceptions import (
    ItemsNotAvailable,
    ReasonRequired,
    SettlementInvalid,
    StatementEmpty,
    StatementNotEditable,
)
from reconciliation.models import ReconcilableItem, StatementLine, SupplierStatement
from reconciliation.selectors import ItemFilter
from reconciliation.services import (
    items_collect,
    settlement_record,
    statement_approve,
    statement_create,
    statement_deselect,
    statement_reject,
    statement_reopen,
    statement_select,
    statement_submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sources(receive, drop_ship, compensation, bowl, cup):
    """Two receipts (4 × 12.50, 10 × 12.50), one drop-ship of 3 bowls at 30.00, one charge of −30.00."""
    receive(cup, 4, "PO-1001")
    receive(cup, 10, "PO-1002")
    shipment = drop_ship(bowl, 3)
    charge = compensation("30.00")
    return shipment, charge


def amounts(statement_id):
    return sorted(ReconcilableItem.objects.filter(statement_id=statement_id).values_list("kind", "amount"))


def test_collect_takes_each_source_once_with_the_agreed_cost(sources, supplier, bowl):
    shipment, charge = sources
    first = items_collect()
    assert first == {"drop_ship": 1, "receipt": 2, "aftersales": 1}
    assert items_collect() == {"drop_ship": 0, "receipt": 0, "aftersales": 0}
    drop = ReconcilableItem.objects.get(kind=ItemKind.DROP_SHIP)
    assert (drop.reference, drop.order_number, drop.sku_code, drop.quantity, drop.unit_cost, drop.amount) == (
        shipment.number,
        shipment.order.number,
        "BOWL-01",
        3,
        Decimal("30.00"),
        Decimal("90.00"),
    )
    # The cost is a snapshot: a later price change does not change what was shipped.
    SupplierSKU.objects.filter(sku=bowl).update(cost="35.00")
    items_collect()
    drop.refresh_from_db()
    assert drop.amount == Decimal("90.00")
    after = ReconcilableItem.objects.get(kind=ItemKind.AFTERSALES)
    assert (after.supplier_charge_id, after.amount, after.status) == (
        charge.pk,
        Decimal("-30.00"),
        ItemStatus.OPEN,
    )
    assert sorted(
        ReconcilableItem.objects.filter(kind=ItemKind.RECEIPT).values_list("reference", "amount")
    ) == [
        ("PO-1001", Decimal("50.00")),
        ("PO-1002", Decimal("125.00")),
    ]


def test_selection_moves_items_and_keeps_the_total_the_sum_of_the_lines(sources, supplier, finance_user):
    statement = statement_create(supplier_id=supplier.pk, by=finance_user)
    assert statement.number.startswith("DZ") and statement.status == StatementStatus.DRAFT
    totals = statement_select(statement_id=statement.pk, filters=ItemFilter(), by=finance_user)
    assert (totals.total, totals.line_count, totals.changed) == (Decimal("235.00"), 4, 4)
    charge = SupplierCharge.objects.get()
    assert (charge.reconciliation_status, charge.statement_id) == ("in_statement", statement.pk)

    receipts = list(ReconcilableItem.objects.filter(kind=ItemKind.RECEIPT).values_list("pk", flat=True))
    totals = statement_deselect(statement_id=statement.pk, item_ids=receipts, by=finance_user)
    assert (totals.total, totals.line_count, totals.changed) == (Decimal("60.00"), 2, 2)
    assert set(ReconcilableItem.objects.filter(pk__in=receipts).values_list("status", "statement_id")) == {
        (ItemStatus.OPEN, None)
    }
    totals = statement_deselect(statement_id=statement.pk, filters=ItemFilter(kind=ItemKind.AFTERSALES))
    assert (totals.total, totals.line_count) == (Decimal("90.00"), 1)
    charge.refresh_from_db()
    assert (charge.reconciliation_status, charge.statement_id) == ("open", None)

    totals = statement_select(statement_id=statement.pk, filters=ItemFilter(q="PO-1002"))
    assert (totals.total, totals.line_count, totals.changed) == (Decimal("215.00"), 2, 1)
    statement.refresh_from_db()
    line_sum = sum(StatementLine.objects.filter(statement=statement).values_list("amount", flat=True))
    assert statement.total == line_sum == Decimal("215.00")


def test_an_item_on_one_statement_cannot_go_on_another(sources, supplier, finance_user):
    items_collect()
    first = statement_create(supplier_id=supplier.pk, by=finance_user)
    second = statement_create(supplier_id=supplier.pk, by=finance_user)
    item = ReconcilableItem.objects.filter(kind=ItemKind.RECEIPT).first()
    statement_select(statement_id=first.pk, item_ids=[item.pk])
    with pytest.raises(ItemsNotAvailable):
        statement_select(statement_id=second.pk, item_ids=[item.pk])
    assert StatementLine.objects.filter(statement=second).count() == 0
    second.refresh_from_db()
    assert (second.total, second.line_count) == (Decimal("0.00"), 0)
    # "Select all" on the second only takes what is still open.
    totals = statement_select(statement_id=second.pk, filters=ItemFilter())
    assert totals.changed == 3 and item.pk not in set(
        StatementLine.objects.filter(statement=second).values_list("item_id", flat=True)
    )


def test_submit_notifies_finance_managers_and_approval_reconciles_everything(
    sources, supplier, finance_user, finance_manager_user, django_capture_on_commit_callbacks
):
    finance_manager_user.email = "boss@example.com"
    finance_manager_user.save()
    statement = statement_create(supplier_id=supplier.pk, by=finance_user)
    statement_select(statement_id=statement.pk, filters=ItemFilter())
    with django_capture_on_commit_callbacks() as callbacks:
        statement_submit(statement_id=statement.pk, by=finance_user)
    assert len(callbacks) == 1
    message = OutboxMessage.objects.get(event="reconciliation.statement_submitted")
    assert message.recipient == "boss@example.com" and statement.number in message.subject

    statement = statement_approve(statement_id=statement.pk, by=finance_manager_user)
    today = timezone.localdate()
    assert (statement.status, statement.reconciled_on, statement.total) == (
        StatementStatus.APPROVED,
        today,
        Decimal("235.00"),
    )
    assert set(ReconcilableItem.objects.values_list("status", "reconciled_at")) == {
        (ItemStatus.RECONCILED, today)
    }
    charge = SupplierCharge.objects.get()
    assert (charge.reconciliation_status, charge.reconciled_at) == ("reconciled", today)
    timeline = [e.title for e in timeline_for(statement)]
    assert "Submit" in timeline and "Approve" in timeline


def test_a_plain_finance_user_cannot_approve_and_nothing_changes(sources, supplier, finance_user):
    statement = statement_create(supplier_id=supplier.pk, by=finance_user)
    statement_select(statement_id=statement.pk, filters=ItemFilter())
    statement_submit(statement_id=statement.pk, by=finance_user)
    with pytest.raises(PermissionRefused):
        statement_approve(statement_id=statement.pk, by=finance_user)
    statement.refresh_from_db()
    assert (statement.status, statement.approved_at, statement.reconciled_on) == (
        StatementStatus.SUBMITTED,
        None,
        None,
    )
    assert set(ReconcilableItem.objects.values_list("status", flat=True)) == {ItemStatus.IN_STATEMENT}
    assert SupplierCharge.objects.get().reconciliation_status == "in_statement"


def test_operations_never_hold_the_approval_permission(ops_user, finance_user, finance_manager_user):
    assert not ops_user.has_perm("reconciliation.approve_statement")
    assert not finance_user.has_perm("reconciliation.approve_statement")
    assert finance_manager_user.has_perm("reconciliation.approve_statement")
    assert finance_manager_user.has_perm("reconciliation.add_supplierstatement")
    assert not ops_user.has_perm("reconciliation.view_supplierstatement")


def test_empty_statement_cannot_be_submitted(supplier, finance_user):
    statement = statement_create(supplier_id=supplier.pk, by=finance_user)
    with pytest.raises(StatementEmpty):
        statement_submit(statement_id=statement.pk, by=finance_user)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.DRAFT


def test_reject_needs_a_reason_then_the_clerk_reopens_and_edits(
    sources, supplier, finance_user, finance_manager_user
):
    statement = statement_create(supplier_id=supplier.pk, by=finance_user)
    statement_select(statement_id=statement.pk, filters=ItemFilter())
    statement_submit(statement_id=statement.pk, by=finance_user)
    with pytest.raises(ReasonRequired):
        statement_reject(statement_id=statement.pk, reason="  ", by=finance_manager_user)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.SUBMITTED
    statement = statement_reject(
        statement_id=statement.pk, reason="PO-1002 数量不对", by=finance_manager_user
    )
    assert (statement.status, statement.reject_reason) == (StatementStatus.REJECTED, "PO-1002 数量不对")
    with pytest.raises(StatementNotEditable):
        statement_deselect(statement_id=statement.pk, filters=ItemFilter(q="PO-1002"))
    statement = statement_reopen(statement_id=statement.pk, by=finance_user)
    assert (statement.status, statement.restored, statement.released) == (StatementStatus.DRAFT, 4, 4)
    assert (statement.total, statement.line_count) == (Decimal("235.00"), 4)
    totals = statement_deselect(statement_id=statement.pk, filters=ItemFilter(q="PO-1002"))
    assert (totals.total, totals.line_count) == (Decimal("110.00"), 3)
    with pytest.raises(IllegalTransition):
        statement_approve(statement_id=statement.pk, by=finance_manager_user)


def test_balances_reconciled_plus_remaining_is_total_and_settlement_closes(
    sources, supplier, other_supplier, receive, cup, finance_user, finance_manager_user
):
    receive(cup, 2, "PO-OTHER", "8.00", supplier_obj=other_supplier)
    statement = statement_create(supplier_id=supplier.pk, by=finance_user)
    statement_select(statement_id=statement.pk, filters=ItemFilter(kind=ItemKind.RECEIPT))
    statement_submit(statement_id=statement.pk, by=finance_user)
    statement_approve(statement_id=statement.pk, by=finance_manager_user)
    items_collect()
    balances = {b.supplier.code: b for b in selectors.supplier_balances([supplier, other_supplier])}
    ours = balances["SUP-JDZ"]
    assert (ours.total, ours.reconciled, ours.remaining, ours.open_items) == (
        Decimal("235.00"),
        Decimal("175.00"),
        Decimal("60.00"),
        2,
    )
    for balance in balances.values():
        assert balance.reconciled + balance.remaining == balance.total
    assert (balances["SUP-HZ"].total, balances["SUP-HZ"].remaining) == (Decimal("16.00"), Decimal("16.00"))

    with pytest.raises(SettlementInvalid):
        settlement_record(
            statement_id=statement.pk,
            paid_on=date(2026, 11, 5),
            amount="200.00",
            reference="B1",
            by=finance_user,
        )
    settlement_record(
        statement_id=statement.pk, paid_on=date(2026, 11, 5), amount="100.00", reference="B1", by=finance_user
    )
    statement.refresh_from_db()
    assert statement.status == StatementStatus.APPROVED
    settlement_record(
        statement_id=statement.pk, paid_on=date(2026, 11, 6), amount="75.00", reference="B2", by=finance_user
    )
    statement.refresh_from_db()
    assert statement.status == StatementStatus.SETTLED
    assert selectors.supplier_balances([supplier])[0].paid == Decimal("175.00")
    assert SupplierStatement.objects.get(pk=statement.pk).total == Decimal("175.00")


def test_a_rejected_statement_frees_its_items_and_reopening_puts_back_what_is_still_free(
    sources, supplier, finance_user, finance_manager_user
):
    # Given a submitted statement holding all four items (and the supplier's after-sales charge)
    first = statement_create(supplier_id=supplier.pk, by=finance_user)
    statement_select(statement_id=first.pk, filters=ItemFilter())
    statement_submit(statement_id=first.pk, by=finance_user)
    held = sorted(ReconcilableItem.objects.filter(statement=first).values_list("pk", flat=True))

    # When the finance manager rejects it
    first = statement_reject(statement_id=first.pk, reason="金额不对", by=finance_manager_user)

    # Then every item is open again, the statement has no lines and its total is their sum (zero)
    assert set(ReconcilableItem.objects.filter(pk__in=held).values_list("status", "statement_id")) == {
        (ItemStatus.OPEN, None)
    }
    assert not StatementLine.objects.filter(statement=first).exists()
    first.refresh_from_db()
    assert (first.status, first.total, first.line_count, first.released_items) == (
        StatementStatus.REJECTED,
        Decimal("0.00"),
        0,
        held,
    )
    charge = SupplierCharge.objects.get()
    assert (charge.reconciliation_status, charge.statement_id) == ("open", None)
    assert "Items freed" in [e.title for e in timeline_for(first)]

    # And another statement may take some of them meanwhile
    second = statement_create(supplier_id=supplier.pk, by=finance_user)
    taken = ReconcilableItem.objects.get(reference="PO-1002")
    statement_select(statement_id=second.pk, item_ids=[taken.pk])

    # When the clerk reopens the rejected statement, it gets back only what is still free
    first = statement_reopen(statement_id=first.pk, by=finance_user)
    assert (first.restored, first.released) == (3, 4)
    first.refresh_from_db()
    assert (first.status, first.total, first.line_count, first.released_items) == (
        StatementStatus.DRAFT,
        Decimal("110.00"),
        3,
        [],
    )
    assert sorted(StatementLine.objects.filter(statement=first).values_list("item_id", flat=True)) == [
        pk for pk in held if pk != taken.pk
    ]
    taken.refresh_from_db()
    assert (taken.status, taken.statement_id) == (ItemStatus.IN_STATEMENT, second.pk)
    charge.refresh_from_db()
    assert (charge.reconciliation_status, charge.statement_id) == ("in_statement", first.pk)
    # Money sums hold: each statement's total is the sum of its lines; nothing is counted twice.
    for statement in (first, second):
        statement.refresh_from_db()
        lines = StatementLine.objects.filter(statement=statement).values_list("amount", flat=True)
        assert statement.total == sum(lines, Decimal("0.00"))
    assert StatementLine.objects.count() == 4


def test_rejecting_a_draft_is_refused_and_nothing_changes(
    sources, supplier, finance_user, finance_manager_user
):
    statement = statement_create(supplier_id=supplier.pk, by=finance_user)
    statement_select(statement_id=statement.pk, filters=ItemFilter())
    with pytest.raises(IllegalTransition):
        statement_reject(statement_id=statement.pk, reason="x", by=finance_manager_user)
    statement.refresh_from_db()
    assert (statement.status, statement.line_count, statement.total, statement.released_items) == (
        StatementStatus.DRAFT,
        4,
        Decimal("235.00"),
        [],
    )
    assert set(ReconcilableItem.objects.values_list("status", flat=True)) == {ItemStatus.IN_STATEMENT}
