"""The statement state machine: submit, approve, reject and reopen (settling is in ``payments``)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import ngettext

from aftersales.services import supplier_charges_mark_reconciled
from oms.audit import log_changes, run_transition
from oms.db import retry_on_conflict
from oms.models import OutboxMessage
from oms.notifications import outbox_enqueue, render_message
from reconciliation import selectors
from reconciliation.choices import BillStatus, ItemKind, ItemStatus
from reconciliation.exceptions import (
    AlreadyReconciled,
    BillNotMatched,
    BillStillMatching,
    ReasonRequired,
    StatementEmpty,
    UnresolvedDifferences,
)
from reconciliation.models import ReconcilableItem, SupplierBill, SupplierStatement
from reconciliation.services._common import _by, _lock_draft, _lock_statement, _refresh_totals, _table
from reconciliation.services.matching import _undo_resolutions
from reconciliation.services.statements import _free_items, _take_items


def _finance_managers():
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(
                groups__permissions__codename="approve_statement",
                groups__permissions__content_type__app_label="reconciliation",
            )
            | Q(user_permissions__codename="approve_statement")
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _check_submittable(statement_id: int, count: int) -> None:
    """Refuse an empty statement, a bill still matching or not matched, and open differences."""
    if count == 0:
        raise StatementEmpty()
    bill = selectors.current_bill(statement_id=statement_id)
    if bill is not None and bill.status == BillStatus.MATCHING:
        raise BillStillMatching()
    if bill is not None and bill.status != BillStatus.MATCHED:
        raise BillNotMatched(bill.original_name)
    open_differences = selectors.unresolved_differences(statement_id=statement_id)
    if open_differences:
        raise UnresolvedDifferences(open_differences)


def _notify_finance_managers(statement: SupplierStatement, *, by) -> None:
    """One e-mail per finance manager through the outbox (sent after commit; once per submission)."""
    stamp = int(statement.submitted_at.timestamp())
    for manager in _finance_managers():
        subject, body = render_message(
            "reconciliation/notifications/statement_submitted.txt",
            {"statement": statement, "supplier": statement.supplier, "by": by},
            language="zh-hans",
        )
        outbox_enqueue(
            channel=OutboxMessage.Channel.EMAIL,
            recipient=manager.email,
            subject=subject,
            body=body,
            language="zh-hans",
            event="reconciliation.statement_submitted",
            dedupe_key=f"statement:{statement.pk}:submitted:{stamp}:{manager.pk}",
        )


@retry_on_conflict
def statement_submit(*, statement_id: int, by=None, note: str = "") -> SupplierStatement:
    """Send a draft to the finance manager. Refused while the bill is matching or differences are open."""
    statement = _lock_draft(statement_id)
    total, count = _refresh_totals(statement_id)
    _check_submittable(statement_id, count)
    statement.total, statement.line_count = total, count
    run_transition(statement, "submit", by=by, note=note)
    statement.submitted_at = timezone.now()
    statement.reject_reason = ""
    statement.save(
        update_fields=["status", "submitted_at", "reject_reason", "total", "line_count", "updated_at"]
    )
    _notify_finance_managers(statement, by=by)
    return statement


def _mark_reconciled(statement_id: int, *, on_date: date, count: int) -> None:
    """Every item of the statement reconciled ``on_date``; refused when any of them already was."""
    item = _table(ReconcilableItem)
    with connection.cursor() as cursor:
        # Lock in id order, then mark; anything already reconciled refuses the whole approval.
        cursor.execute(
            f"""WITH locked AS (SELECT id, status FROM {item} WHERE statement_id = %s ORDER BY id FOR UPDATE)
                SELECT count(*) FILTER (WHERE status = %s), count(*) FROM locked""",  # noqa: S608 - table names from model meta, values are parameters
            [statement_id, ItemStatus.RECONCILED],
        )
        already, on_statement = cursor.fetchone()
        if already:
            raise AlreadyReconciled(already)
        cursor.execute(
            f"UPDATE {item} SET status = %s, reconciled_at = %s WHERE statement_id = %s AND status = %s",  # noqa: S608 - table names from model meta, values are parameters
            [ItemStatus.RECONCILED, on_date, statement_id, ItemStatus.IN_STATEMENT],
        )
        marked = cursor.rowcount
    if marked != count or on_statement != count:
        raise AlreadyReconciled(abs(count - marked) or 1)


@retry_on_conflict
def statement_approve(*, statement_id: int, by=None, note: str = "") -> SupplierStatement:
    """Approve: every item on the statement is reconciled today, in this transaction; never twice."""
    statement = _lock_statement(statement_id)
    run_transition(statement, "approve", by=by, note=note)
    today = timezone.localdate()
    total, count = _refresh_totals(statement_id)
    _mark_reconciled(statement_id, on_date=today, count=count)
    supplier_charges_mark_reconciled(statement_id=statement_id, on_date=today)
    statement.total, statement.line_count = total, count
    statement.approved_by = _by(by)
    statement.approved_at = timezone.now()
    statement.reconciled_on = today
    statement.save(
        update_fields=[
            "status",
            "approved_by",
            "approved_at",
            "reconciled_on",
            "total",
            "line_count",
            "updated_at",
        ]
    )
    return statement


@retry_on_conflict
def statement_reject(*, statement_id: int, reason: str, by=None) -> SupplierStatement:
    """Send a submitted statement back with a reason. Its items are freed at once (open again, so another
    statement may take them); the results of its bill and their adjustment lines go with them. The
    statement remembers which items it held so that reopening it puts back those still free."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    statement = _lock_statement(statement_id)
    run_transition(statement, "reject", by=by, note=reason)
    released = list(
        ReconcilableItem.objects.filter(statement_id=statement_id)
        .exclude(kind=ItemKind.ADJUSTMENT)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    _undo_resolutions(statement_id)
    SupplierBill.objects.filter(statement_id=statement_id, status=BillStatus.MATCHED).update(
        status=BillStatus.UPLOADED, counts={}, matched_at=None
    )
    totals = _free_items(statement_id)
    statement.reject_reason = reason[:500]
    statement.released_items = released
    statement.total, statement.line_count = totals.total, totals.line_count
    statement.save(
        update_fields=["status", "reject_reason", "released_items", "total", "line_count", "updated_at"]
    )
    log_changes(
        instance=statement,
        before={},
        by=by,
        action="items released",
        note=ngettext(
            "%(count)d item is open again.",
            "%(count)d items are open again.",
            len(released),
        )
        % {"count": len(released)},
    )
    return statement


@retry_on_conflict
def statement_reopen(*, statement_id: int, by=None) -> SupplierStatement:
    """A rejected statement becomes a draft again for the clerk to correct, with the items it held that no
    other statement took meanwhile (``restored`` of ``released`` on the returned statement)."""
    statement = _lock_statement(statement_id)
    run_transition(statement, "reopen", by=by)
    released = list(statement.released_items or [])
    statement.released_items = []
    statement.save(update_fields=["status", "released_items", "updated_at"])
    totals = _take_items(statement, item_ids=released, strict=False) if released else None
    if totals is not None:
        statement.total, statement.line_count = totals.total, totals.line_count
    statement.released = len(released)
    statement.restored = totals.changed if totals is not None else 0
    return statement
