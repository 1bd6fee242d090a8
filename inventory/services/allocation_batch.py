"""Batch allocation: many demand sets (a wave of approved orders in priority order, backorders) decided in
order on the batch's stock rows, locked once (``allocate_batch``); the pieces are shared with the batch
intake's decide-then-confirm allocation (``allocation_batch_new``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from inventory.choices import ReservationStatus
from inventory.models import SKU, Reservation, StockLevel, Warehouse
from inventory.planning import DemandLine, _plan
from inventory.selectors import reservations_made_today
from inventory.selectors_supply import drop_ship_suppliers
from inventory.services._common import service
from inventory.services.alerts import stock_alerts_review
from inventory.services.allocation import (
    AllocationResult,
    StockKey,
    _set_aside_drop_ship,
    _validate_lines,
    _with_drop_ship,
)
from inventory.services.ledger import _add_reserved
from oms.db import bulk_insert
from oms.instances import new_instance


@dataclass
class _BatchStock:
    """The batch's locked stock as plain values, and what the batch has reserved from it so far."""

    warehouses: dict[int, Warehouse]  # active warehouses among the locked rows
    pk_of: dict[StockKey, int] = field(default_factory=dict)
    left: dict[StockKey, int] = field(default_factory=dict)  # available, less what the batch reserved
    below_safety: dict[StockKey, int] = field(default_factory=dict)  # key -> safety stock, where it has one
    per_sku: dict[int, list[StockKey]] = field(default_factory=lambda: defaultdict(list))
    per_level: dict[StockKey, int] = field(default_factory=lambda: defaultdict(int))  # reserved by the batch
    made_today: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    counted: dict[int, int] = field(default_factory=dict)
    pending: list[Reservation] = field(default_factory=list)

    def today_load(self, warehouse_ids: list[int]) -> dict[int, int]:
        """What ``allocate`` would count after the sets before this one had committed."""
        if not self.counted:
            self.counted.update(reservations_made_today(sorted(self.warehouses)))
        return {wid: self.counted.get(wid, 0) + self.made_today[wid] for wid in warehouse_ids}


@service
def allocate_batch(
    *, demands: list[tuple[list[DemandLine], str]], by=None, new_demand: bool = False
) -> list[AllocationResult]:
    """Allocate many demand sets (lines, province) in one transaction, in the order given.

    For batch runs (a wave of approved orders in priority order, backorders): each set is
    all-or-nothing on its own and decided exactly as ``allocate`` would decide it one after the
    other, but the stock rows of every SKU in the batch are locked once, with one
    ``SELECT … FOR UPDATE`` in (sku_id, warehouse_id) order, the decisions are made in memory from
    the locked rows, and the reservations and reserved counters are written with one INSERT and one
    UPDATE. Keep batches small (100–500 sets): the rows stay locked until the batch commits. Load,
    when it breaks a tie, is today's reservations counted once per batch plus those the batch made.
    """
    stock, codes, suppliers = _batch_stock(demands, lock=True)
    # New demand (lines taken in by the caller's own transaction) cannot hold anything yet.
    held = (
        defaultdict(list)
        if new_demand
        else _held_reservations(sorted({line.ref for lines, _p in demands for line in lines}))
    )
    results = _decide_batch(demands, stock=stock, held=held, codes=codes, suppliers=suppliers)
    if stock.pending:
        _write_batch(stock)
    return results


def _batch_stock(demands, *, lock: bool) -> tuple[_BatchStock, dict[int, str], dict[int, int]]:
    """The checked batch's stock rows (locked with ``lock``), SKU codes and drop-ship suppliers.

    What needs no lock is read first: the stock rows stay locked until the caller commits, and every other
    batch touching the same SKUs waits that long, so the window holds only the lock, the decisions and the
    writes.
    """
    for lines, _province in demands:
        _validate_lines(lines)
    sku_ids = sorted({line.sku_id for lines, _p in demands for line in lines})
    codes = dict(SKU.objects.filter(pk__in=sku_ids).values_list("pk", "code")) if sku_ids else {}
    suppliers = drop_ship_suppliers(sku_ids)
    warehouses = {w.pk: w for w in Warehouse.objects.filter(is_active=True)}
    return _lock_batch_stock(sku_ids, warehouses, lock=lock), codes, suppliers


def _decide_batch(demands, *, stock: _BatchStock, held, codes, suppliers) -> list[AllocationResult]:
    """Each set decided in the order given on the batch's stock; reservations queued on ``stock.pending``."""
    results = []
    for lines, province in demands:
        own, drop_ship = _set_aside_drop_ship(lines, suppliers)
        result = _allocate_in_batch(lines=own, province=province, stock=stock, held=held, codes=codes)
        results.append(_with_drop_ship(result, drop_ship, codes, lines))
    return results


