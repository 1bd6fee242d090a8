"""Writes of the reconciliation app: collect items, build and move statements, import and match supplier
bills, resolve differences, settle. Every function locks the statement row first (fixed order: statement,
then items by id, then aftersales charges by id) and runs in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales.services import (
    supplier_charges_attach,
    supplier_charges_detach,
    supplier_charges_mark_reconciled,
)
from oms.audit import log_changes, run_transition
from oms.db import retry_on_conflict
from oms.models import OutboxMessage
from oms.notifications import outbox_enqueue, render_message
from reconciliation import selectors
from reconciliation.choices import (
    DIFFERENCES,
    BillStatus,
    ItemKind,
    ItemStatus,
    MatchKind,
    Resolution,
    StatementStatus,
)
from reconciliation.exceptions import (
    AdjustmentInvalid,
    AlreadyReconciled,
    BillNotMatched,
    BillStillMatching,
    DifferenceAlreadyResolved,
    ItemsNotAvailable,
    MappingIncomplete,
    ReasonRequired,
    SettlementInvalid,
    StatementEmpty,
    StatementNotEditable,
    UnresolvedDifferences,
)
from reconciliation.models import (
    BillColumnMapping,
    BillMatch,
    ReconcilableItem,
    StatementLine,
    SupplierBill,
    SupplierStatement,
)
from reconciliation.selectors import ItemFilter

CENT = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# --------------------------------------------------------------------------------------------
# Collecting items from their sources (idempotent: INSERT ... SELECT ... ON CONFLICT DO NOTHING)
# --------------------------------------------------------------------------------------------


def items_collect(*, supplier_id: int | None = None) -> dict[str, int]:
    """Add every reconcilable source row not collected yet; returns how many of each kind were added.

    What was collected before is read once (a materialized CTE): an anti-join straight against the table
    being inserted into can turn quadratic when its statistics are stale (the first large collection).

    Drop-ship lines are valued at the supplier's agreed cost now (a snapshot: later price changes do
    not change what was shipped). Run by beat every few minutes and before a statement is built.
    """
    from aftersales.models import AftersalesCase, CaseLine, SupplierCharge
    from fulfillment.models import Shipment, ShipmentLine
    from inventory.models import SKU, StockMovement, SupplierSKU, Warehouse
    from orders.models import Order

    item = _table(ReconcilableItem)
    tz = settings.TIME_ZONE
    only = " AND {col} = %(supplier)s" if supplier_id else ""
    params = {"tz": tz, "supplier": supplier_id}
    statements = {
        ItemKind.DROP_SHIP: f"""
            WITH done AS MATERIALIZED (SELECT shipment_line_id AS source_id FROM {item} WHERE shipment_line_id IS NOT NULL)
            INSERT INTO {item} (supplier_id, kind, shipment_line_id, reference, order_number, sku_code,
                                description, quantity, unit_cost, amount, item_date, status, created_at)
            SELECT s.supplier_id, 'drop_ship', sl.id, s.number, o.number, k.code, '', sl.shipped_qty, ss.cost,
                   round(sl.shipped_qty * ss.cost, 2), (s.shipped_at AT TIME ZONE %(tz)s)::date, 'open', now()
            FROM {_table(ShipmentLine)} sl
            JOIN {_table(Shipment)} s ON s.id = sl.shipment_id
            JOIN {_table(Order)} o ON o.id = s.order_id
            JOIN {_table(SKU)} k ON k.id = sl.sku_id
            JOIN {_table(SupplierSKU)} ss ON ss.supplier_id = s.supplier_id AND ss.sku_id = sl.sku_id
            WHERE s.is_drop_ship AND s.supplier_id IS NOT NULL AND s.shipped_at IS NOT NULL
              AND s.status IN ('shipped', 'in_transit', 'delivered', 'exception') AND sl.shipped_qty > 0
              AND NOT EXISTS (SELECT 1 FROM done WHERE done.source_id = sl.id)
              {only.format(col="s.supplier_id")}
            ON CONFLICT (shipment_line_id) DO NOTHING""",  # noqa: S608 - table names from model meta, values are parameters
        ItemKind.RECEIPT: f"""
            WITH done AS MATERIALIZED (SELECT stock_movement_id AS source_id FROM {item} WHERE stock_movement_id IS NOT NULL)
            INSERT INTO {item} (supplier_id, kind, stock_movement_id, reference, order_number, sku_code,
                                description, quantity, unit_cost, amount, item_date, status, created_at)
            SELECT m.supplier_id, 'receipt', m.id, COALESCE(NULLIF(m.reference, ''), 'RCV-' || m.id), '',
                   k.code, w.code, m.quantity, m.unit_cost, round(m.quantity * m.unit_cost, 2),
                   (m.created_at AT TIME ZONE %(tz)s)::date, 'open', now()
            FROM {_table(StockMovement)} m
            JOIN {_table(SKU)} k ON k.id = m.sku_id
            JOIN {_table(Warehouse)} w ON w.id = m.warehouse_id
            WHERE m.kind = 'receipt' AND m.supplier_id IS NOT NULL AND m.unit_cost IS NOT NULL
              AND m.quantity > 0
              AND NOT EXISTS (SELECT 1 FROM done WHERE done.source_id = m.id)
              {only.format(col="m.supplier_id")}
            ON CONFLICT (stock_movement_id) DO NOTHING""",  # noqa: S608 - table names from model meta, values are parameters
        ItemKind.AFTERSALES: f"""
            WITH done AS MATERIALIZED (SELECT supplier_charge_id AS source_id FROM {item} WHERE supplier_charge_id IS NOT NULL)
            INSERT INTO {item} (supplier_id, kind, supplier_charge_id, reference, order_number, sku_code,
                                description, quantity, unit_cost, amount, item_date, status, created_at)
            SELECT c.supplier_id, 'aftersales', c.id, COALESCE(a.number, 'AS-' || a.id), o.number,
                   COALESCE((SELECT k.code FROM {_table(CaseLine)} cl JOIN {_table(SKU)} k ON k.id = cl.sku_id
                             WHERE cl.case_id = a.id ORDER BY cl.id LIMIT 1), ''),
                   left(c.description, 300), 0, NULL, c.amount, c.date, 'open', now()
            FROM {_table(SupplierCharge)} c
            JOIN {_table(AftersalesCase)} a ON a.id = c.case_id
            JOIN {_table(Order)} o ON o.id = a.order_id
            WHERE c.reconciliation_status = 'open' AND c.statement_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM done WHERE done.source_id = c.id)
              {only.format(col="c.supplier_id")}
            ON CONFLICT (supplier_charge_id) DO NOTHING""",  # noqa: S608 - table names from model meta, values are parameters
    }
    added = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for kind, sql in statements.items():
            cursor.execute(sql, params)
            added[str(kind)] = cursor.rowcount
    return added


# --------------------------------------------------------------------------------------------
# Statements: create, select / deselect items, totals
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    total: Decimal
    line_count: int
    changed: int


def _lock_statement(statement_id: int) -> SupplierStatement:
    return SupplierStatement.objects.select_for_update(of=("self",)).get(pk=statement_id)


def _lock_draft(statement_id: int) -> SupplierStatement:
    statement = _lock_statement(statement_id)
    if statement.status != StatementStatus.DRAFT:
        raise StatementNotEditable(statement)
    return statement


def _refresh_totals(statement_id: int) -> tuple[Decimal, int]:
    """The statement total is the sum of its lines (invariant 4): one aggregate, stored on the row."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {_table(SupplierStatement)} st
                SET total = agg.total, line_count = agg.n, updated_at = now()
                FROM (SELECT COALESCE(sum(amount), 0) AS total, count(*) AS n
                      FROM {_table(StatementLine)} WHERE statement_id = %s) agg
                WHERE st.id = %s RETURNING st.total, st.line_count""",  # noqa: S608 - table names from model meta, values are parameters
            [statement_id, statement_id],
        )
        total, count = cursor.fetchone()
    return money(total), count


def _sync_charges(statement_id: int, *, attached: list[int] = (), detached: bool = False) -> None:
    """Keep aftersales' own status of its charges in step, through its services, in this transaction."""
    if detached:
        supplier_charges_detach(statement_id=statement_id)
        attached = list(
            ReconcilableItem.objects.filter(statement_id=statement_id, kind=ItemKind.AFTERSALES).values_list(
                "supplier_charge_id", flat=True
            )
        )
    if attached:
        supplier_charges_attach(charge_ids=list(attached), statement_id=statement_id)


