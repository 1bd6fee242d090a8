"""The orders' side of allocation: ask inventory to reserve an order's lines, record where and why (or the
backorder), one order at a time or a priority-ordered batch in one transaction."""

from __future__ import annotations

import json
import logging

from django.db import OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from inventory.models import SKU
from inventory.selectors_supply import expected_restock_dates
from inventory.services import (
    DemandLine,
    StockMoved,
    allocate,
    allocate_batch,
    allocation_batch_new,
    reservation_release,
    sellable_quantity,
)
from oms.audit import collect_state_logs, run_transition, state_logs_write
from oms.db import bulk_insert, retry_on_conflict, server_side_binding
from oms.exceptions import DomainError
from oms.instances import new_instance
from oms.notes import note as make_note
from oms.notes import note_param
from orders.models import Order, OrderLine, OrderLineAllocation
from orders.services._common import QUEUE_ORDER, S, _locked, _sku_label
from orders.services.notifications import _notify

logger = logging.getLogger(__name__)


@retry_on_conflict
def order_allocate(*, order_id: int, by=None) -> Order:
    """Ask inventory to reserve the whole order; record where (and why), or mark it backordered."""
    order = _locked(order_id)
    if order.status not in (S.APPROVED, S.BACKORDERED):
        run_transition(order, "allocate", by=by, check_perm=False)  # raises the clear refusal
    lines = list(order.lines.order_by("line_no"))
    result = allocate(
        lines=[DemandLine(ref=line.demand_ref, sku_id=line.sku_id, quantity=line.quantity) for line in lines],
        province=order.province,
        by=by,
    )
    _record_allocation(order=order, lines=lines, result=result, by=by)
    return order


def _record_allocation(*, order: Order, lines: list[OrderLine], result, by=None) -> None:
    """Record inventory's decision on a locked order: where each line is reserved and why, or the backorder."""
    _record_allocations(decisions=[(order, lines, result)], by=by)


def _record_allocations(
    *, decisions: list[tuple[Order, list[OrderLine], object]], by=None, new: bool = False
) -> None:
    """Record inventory's decisions on locked orders, as ``_record_allocation`` does for each, in bulk.

    A batch writes one read of what is already recorded, one INSERT of the line allocations, one
    UPDATE of the orders and one INSERT of their StateLog rows, whatever its size. ``new``: orders taken
    in by the current transaction, which cannot have allocations recorded yet (the read is skipped).
    """
    now = timezone.now()
    recorded = set()
    if not new and any(result.allocated for _order, _lines, result in decisions):
        recorded = set(
            OrderLineAllocation.objects.filter(
                line__order__in=[order.pk for order, _lines, _result in decisions], released_at__isnull=True
            ).values_list("reservation_id", flat=True)
        )
    allocations = []
    with collect_state_logs() as logs:
        for order, lines, result in decisions:
            allocations += _record_decision(order, lines, result, recorded=recorded, by=by, now=now)
    bulk_insert(allocations)
    _orders_write_allocation([order for order, _lines, _result in decisions])
    state_logs_write(logs)


def _record_decision(
    order: Order, lines: list[OrderLine], result, *, recorded: set, by, now
) -> list[OrderLineAllocation]:
    """Apply one decision to the order in memory (transition logged); returns its new line allocations."""
    allocations = []
    order.allocation_explanation = result.explanation
    if result.allocated:
        by_ref = {line.demand_ref: line for line in lines}
        allocations = [
            new_instance(
                OrderLineAllocation,
                line=by_ref[r.demand_ref],
                warehouse_id=r.warehouse_id,
                quantity=r.quantity,
                reservation_id=r.pk,
                demand_ref=r.demand_ref,
            )
            for r in result.reservations
            if r.pk not in recorded and r.demand_ref in by_ref
        ]
        order.backorder_info = {}
        order.allocated_at = now
        run_transition(order, "allocate", by=by, check_perm=False)
    else:
        order.backorder_info = backorder_details(result.short)
        if order.status == S.APPROVED:
            run_transition(
                order, "backorder", by=by, check_perm=False, note=_short_note(order.backorder_info)
            )
            _notify(order, "backordered")  # the delay and, per missing item, when stock is expected
    order.updated_at = now
    return allocations