def _lock_batch_stock(
    sku_ids: list[int], warehouses: dict[int, Warehouse], *, lock: bool = True
) -> _BatchStock:
    """Lock every stock row of the batch's SKUs with one ``SELECT … FOR UPDATE`` in (sku, warehouse) order
    (``lock=False``: only read them, for a decision confirmed under the lock later: ``allocation_batch_new``).

    Plain values, not model instances: a batch locks thousands of rows and building a StockLevel,
    an SKU and a Warehouse per row was most of its Python time. Rows of inactive warehouses are
    locked too (as ``allocate`` does) but never planned with.
    """
    levels = StockLevel.objects.select_for_update() if lock else StockLevel.objects.all()
    rows = list(
        levels.filter(sku_id__in=sku_ids)
        .order_by("sku_id", "warehouse_id")
        .values_list("pk", "sku_id", "warehouse_id", "on_hand", "reserved", "safety_stock")
    )
    stock = _BatchStock(warehouses={row[2]: warehouses[row[2]] for row in rows if row[2] in warehouses})
    for pk, sku_id, warehouse_id, on_hand, reserved, safety_stock in rows:
        if warehouse_id not in warehouses:
            continue
        key = (sku_id, warehouse_id)
        stock.pk_of[key] = pk
        stock.left[key] = on_hand - reserved
        stock.per_sku[sku_id].append(key)
        if safety_stock:
            stock.below_safety[key] = safety_stock
    return stock


def _held_reservations(refs: list[str]) -> dict[str, list[Reservation]]:
    """ACTIVE reservations of ``refs`` by demand reference (sets already allocated are handed back)."""
    held: dict[str, list[Reservation]] = defaultdict(list)
    if refs:
        for reservation in Reservation.objects.filter(demand_ref__in=refs, status=ReservationStatus.ACTIVE):
            held[reservation.demand_ref].append(reservation)
    return held


def _allocate_in_batch(
    *,
    lines: list[DemandLine],
    province: str,
    stock: _BatchStock,
    held: dict[str, list[Reservation]],
    codes: dict[int, str],
) -> AllocationResult:
    """Decide one set from the batch's stock in memory; its reservations are queued on ``stock.pending``."""
    if not lines:
        return AllocationResult(allocated=True, explanation={"decision": "nothing_to_allocate"})
    set_refs = {line.ref for line in lines}
    if set_refs & held.keys():
        return AllocationResult(
            allocated=set_refs <= held.keys(),
            reservations=[r for ref in sorted(set_refs) for r in held.get(ref, [])],
            explanation={"decision": "already_allocated", "refs": sorted(set_refs & held.keys())},
        )
    keys = [key for sku in sorted({line.sku_id for line in lines}) for key in stock.per_sku.get(sku, [])]
    assignments, explanation, short = _plan(
        lines=lines,
        province=province,
        warehouses=sorted({stock.warehouses[wid] for _sku, wid in keys}, key=lambda w: (w.priority, w.code)),
        available={key: stock.left[key] for key in keys},
        sku_codes=codes,
        today_load=stock.today_load,
    )
    if short:
        return AllocationResult(allocated=False, explanation=explanation, short=short)
    made = []
    for i, wid, qty in assignments:
        key = (lines[i].sku_id, wid)
        stock.left[key] -= qty
        stock.per_level[key] += qty
        stock.made_today[wid] += 1
        made.append(
            new_instance(Reservation, sku_id=key[0], warehouse_id=wid, quantity=qty, demand_ref=lines[i].ref)
        )
    for reservation in made:
        held[reservation.demand_ref].append(reservation)
    stock.pending.extend(made)
    return AllocationResult(allocated=True, reservations=made, explanation=explanation)


def _write_batch(stock: _BatchStock) -> None:
    """One INSERT of the batch's reservations, one UPDATE of the reserved counters, then the alerts."""
    bulk_insert(stock.pending, set_pks=True)  # the primary keys go on the objects in the results
    _add_reserved({stock.pk_of[key]: qty for key, qty in stock.per_level.items()})
    _review_below_safety(
        [
            stock.pk_of[key]
            for key in sorted(stock.per_level)
            if key in stock.below_safety and stock.left[key] < stock.below_safety[key]
        ]
    )


def _review_below_safety(level_ids: list[int]) -> None:
    """The low-stock review of the levels a batch took below their safety stock: only those can open an
    alert, so only they are loaded as models."""
    if level_ids:
        stock_alerts_review(
            StockLevel.objects.select_related("sku", "warehouse")
            .filter(pk__in=level_ids)
            .order_by("sku_id", "warehouse_id"),
            may_recover=False,
        )
