"""Matching a supplier's bill to the statement's lines in SQL, and resolving the differences found."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.audit import log_changes
from oms.db import retry_on_conflict
from oms.notes import choice_param, ref_param
from oms.notes import note as make_note
from reconciliation.choices import DIFFERENCES, BillStatus, ItemKind, ItemStatus, MatchKind, Resolution
from reconciliation.exceptions import AdjustmentInvalid, DifferenceAlreadyResolved
from reconciliation.models import (
    BillMatch,
    ReconcilableItem,
    StatementLine,
    SupplierBill,
    SupplierBillLine,
    SupplierStatement,
)
from reconciliation.services._common import _by, _lock_draft, _refresh_totals, _table, money
from reconciliation.services.statements import statement_deselect


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


def match_summary(counts: dict[str, int]) -> dict[str, int]:
    """How many rows matched and how many differ, from the per-kind counts of a matching."""
    return {
        "matched": counts.get(MatchKind.MATCHED, 0),
        "differences": sum(v for k, v in counts.items() if k != MatchKind.MATCHED),
    }


def _match_in_sql(*, statement_id: int, bill_id: int, rows: list[tuple]) -> dict[str, int]:
    """COPY the bill's rows in, pair them with the statement's items, and count the results by kind."""
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
            {"statement": statement_id, "bill": bill_id},
        )
        cursor.execute(
            f"SELECT kind, count(*) FROM {_table(BillMatch)} WHERE bill_id = %s GROUP BY kind",  # noqa: S608
            [bill_id],
        )
        return dict(cursor.fetchall())


@retry_on_conflict
def bill_match(*, bill_id: int, rows: list[tuple], bad_rows: list[dict] = ()) -> dict[str, int]:
    """Load the bill's good rows and match them to the statement's lines by (shipment or order number, SKU).

    ``rows`` are (row_number, reference, sku, quantity or None, amount, date or None). Pairs are made in
    SQL: first on our shipment / receipt / case number, then on the order number for what is left; several
    rows with the same key pair up in amount order. Results replace the previous bill's.
    """
    bill = SupplierBill.objects.get(pk=bill_id)
    statement = _lock_draft(bill.statement_id)
    _undo_resolutions(statement.pk)
    _refresh_totals(statement.pk)
    SupplierBillLine.objects.filter(bill__statement_id=statement.pk).delete()
    counts = _match_in_sql(statement_id=statement.pk, bill_id=bill_id, rows=rows)
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
        note=make_note("reconciliation.bill_matched", name=bill.original_name, **match_summary(counts)),
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


def _resolve_with_adjustment(statement: SupplierStatement, match: BillMatch, *, amount, note: str) -> None:
    """An adjustment line of the amount given; both the amount and the reason are required."""
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


def _accept_theirs(statement: SupplierStatement, match: BillMatch, *, note: str, by) -> None:
    """Our line leaves the statement when only we have it; otherwise an adjustment of (theirs − ours)."""
    if match.kind == MatchKind.OURS_ONLY:
        if match.item_id:
            statement_deselect(statement_id=statement.pk, item_ids=[match.item_id], by=by)
        return
    delta = match.their_amount - (match.our_amount or Decimal("0.00"))
    if delta:
        match.adjustment = _add_adjustment(
            statement,
            amount=delta,
            reference=match.reference,
            sku=match.sku_code,
            note=note or _("Supplier's figure accepted (%(kind)s)") % {"kind": match.get_kind_display()},
        )


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
    if match.kind not in DIFFERENCES or match.resolution:
        raise DifferenceAlreadyResolved()
    note = (note or "").strip()
    if resolution == Resolution.ADJUSTMENT:
        _resolve_with_adjustment(statement, match, amount=amount, note=note)
    elif resolution == Resolution.ACCEPT_THEIRS:
        _accept_theirs(statement, match, note=note, by=by)
    elif resolution != Resolution.ACCEPT_OURS:
        raise AdjustmentInvalid({"resolution": [_("Choose how to resolve the difference.")]})
    match.resolution = resolution
    match.note = note[:300]
    match.resolved_by = _by(by)
    match.resolved_at = timezone.now()
    match.save(update_fields=["resolution", "note", "adjustment", "resolved_by", "resolved_at"])
    _refresh_totals(statement.pk)
    log_changes(
        instance=statement,
        before={},
        by=by,
        action="difference resolved",
        note=make_note(
            "reconciliation.difference_resolved_note" if note else "reconciliation.difference_resolved",
            kind=choice_param("reconciliation.BillMatch.kind", match.kind),
            reference=ref_param(match.reference),
            sku=match.sku_code,
            resolution=choice_param("reconciliation.BillMatch.resolution", match.resolution),
            **({"note": note} if note else {}),
        ),
    )
    return match