def _orders_write_allocation(orders: list[Order]) -> None:
    """Write the allocation fields of locked orders in one UPDATE … FROM unnest(…).

    ``bulk_update`` does the same with a CASE per field and row, whose building cost more than the
    rest of a batch's recording together; the arrays go as binary parameters (``%b``, server-side binding):
    quoted into the SQL, the escaping of the JSON texts cost a third of a batch.
    """
    fields = ["status", "allocation_explanation", "backorder_info", "allocated_at", "updated_at"]
    meta = Order._meta
    columns = [meta.get_field(name).column for name in fields]
    explanation, backorder = meta.get_field("allocation_explanation"), meta.get_field("backorder_info")
    with server_side_binding(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {meta.db_table} AS o SET {columns[0]} = v.status, "  # noqa: S608 - names from model meta
            f"{columns[1]} = v.explanation::jsonb, {columns[2]} = v.backorder::jsonb, "
            f"{columns[3]} = v.allocated_at, {columns[4]} = v.updated_at "
            "FROM unnest(%b::bigint[], %b::varchar[], %b::text[], %b::text[], %b::timestamptz[], "
            "%b::timestamptz[]) AS v(id, status, explanation, backorder, allocated_at, updated_at) "
            "WHERE o.id = v.id",
            [
                [o.pk for o in orders],
                [o.status for o in orders],
                [json.dumps(o.allocation_explanation, cls=explanation.encoder) for o in orders],
                [json.dumps(o.backorder_info, cls=backorder.encoder) for o in orders],
                [o.allocated_at for o in orders],
                [o.updated_at for o in orders],
            ],
        )


@retry_on_conflict
def orders_allocate_batch(*, order_ids: list[int], by=None) -> dict[str, int]:
    """Allocate approved or backordered orders, given in priority order, in ONE transaction.

    Inventory's ``allocate_batch`` locks the stock rows of the whole batch once and decides each order
    exactly as one-by-one allocation would, in the order given; each order is all-or-nothing. Orders are
    locked in id order (no deadlock with single allocations); those no longer allocatable are skipped.
    Keep batches small (~100 orders): the rows stay locked until the batch commits.
    """
    locked = {
        o.pk: o
        for o in Order.objects.select_for_update(of=("self",))
        .filter(pk__in=order_ids, status__in=[S.APPROVED, S.BACKORDERED])
        .order_by("pk")
    }
    orders = [locked[pk] for pk in order_ids if pk in locked]
    lines_of: dict[int, list[OrderLine]] = {o.pk: [] for o in orders}
    for line in OrderLine.objects.filter(order_id__in=lines_of).order_by("order_id", "line_no"):
        lines_of[line.order_id].append(line)
    results = allocate_batch(
        demands=[
            (
                [
                    DemandLine(ref=ln.demand_ref, sku_id=ln.sku_id, quantity=ln.quantity)
                    for ln in lines_of[o.pk]
                ],
                o.province,
            )
            for o in orders
        ],
        by=by,
    )
    _record_allocations(
        decisions=[
            (order, lines_of[order.pk], result) for order, result in zip(orders, results, strict=True)
        ],
        by=by,
    )
    counts = {"allocated": 0, "backordered": 0, "skipped": len(order_ids) - len(orders)}
    for result in results:
        counts["allocated" if result.allocated else "backordered"] += 1
    return counts