@retry_on_conflict
def statement_create(
    *,
    supplier_id: int,
    period_start: date | None = None,
    period_end: date | None = None,
    note: str = "",
    by=None,
) -> SupplierStatement:
    """A new draft for a supplier; its items are collected first so the builder sees everything up to now."""
    items_collect(supplier_id=supplier_id)
    statement = SupplierStatement.objects.create(
        supplier_id=supplier_id,
        period_start=period_start,
        period_end=period_end,
        note=note,
        created_by=by if getattr(by, "pk", None) else None,
    )
    statement.number = f"DZ{timezone.localdate():%Y%m}-{statement.pk:05d}"
    statement.save(update_fields=["number"])
    log_changes(instance=statement, before={}, by=by, action="create", note=_("Draft created"))
    return statement


@retry_on_conflict
def statement_select(
    *,
    statement_id: int,
    item_ids: list[int] | None = None,
    filters: ItemFilter | None = None,
    by=None,
) -> Totals:
    """Put items on a draft: the given ids, or every open item of the supplier matching ``filters``.

    One statement moves the items and writes the lines; items are locked in id order, and an item taken
    by another statement meanwhile is skipped (or, for explicit ids, the whole request is refused).
    """
    statement = _lock_draft(statement_id)
    return _take_items(statement, item_ids=item_ids, filters=filters, strict=True)


