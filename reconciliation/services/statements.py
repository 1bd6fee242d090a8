"""Building a draft statement: create it, put items on it and take them off (lines and totals follow)."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.utils import timezone

from oms.audit import log_changes
from oms.db import retry_on_conflict
from oms.notes import note as make_note
from reconciliation import selectors
from reconciliation.choices import ItemKind, ItemStatus
from reconciliation.exceptions import ItemsNotAvailable
from reconciliation.models import ReconcilableItem, StatementLine, SupplierStatement
from reconciliation.selectors import ItemFilter
from reconciliation.services._common import (
    Totals,
    _by,
    _lock_draft,
    _refresh_totals,
    _sync_charges,
    _table,
)
from reconciliation.services.items import items_collect


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
        created_by=_by(by),
    )
    statement.number = f"DZ{timezone.localdate():%Y%m}-{statement.pk:05d}"
    statement.save(update_fields=["number"])
    log_changes(
        instance=statement, before={}, by=by, action="create", note=make_note("reconciliation.draft_created")
    )
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


def _locked_candidates_sql(candidates) -> tuple[str, list]:
    """The candidates' ids as SQL that locks them in id order (for a CTE of a data-changing statement)."""
    return candidates.order_by("pk").select_for_update(of=("self",)).values("id").query.sql_with_params()


def _move_onto_statement(statement_id: int, candidates) -> tuple[int, list[int]]:
    """Open candidates become lines of the statement; returns how many, and their aftersales charges."""
    cand_sql, cand_params = _locked_candidates_sql(candidates)
    item, line = _table(ReconcilableItem), _table(StatementLine)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH cand AS ({cand_sql}),
                picked AS (
                    UPDATE {item} i SET status = %s, statement_id = %s
                    FROM cand WHERE i.id = cand.id AND i.status = %s
                    RETURNING i.id, i.kind, i.quantity, i.amount, i.supplier_charge_id),
                ins AS (
                    INSERT INTO {line} (statement_id, item_id, kind, quantity, amount)
                    SELECT %s, id, kind, quantity, amount FROM picked RETURNING 1)
                SELECT (SELECT count(*) FROM ins),
                       COALESCE(array_agg(supplier_charge_id) FILTER (WHERE supplier_charge_id IS NOT NULL), '{{}}')
                FROM picked""",  # noqa: S608 - table names from model meta, values are parameters
            [*cand_params, ItemStatus.IN_STATEMENT, statement_id, ItemStatus.OPEN, statement_id],
        )
        changed, charge_ids = cursor.fetchone()
    return changed, charge_ids


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
    changed, charge_ids = _move_onto_statement(statement_id, candidates)
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
    cand_sql, cand_params = _locked_candidates_sql(candidates)
    item, line = _table(ReconcilableItem), _table(StatementLine)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH cand AS ({cand_sql}),
                gone AS (
                    DELETE FROM {line} l USING cand WHERE l.item_id = cand.id AND l.statement_id = %s
                    RETURNING l.item_id),
                freed AS (
                    UPDATE {item} i SET status = %s, statement_id = NULL
                    FROM gone WHERE i.id = gone.item_id AND i.status = %s
                    RETURNING i.supplier_charge_id)
                SELECT count(*), count(supplier_charge_id) FROM freed""",  # noqa: S608 - table names from model meta, values are parameters
            [*cand_params, statement_id, ItemStatus.OPEN, ItemStatus.IN_STATEMENT],
        )
        changed, charges = cursor.fetchone()
    if charges:
        _sync_charges(statement_id, detached=True)
    total, count = _refresh_totals(statement_id)
    return Totals(total, count, changed)