def orders_allocate_new(
    *, orders: list[Order], lines_of: dict[int, list[OrderLine]], by=None, locked: bool = False
) -> None:
    """Allocate orders the current transaction has just taken in, in the order given, as one batch.

    What ``orders_allocate_batch`` does, without locking and reading the orders and lines again: they are
    this transaction's own rows (no one else sees them yet), in memory with their lines' ids. Inventory
    decides before it locks the stock (``allocation_batch_new``); the decisions are recorded, and the
    stock rows are locked and checked last (``confirm``), so that other batches wait for this one only
    from there to the commit. When another transaction took the stock meanwhile, everything since the
    savepoint is rolled back and the batch is allocated again on locked rows (``allocate_batch``, in its
    own savepoint: a refusal leaves the orders approved for the batch task). ``locked``: straight on locked
    rows (the stock was seen to move already).
    """
    demands = _demands(orders, lines_of)
    if locked:
        return _allocate_new_locked(orders, lines_of, demands, by=by)
    before = [_allocation_fields(o) for o in orders]
    try:
        with transaction.atomic():
            pending = allocation_batch_new(demands=demands)
            _record_allocations(
                decisions=[(o, lines_of[o.pk], r) for o, r in zip(orders, pending.results, strict=True)],
                by=by,
                new=True,
            )
            pending.confirm()
            return
    except StockMoved:
        logger.info(
            "stock moved while a batch of %s orders was decided: deciding on locked stock", len(orders)
        )
        _allocation_fields_restore(orders, before)
    except Exception:
        _allocation_fields_restore(orders, before)  # the orders in memory say what the database says
        raise
    return _allocate_new_locked(orders, lines_of, demands, by=by)


def _allocate_new_locked(orders: list[Order], lines_of: dict[int, list[OrderLine]], demands, *, by) -> None:
    results = allocate_batch(demands=demands, by=by, new_demand=True)
    _record_allocations(
        decisions=[(o, lines_of[o.pk], result) for o, result in zip(orders, results, strict=True)],
        by=by,
        new=True,
    )


def orders_decide_new(*, orders: list[Order], lines_of: dict[int, list[OrderLine]], by=None):
    """Decide orders the current transaction is taking in, BEFORE they are written (their ids and their lines'
    ids read from the sequences already), so that each is written once, in its final state.

    Inventory decides on unlocked stock and writes the reservations (``allocation_batch_new``); each order in
    memory is moved to allocated or backordered (``_record_decision``, a backordered one's notice queued).
    Returns (pending, line allocations, state logs): the caller writes the orders, their lines, the line
    allocations and the logs (after the orders' own), then calls ``pending.confirm()`` last. All of it in a
    savepoint: on ``StockMoved`` or a refusal, the caller rolls back to it and restores the orders
    (``_allocation_fields`` before, ``_allocation_fields_restore``).
    """
    pending = allocation_batch_new(demands=_demands(orders, lines_of))
    now = timezone.now()
    allocations: list[OrderLineAllocation] = []
    with collect_state_logs() as logs:
        for order, result in zip(orders, pending.results, strict=True):
            allocations += _record_decision(order, lines_of[order.pk], result, recorded=set(), by=by, now=now)
    return pending, allocations, logs


def _demands(orders: list[Order], lines_of: dict[int, list[OrderLine]]) -> list:
    return [
        (
            [DemandLine(ref=ln.demand_ref, sku_id=ln.sku_id, quantity=ln.quantity) for ln in lines_of[o.pk]],
            o.province,
        )
        for o in orders
    ]


_RECORDED_FIELDS = ("status", "allocation_explanation", "backorder_info", "allocated_at", "updated_at")


def _allocation_fields(order: Order) -> dict:
    """What recording an allocation decision changes on the order in memory (``_record_decision``)."""
    return {name: order.__dict__[name] for name in _RECORDED_FIELDS}


def _allocation_fields_restore(orders: list[Order], before: list[dict]) -> None:
    for order, fields in zip(orders, before, strict=True):
        order.__dict__.update(fields)  # the status field refuses assignment: its stored value directly


def _short_note(info: dict) -> str:
    items = [
        note_param("orders.short_item", sku=s["code"], missing=s["missing"]) for s in info.get("short", [])
    ]
    return make_note("orders.backorder_short", items=items)