def _take_items(
    statement: SupplierStatement,
    *,
    item_ids: list[int] | None = None,
    filters: ItemFilter | None = None,
    strict: bool = True,
) -> Totals:
    """Move open items onto a locked draft; ``strict``: refuse all when one of the given ids is taken."""
    statement_id = statement.pk
    candidates = selectors.open_items(supplier_id=statement.supplier_id, filters=filters)
    wanted: list[int] = []
    if item_ids is not None:
        wanted = sorted({int(i) for i in item_ids})
        already = set(
            ReconcilableItem.objects.filter(pk__in=wanted, statement_id=statement_id).values_list(
                "pk", flat=True
            )
        )
        wanted = [i for i in wanted if i not in already]
        if not wanted:
            total, count = _refresh_totals(statement_id)
            return Totals(total, count, 0)
        candidates = candidates.filter(pk__in=wanted)
    cand_sql, cand_params = (
        candidates.order_by("pk").select_for_update(of=("self",)).values("id").query.sql_with_params()
    )
    item, line = _table(ReconcilableItem), _table(StatementLine)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH cand AS ({cand_sql}),
                picked AS (
                    UPDATE {item} i SET status = 'in_statement', statement_id = %s
                    FROM cand WHERE i.id = cand.id AND i.status = 'open'
                    RETURNING i.id, i.kind, i.quantity, i.amount, i.supplier_charge_id),
                ins AS (
                    INSERT INTO {line} (statement_id, item_id, kind, quantity, amount)
                    SELECT %s, id, kind, quantity, amount FROM picked RETURNING 1)
                SELECT (SELECT count(*) FROM ins),
                       COALESCE(array_agg(supplier_charge_id) FILTER (WHERE supplier_charge_id IS NOT NULL), '{{}}')
                FROM picked""",  # noqa: S608 - table names from model meta, values are parameters
            [*cand_params, statement_id, statement_id],
        )
        changed, charge_ids = cursor.fetchone()
    if strict and item_ids is not None and changed < len(wanted):
        raise ItemsNotAvailable(len(wanted) - changed)
    if charge_ids:
        _sync_charges(statement_id, attached=charge_ids)
    total, count = _refresh_totals(statement_id)
    return Totals(total, count, changed)


@retry_on_conflict
def statement_deselect(
    *,
    statement_id: int,
    item_ids: list[int] | None = None,
    filters: ItemFilter | None = None,
    by=None,
) -> Totals:
    """Take items off a draft (they are open again): the given ids, or every line matching ``filters``.

    Adjustment lines are not taken off here: they belong to the resolution that made them.
    """
    _lock_draft(statement_id)
    return _free_items(statement_id, item_ids=item_ids, filters=filters)


def _free_items(
    statement_id: int, *, item_ids: list[int] | None = None, filters: ItemFilter | None = None
) -> Totals:
    """Take sourced items (not adjustments) off a locked statement: they are open again."""
    candidates = selectors.statement_items(statement_id=statement_id, filters=filters).exclude(
        kind=ItemKind.ADJUSTMENT
    )
    if item_ids is not None:
        candidates = candidates.filter(pk__in=sorted({int(i) for i in item_ids}))
    cand_sql, cand_params = (
        candidates.order_by("pk").select_for_update(of=("self",)).values("id").query.sql_with_params()
    )
    item, line = _table(ReconcilableItem), _table(StatementLine)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH cand AS ({cand_sql}),
                gone AS (
                    DELETE FROM {line} l USING cand WHERE l.item_id = cand.id AND l.statement_id = %s
                    RETURNING l.item_id),
                freed AS (
                    UPDATE {item} i SET status = 'open', statement_id = NULL
                    FROM gone WHERE i.id = gone.item_id AND i.status = 'in_statement'
                    RETURNING i.supplier_charge_id)
                SELECT count(*), count(supplier_charge_id) FROM freed""",  # noqa: S608 - table names from model meta, values are parameters
            [*cand_params, statement_id],
        )
        changed, charges = cursor.fetchone()
    if charges:
        _sync_charges(statement_id, detached=True)
    total, count = _refresh_totals(statement_id)
    return Totals(total, count, changed)


# --------------------------------------------------------------------------------------------
# Statement state machine: submit, approve, reject, reopen, settle
# --------------------------------------------------------------------------------------------


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


@retry_on_conflict
def statement_submit(*, statement_id: int, by=None, note: str = "") -> SupplierStatement:
    """Send a draft to the finance manager. Refused while the bill is matching or differences are open."""
    statement = _lock_draft(statement_id)
    total, count = _refresh_totals(statement_id)
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
    statement.total, statement.line_count = total, count
    run_transition(statement, "submit", by=by, note=note)
    statement.submitted_at = timezone.now()
    statement.reject_reason = ""
    statement.save(
        update_fields=["status", "submitted_at", "reject_reason", "total", "line_count", "updated_at"]
    )
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
    return statement


@retry_on_conflict
def statement_approve(*, statement_id: int, by=None, note: str = "") -> SupplierStatement:
    """Approve: every item on the statement is reconciled today, in this transaction; never twice."""
    statement = _lock_statement(statement_id)
    run_transition(statement, "approve", by=by, note=note)
    today = timezone.localdate()
    total, count = _refresh_totals(statement_id)
    item = _table(ReconcilableItem)
    with connection.cursor() as cursor:
        # Lock in id order, then mark; anything already reconciled refuses the whole approval.
        cursor.execute(
            f"""WITH locked AS (SELECT id, status FROM {item} WHERE statement_id = %s ORDER BY id FOR UPDATE)
                SELECT count(*) FILTER (WHERE status = 'reconciled'), count(*) FROM locked""",  # noqa: S608 - table names from model meta, values are parameters
            [statement_id],
        )
        already, on_statement = cursor.fetchone()
        if already:
            raise AlreadyReconciled(already)
        cursor.execute(
            f"UPDATE {item} SET status = 'reconciled', reconciled_at = %s WHERE statement_id = %s AND status = 'in_statement'",  # noqa: S608 - table names from model meta, values are parameters
            [today, statement_id],
        )
        marked = cursor.rowcount
    if marked != count or on_statement != count:
        raise AlreadyReconciled(abs(count - marked) or 1)
    supplier_charges_mark_reconciled(statement_id=statement_id, on_date=today)
    statement.total, statement.line_count = total, count
    statement.approved_by = by if getattr(by, "pk", None) else None
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