def backorder_details(short: dict[int, int]) -> dict:
    """For each short SKU: how many are missing, when stock is expected, and sellable alternatives."""
    if not short:
        return {}
    skus = {s.pk: s for s in SKU.objects.select_related("product").filter(pk__in=short)}
    product_ids = {s.product_id for s in skus.values()}
    categories = {s.product.category for s in skus.values() if s.product.category}
    candidates = list(
        SKU.objects.select_related("product")
        .filter(is_sellable=True)
        .filter(models_q_same(product_ids, categories))
        .exclude(pk__in=short)
        .order_by("code")[:200]
    )
    available = sellable_quantity(sku_ids=[c.pk for c in candidates]) if candidates else {}
    restock = expected_restock_dates(list(short))
    out = []
    for sku_id in sorted(short):
        sku = skus.get(sku_id)
        if sku is None:
            continue
        entry = _backorder_entry(sku, short[sku_id], candidates=candidates, available=available)
        entry["expected_restock_date"] = restock[sku_id].isoformat() if sku_id in restock else None
        out.append(entry)
    return {"short": out}


def _backorder_entry(sku: SKU, missing: int, *, candidates: list[SKU], available: dict[int, int]) -> dict:
    """One short SKU: what is missing, the restock date, and up to 3 alternatives (same product first)."""
    ranked = sorted(
        (
            c
            for c in candidates
            if available.get(c.pk, 0) > 0
            and (
                c.product_id == sku.product_id
                or (sku.product.category and c.product.category == sku.product.category)
            )
        ),
        key=lambda c: (c.product_id != sku.product_id, c.code),
    )
    return {
        "sku_id": sku.pk,
        "code": sku.code,
        "name": _sku_label(sku),
        "missing": missing,
        "expected_restock_date": sku.expected_restock_date.isoformat() if sku.expected_restock_date else None,
        "suggestions": [
            {
                "code": c.code,
                "name": _sku_label(c),
                "available": available.get(c.pk, 0),
                "same_product": c.product_id == sku.product_id,
            }
            for c in ranked[:3]
        ],
    }


def models_q_same(product_ids, categories):
    q = Q(product_id__in=product_ids)
    if categories:
        q |= Q(product__category__in=categories)
    return q


@retry_on_conflict
def order_reallocate(*, order_id: int, by=None) -> Order:
    """Operations: release what the order holds and allocate it again (e.g. after stock moved)."""
    order = _locked(order_id)
    run_transition(order, "deallocate", by=by)
    refs = [f"order-line:{pk}" for pk in order.lines.order_by("pk").values_list("pk", flat=True)]
    reservation_release(demand_refs=refs, reason=make_note("orders.reallocation", number=order.number), by=by)
    OrderLineAllocation.objects.filter(line__order=order, released_at__isnull=True).update(
        released_at=timezone.now()
    )
    order.save()
    return order_allocate(order_id=order.pk, by=by)


def orders_allocate_pending(*, limit: int = 500, batch_size: int = 100) -> dict[str, int]:
    """Allocate approved orders in priority order, ``batch_size`` per transaction; returns counts by outcome."""
    counts = {"allocated": 0, "backordered": 0, "skipped": 0}
    ids = list(
        Order.objects.filter(status=S.APPROVED).order_by(*QUEUE_ORDER).values_list("pk", flat=True)[:limit]
    )
    for start in range(0, len(ids), batch_size):
        for outcome, n in orders_allocate_batch(order_ids=ids[start : start + batch_size]).items():
            counts[outcome] += n
    return counts


def orders_allocate_backorders(*, sku_ids: list[int], limit: int = 1000) -> dict[str, int]:
    """Stock arrived for ``sku_ids``: try the backordered orders that need them, highest priority first."""
    counts = {"allocated": 0, "backordered": 0, "skipped": 0}
    ids = list(
        Order.objects.filter(
            status=S.BACKORDERED, pk__in=OrderLine.objects.filter(sku_id__in=sku_ids).values("order_id")
        )
        .order_by(*QUEUE_ORDER)
        .values_list("pk", flat=True)[:limit]
    )
    for order_id in ids:
        counts[_allocate_one(order_id)] += 1
    return counts


def _allocate_one(order_id: int) -> str:
    try:
        order = order_allocate(order_id=order_id)
    except (DomainError, OperationalError) as exc:
        logger.info("allocation of order %s skipped: %s", order_id, exc)
        return "skipped"
    return "allocated" if order.status == S.ALLOCATED else "backordered"