@retry_on_conflict
def settlement_record(*, statement_id: int, paid_on: date, amount, reference: str, note: str = "", by=None):
    """Record a payment; once the payments add up to the statement total, it is settled."""
    from reconciliation.models import Settlement

    statement = _lock_statement(statement_id)
    if statement.status != StatementStatus.APPROVED:
        raise (
            StatementNotEditable(statement)
            if statement.status != StatementStatus.SETTLED
            else SettlementInvalid(
                _("Statement %(number)s is already settled.") % {"number": statement.number}
            )
        )
    amount = money(amount)
    reference = (reference or "").strip()
    if not reference:
        raise SettlementInvalid(_("Enter the payment reference (bank transfer number)."), field="reference")
    paid = sum((s.amount for s in statement.settlements.all()), Decimal("0.00"))
    remaining = statement.total - paid
    if amount == 0 or (amount > 0) != (remaining > 0) or abs(amount) > abs(remaining):
        raise SettlementInvalid(
            _("Enter an amount between 0 and the %(remaining)s still to be settled on this statement.")
            % {"remaining": remaining}
        )
    settlement = Settlement.objects.create(
        statement=statement, paid_on=paid_on, amount=amount, reference=reference[:100], note=note[:300], by=by
    )
    if paid + amount == statement.total:
        run_transition(statement, "settle", by=by, note=reference)
        statement.settled_at = timezone.now()
        statement.save(update_fields=["status", "settled_at", "updated_at"])
    return settlement


# --------------------------------------------------------------------------------------------
# Supplier bills: column mapping, upload, matching (a background job), resolutions
# --------------------------------------------------------------------------------------------

MAPPING_FIELDS = ("reference", "sku", "quantity", "amount", "date")
REQUIRED_MAPPING = ("reference", "amount")


def mapping_save(*, supplier_id: int, columns: dict[str, str], by=None) -> BillColumnMapping:
    columns = {k: (columns.get(k) or "").strip() for k in MAPPING_FIELDS}
    missing = [k for k in REQUIRED_MAPPING if not columns[k]]
    if missing:
        raise MappingIncomplete(missing)
    mapping, _created = BillColumnMapping.objects.update_or_create(
        supplier_id=supplier_id,
        defaults={
            "reference_column": columns["reference"],
            "sku_column": columns["sku"],
            "quantity_column": columns["quantity"],
            "amount_column": columns["amount"],
            "date_column": columns["date"],
        },
    )
    return mapping


@transaction.atomic
def bill_upload(*, statement_id: int, upload, by=None) -> SupplierBill:
    """Keep the supplier's file for a draft statement; matching starts once the columns are known."""
    from reconciliation.bills import read_headers

    statement = _lock_draft(statement_id)
    headers = read_headers(upload)  # refuses a file that is not CSV / XLSX before anything is kept
    upload.seek(0)
    bill = SupplierBill(
        statement=statement,
        original_name=(upload.name or "bill")[:200],
        uploaded_by=by if getattr(by, "pk", None) else None,
    )
    bill.file.save(upload.name or "bill.csv", upload, save=False)
    bill.counts = {"headers": headers}
    bill.save()
    return bill


@transaction.atomic
def bill_match_start(*, bill_id: int, skip_bad_rows: bool = False, by=None) -> SupplierBill:
    """Queue the matching job (it runs in a worker after commit; progress on the job page)."""
    from oms.jobs import job_start

    bill = SupplierBill.objects.select_for_update().get(pk=bill_id)
    _lock_draft(bill.statement_id)
    if bill.status == BillStatus.MATCHING:
        raise BillStillMatching()
    job = job_start(
        kind=_("Match supplier bill %(name)s") % {"name": bill.original_name},
        handler="reconciliation.services.bill_match_job",
        params={"bill_id": bill.pk},
        by=by,
    )
    bill.status = BillStatus.MATCHING
    bill.skip_bad_rows = skip_bad_rows
    bill.job_id = job.pk
    bill.message = ""
    bill.save(update_fields=["status", "skip_bad_rows", "job_id", "message"])
    return bill


def bill_match_job(job, progress, *, bill_id: int) -> dict:
    """Background job: read the bill, load it with COPY, match it in SQL. Safe to run twice.

    Row errors and messages are kept in the language of the clerk who uploaded the bill.
    """
    bill = SupplierBill.objects.select_related("uploaded_by").get(pk=bill_id)
    language = getattr(bill.uploaded_by, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        return _bill_match_job(progress, bill_id=bill_id)


def _bill_match_job(progress, *, bill_id: int) -> dict:
    from reconciliation.bills import parse_bill

    bill = SupplierBill.objects.select_related("statement").get(pk=bill_id)
    mapping = BillColumnMapping.objects.filter(supplier_id=bill.statement.supplier_id).first()
    try:
        if mapping is None:
            raise MappingIncomplete(list(REQUIRED_MAPPING))
        with bill.file.open("rb") as handle:
            rows, bad = parse_bill(
                handle, name=bill.original_name, mapping=mapping.columns(), progress=progress
            )
    except Exception as exc:
        SupplierBill.objects.filter(pk=bill_id).update(status=BillStatus.FAILED, message=str(exc)[:500])
        raise
    if bad and not bill.skip_bad_rows:
        SupplierBill.objects.filter(pk=bill_id).update(
            status=BillStatus.INVALID, bad_rows=bad[:1000], row_count=len(rows) + len(bad)
        )
        return {
            "url": reverse("reconciliation:bill-detail", args=[bill_id]),
            "message": _("%(bad)d of %(all)d rows are bad; nothing was matched.")
            % {"bad": len(bad), "all": len(rows) + len(bad)},
        }
    try:
        counts = bill_match(bill_id=bill_id, rows=rows, bad_rows=bad)
    except Exception as exc:
        SupplierBill.objects.filter(pk=bill_id).update(status=BillStatus.FAILED, message=str(exc)[:500])
        raise
    progress(len(rows), len(rows))
    return {
        "message": _("%(matched)d matched, %(differences)d differences.")
        % {
            "matched": counts.get(MatchKind.MATCHED, 0),
            "differences": sum(v for k, v in counts.items() if k != MatchKind.MATCHED),
        },
        "counts": counts,
        "url": reverse("reconciliation:bill-detail", args=[bill_id]),
    }


def _undo_resolutions(statement_id: int) -> None:
    """A new bill replaces the last one: adjustment lines made for its differences go, with its results."""
    adjustment_ids = list(
        BillMatch.objects.filter(statement_id=statement_id, adjustment__isnull=False).values_list(
            "adjustment_id", flat=True
        )
    )
    BillMatch.objects.filter(statement_id=statement_id).delete()
    if adjustment_ids:
        StatementLine.objects.filter(item_id__in=adjustment_ids).delete()
        ReconcilableItem.objects.filter(pk__in=adjustment_ids, kind=ItemKind.ADJUSTMENT).delete()


@retry_on_conflict
def bill_match(*, bill_id: int, rows: list[tuple], bad_rows: list[dict] = ()) -> dict[str, int]:
    """Load the bill's good rows and match them to the statement's lines by (shipment or order number, SKU).

    ``rows`` are (row_number, reference, sku, quantity or None, amount, date or None). Pairs are made in
    SQL: first on our shipment / receipt / case number, then on the order number for what is left; several
    rows with the same key pair up in amount order. Results replace the previous bill's.
    """
    from reconciliation.models import SupplierBillLine

    bill = SupplierBill.objects.get(pk=bill_id)
    statement = _lock_draft(bill.statement_id)
    _undo_resolutions(statement.pk)
    _refresh_totals(statement.pk)
    SupplierBillLine.objects.filter(bill__statement_id=statement.pk).delete()
    lines = _table(SupplierBillLine)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg cursor: COPY
        with raw.copy(
            f"COPY {lines} (bill_id, row_number, reference, sku_code, quantity, amount, line_date) FROM STDIN"
        ) as copy:
            for row_number, reference, sku, quantity, amount, line_date in rows:
                copy.write_row((bill_id, row_number, reference, sku, quantity, amount, line_date))
        cursor.execute(
            _MATCH_SQL.format(
                match=_table(BillMatch),
                item=_table(ReconcilableItem),
                line=_table(StatementLine),
                bill_line=lines,
            ),
            {"statement": statement.pk, "bill": bill_id},
        )
        cursor.execute(
            f"SELECT kind, count(*) FROM {_table(BillMatch)} WHERE bill_id = %s GROUP BY kind",  # noqa: S608
            [bill_id],
        )
        counts = dict(cursor.fetchall())
    SupplierBill.objects.filter(pk=bill_id).update(
        status=BillStatus.MATCHED,
        counts=counts,
        row_count=len(rows) + len(bad_rows),
        bad_rows=list(bad_rows)[:1000],
        matched_at=timezone.now(),
        message="",
    )
    log_changes(
        instance=statement,
        before={},
        action="bill matched",
        note=_("Bill %(name)s: %(matched)d matched, %(differences)d differences")
        % {
            "name": bill.original_name,
            "matched": counts.get(MatchKind.MATCHED, 0),
            "differences": sum(v for k, v in counts.items() if k != MatchKind.MATCHED),
        },
    )
    return counts


# Keys are compared without case and surrounding spaces. Quantities are compared only where both sides
# have one (after-sales charges are money only).
_MATCH_SQL = """
WITH ours AS (
    SELECT i.id AS item_id, upper(btrim(i.reference)) AS ref, upper(btrim(i.order_number)) AS ord,
           upper(btrim(i.sku_code)) AS sku, i.quantity AS q, i.amount AS a, i.kind
    FROM {item} i WHERE i.statement_id = %(statement)s AND i.kind <> 'adjustment'
),
theirs AS (
    SELECT b.id AS bill_line_id, upper(btrim(b.reference)) AS ref, upper(btrim(b.sku_code)) AS sku,
           b.quantity AS q, b.amount AS a
    FROM {bill_line} b WHERE b.bill_id = %(bill)s
),
p1 AS (
    SELECT o.item_id, t.bill_line_id FROM
      (SELECT item_id, ref, sku, row_number() OVER (PARTITION BY ref, sku ORDER BY a, item_id) AS rn FROM ours) o
      JOIN (SELECT bill_line_id, ref, sku, row_number() OVER (PARTITION BY ref, sku ORDER BY a, bill_line_id) AS rn
            FROM theirs) t
      ON t.ref = o.ref AND t.sku = o.sku AND t.rn = o.rn
),
o2 AS (SELECT * FROM ours WHERE ord <> '' AND item_id NOT IN (SELECT item_id FROM p1)),
t2 AS (SELECT * FROM theirs WHERE bill_line_id NOT IN (SELECT bill_line_id FROM p1)),
p2 AS (
    SELECT o.item_id, t.bill_line_id FROM
      (SELECT item_id, ord, sku, row_number() OVER (PARTITION BY ord, sku ORDER BY a, item_id) AS rn FROM o2) o
      JOIN (SELECT bill_line_id, ref, sku, row_number() OVER (PARTITION BY ref, sku ORDER BY a, bill_line_id) AS rn
            FROM t2) t
      ON t.ref = o.ord AND t.sku = o.sku AND t.rn = o.rn
),
pairs AS (SELECT * FROM p1 UNION ALL SELECT * FROM p2)
INSERT INTO {match} (statement_id, bill_id, kind, bill_line_id, item_id, reference, sku_code,
                     our_quantity, our_amount, their_quantity, their_amount, resolution, note)
SELECT %(statement)s, %(bill)s,
       CASE WHEN b.quantity IS NOT NULL AND i.kind <> 'aftersales' AND b.quantity <> i.quantity THEN 'quantity'
            WHEN b.amount <> i.amount THEN 'amount' ELSE 'matched' END,
       b.id, i.id, i.reference, i.sku_code, i.quantity, i.amount, b.quantity, b.amount, '', ''
FROM pairs p JOIN {item} i ON i.id = p.item_id JOIN {bill_line} b ON b.id = p.bill_line_id
UNION ALL
SELECT %(statement)s, %(bill)s, 'theirs_only', b.id, NULL, b.reference, b.sku_code, NULL, NULL, b.quantity,
       b.amount, '', ''
FROM {bill_line} b WHERE b.bill_id = %(bill)s AND b.id NOT IN (SELECT bill_line_id FROM pairs)
UNION ALL
SELECT %(statement)s, %(bill)s, 'ours_only', NULL, i.id, i.reference, i.sku_code, i.quantity, i.amount, NULL,
       NULL, '', ''
FROM {item} i WHERE i.statement_id = %(statement)s AND i.kind <> 'adjustment'
  AND i.id NOT IN (SELECT item_id FROM pairs)
"""


def _add_adjustment(
    statement: SupplierStatement, *, amount: Decimal, reference: str, sku: str, note: str
) -> ReconcilableItem:
    adjustment = ReconcilableItem.objects.create(
        supplier_id=statement.supplier_id,
        kind=ItemKind.ADJUSTMENT,
        reference=(reference or statement.number)[:100],
        sku_code=(sku or "")[:64],
        description=note[:300],
        quantity=0,
        amount=money(amount),
        item_date=timezone.localdate(),
        status=ItemStatus.IN_STATEMENT,
        statement=statement,
    )
    StatementLine.objects.create(
        statement=statement, item=adjustment, kind=ItemKind.ADJUSTMENT, quantity=0, amount=adjustment.amount
    )
    return adjustment


@retry_on_conflict
def bill_match_resolve(*, match_id: int, resolution: str, note: str = "", amount=None, by=None) -> BillMatch:
    """Resolve one difference with the supplier's bill.

    - accept theirs: an amount / quantity difference becomes an adjustment line of (theirs − ours); a row
      only on their bill becomes an adjustment line of their amount; a line only on ours leaves the statement;
    - accept ours: the statement keeps our figure (their row is disputed);
    - adjustment: an adjustment line of the amount given, with a note (required).
    """
    statement_id = BillMatch.objects.values_list("statement_id", flat=True).get(pk=match_id)
    statement = _lock_draft(statement_id)
    match = BillMatch.objects.select_for_update().get(pk=match_id)
    if match.kind not in DIFFERENCES:
        raise DifferenceAlreadyResolved()
    if match.resolution:
        raise DifferenceAlreadyResolved()
    note = (note or "").strip()
    if resolution == Resolution.ADJUSTMENT:
        errors = {}
        try:
            amount = money(amount) if amount not in (None, "") else None
        except Exception:  # noqa: BLE001 - any unreadable number is a field error
            amount = None
        if amount is None or amount == 0:
            errors["amount"] = [_("Enter an amount other than zero, e.g. -12.50.")]
        if not note:
            errors["note"] = [_("Say why (it is printed on the statement).")]
        if errors:
            raise AdjustmentInvalid(errors)
        match.adjustment = _add_adjustment(
            statement, amount=amount, reference=match.reference, sku=match.sku_code, note=note
        )
    elif resolution == Resolution.ACCEPT_THEIRS:
        if match.kind == MatchKind.OURS_ONLY:
            if match.item_id:
                statement_deselect(statement_id=statement.pk, item_ids=[match.item_id], by=by)
        else:
            delta = match.their_amount - (match.our_amount or Decimal("0.00"))
            if delta:
                match.adjustment = _add_adjustment(
                    statement,
                    amount=delta,
                    reference=match.reference,
                    sku=match.sku_code,
                    note=note
                    or _("Supplier's figure accepted (%(kind)s)") % {"kind": match.get_kind_display()},
                )
    elif resolution != Resolution.ACCEPT_OURS:
        raise AdjustmentInvalid({"resolution": [_("Choose how to resolve the difference.")]})
    match.resolution = resolution
    match.note = note[:300]
    match.resolved_by = by if getattr(by, "pk", None) else None
    match.resolved_at = timezone.now()
    match.save(update_fields=["resolution", "note", "adjustment", "resolved_by", "resolved_at"])
    _refresh_totals(statement.pk)
    log_changes(
        instance=statement,
        before={},
        by=by,
        action="difference resolved",
        note=f"{match.get_kind_display()} {match.reference} {match.sku_code}: {match.get_resolution_display()}"
        + (f" ({note})" if note else ""),
    )
    return match
