"""Allocation: plan which warehouses serve a set of demand lines and reserve it, one set or a batch.

The decision itself is ``inventory.planning._plan`` (pure); this module reads and locks the stock it
plans with, and writes the reservations and reserved counters of the plan. Lines of drop-ship SKUs (an
active supplier ships them to the customer itself) hold no stock of ours: they are set aside for their
supplier (``AllocationResult.drop_ship``) and never backordered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

from inventory.choices import ReservationStatus
from inventory.models import SKU, Reservation, StockLevel, Supplier, Warehouse
from inventory.planning import Assignment, DemandLine, _plan
from inventory.selectors import reservations_made_today
from inventory.selectors_supply import drop_ship_suppliers
from inventory.services._common import _check_quantity, service
from inventory.services.alerts import stock_alerts_review
from inventory.services.ledger import _add_reserved, _add_reserved_part
from oms.db import ModelColumns, StatementPart, fetch_rows, insert_part

StockKey = tuple[int, int]  # (sku_id, warehouse_id)


@dataclass
class AllocationResult:
    allocated: bool  # True: every line fully reserved; False: nothing reserved (backorder)
    reservations: list[Reservation] = field(default_factory=list)
    explanation: dict = field(default_factory=dict)  # JSON-able: candidates, decision, shortages
    short: dict[int, int] = field(default_factory=dict)  # sku_id -> units missing across all warehouses
    drop_ship: dict[str, int] = field(default_factory=dict)  # demand ref -> supplier shipping it itself


def _set_aside_drop_ship(
    lines: list[DemandLine], suppliers: dict[int, int]
) -> tuple[list[DemandLine], dict[str, int]]:
    """(lines our warehouses serve, demand ref → supplier for the lines their supplier ships)."""
    own = [line for line in lines if line.sku_id not in suppliers]
    return own, {line.ref: suppliers[line.sku_id] for line in lines if line.sku_id in suppliers}


def _with_drop_ship(
    result: AllocationResult, drop_ship: dict[str, int], codes: dict[int, str], lines
) -> AllocationResult:
    """Add the drop-ship lines to a result: in its explanation, and as the whole decision when nothing else."""
    if not drop_ship:
        return result
    result.drop_ship = drop_ship
    if result.explanation.get("decision") == "nothing_to_allocate":
        result.explanation = {"decision": "drop_ship"}
    names = dict(Supplier.objects.filter(pk__in=set(drop_ship.values())).values_list("pk", "name"))
    result.explanation["drop_ship"] = [
        {
            "ref": line.ref,
            "sku": codes.get(line.sku_id, str(line.sku_id)),
            "supplier_id": drop_ship[line.ref],
            "supplier": names.get(drop_ship[line.ref], ""),
        }
        for line in lines
        if line.ref in drop_ship
    ]
    return result


def _validate_lines(lines: list[DemandLine]) -> None:
    for line in lines:
        _check_quantity(line.quantity)


def _sku_codes(sku_ids: Iterable[int], levels: Iterable[StockLevel]) -> dict[int, str]:
    codes = {lv.sku_id: lv.sku.code for lv in levels}
    missing = set(sku_ids) - codes.keys()
    if missing:
        codes.update(SKU.objects.filter(pk__in=missing).values_list("pk", "code"))
    return codes


def _warehouses_of(levels: list[StockLevel]) -> list[Warehouse]:
    found = {lv.warehouse_id: lv.warehouse for lv in levels}
    return sorted(found.values(), key=lambda w: (w.priority, w.code))


def allocation_plan(*, lines: list[DemandLine], province: str) -> AllocationResult:
    """What ``allocate`` would do now, without reserving anything (stock may change before you act)."""
    _validate_lines(lines)
    all_lines = lines
    lines, drop_ship = _set_aside_drop_ship(lines, drop_ship_suppliers({line.sku_id for line in lines}))
    sku_ids = sorted({line.sku_id for line in lines})
    levels = [
        lv
        for lv in StockLevel.objects.select_related("sku", "warehouse").filter(sku_id__in=sku_ids)
        if lv.warehouse.is_active
    ]
    warehouses = _warehouses_of(levels)
    _assignments, explanation, short = _plan(
        lines=lines,
        province=province,
        warehouses=warehouses,
        available={(lv.sku_id, lv.warehouse_id): lv.available for lv in levels},
        sku_codes=_sku_codes(sku_ids, levels),
        today_load=reservations_made_today,
    )
    result = AllocationResult(allocated=not short, reservations=[], explanation=explanation, short=short)
    return _with_drop_ship(result, drop_ship, _sku_codes({x.sku_id for x in all_lines}, levels), all_lines)


@service
def allocate(*, lines: list[DemandLine], province: str, by=None) -> AllocationResult:
    """Plan and reserve atomically, all or nothing. A plain shortage returns ``allocated=False``.

    Every StockLevel row of the demanded SKUs in active warehouses is locked first, in
    (sku_id, warehouse_id) order, and the plan is made from the locked rows: availability cannot
    change under the decision, so there is nothing to re-check afterwards. Drop-ship lines are set aside
    for their supplier (``result.drop_ship``) and need no stock.
    """
    _validate_lines(lines)
    all_lines = lines
    lines, drop_ship = _set_aside_drop_ship(lines, drop_ship_suppliers({line.sku_id for line in lines}))
    result = _allocate_own(lines, province)
    codes = {} if not drop_ship else _sku_codes({line.sku_id for line in all_lines}, [])
    return _with_drop_ship(result, drop_ship, codes, all_lines)


def _allocate_own(lines: list[DemandLine], province: str) -> AllocationResult:
    if not lines:
        return AllocationResult(allocated=True, explanation={"decision": "nothing_to_allocate"})
    sku_ids = sorted({line.sku_id for line in lines})
    levels = _lock_active_levels(sku_ids)
    held = _already_held(sorted({line.ref for line in lines}))
    if held is not None:
        return held
    by_key, assignments, explanation, short = _plan_locked(lines, province, levels, sku_ids)
    if short:
        return AllocationResult(allocated=False, explanation=explanation, short=short)
    reservations = _reserve(lines, assignments, by_key)
    return AllocationResult(allocated=True, reservations=reservations, explanation=explanation, short={})


def _plan_locked(lines: list[DemandLine], province: str, levels: list[StockLevel], sku_ids: list[int]):
    """The plan made from locked levels: (levels by (sku, warehouse), assignments, explanation, short)."""
    by_key = {(lv.sku_id, lv.warehouse_id): lv for lv in levels}
    assignments, explanation, short = _plan(
        lines=lines,
        province=province,
        warehouses=_warehouses_of(levels),
        available={key: lv.on_hand - lv.reserved for key, lv in by_key.items()},
        sku_codes=_sku_codes(sku_ids, levels),
        today_load=reservations_made_today,
    )
    return by_key, assignments, explanation, short


def _lock_active_levels(sku_ids: list[int]) -> list[StockLevel]:
    """Lock every StockLevel row of ``sku_ids`` in (sku_id, warehouse_id) order; keep those of active warehouses.

    Rows of inactive warehouses are locked too (a simpler plan on the unique index) but never planned
    with. Candidates are the active warehouses that stock any of the SKUs: one that has none of them
    could not fill a line.
    """
    quote = connection.ops.quote_name
    rows = fetch_rows(
        f"SELECT {_LEVEL.sql('l')}, {_SKU.sql('k')}, {_WAREHOUSE.sql('w')} "  # noqa: S608 - names from model meta
        f"FROM {quote(StockLevel._meta.db_table)} l JOIN {quote(SKU._meta.db_table)} k ON k.id = l.sku_id "
        f"JOIN {quote(Warehouse._meta.db_table)} w ON w.id = l.warehouse_id "
        "WHERE l.sku_id = ANY(%s) ORDER BY l.sku_id, l.warehouse_id FOR UPDATE OF l",
        [list(sku_ids)],
    )
    levels = []
    skus: dict[int, SKU] = {}
    warehouses: dict[int, Warehouse] = {}
    for row in rows:
        level = _LEVEL.take(row)
        warehouse = warehouses.get(level.warehouse_id) or warehouses.setdefault(
            level.warehouse_id, _WAREHOUSE.take(row, _LEVEL.width + _SKU.width)
        )
        if not warehouse.is_active:
            continue
        sku = skus.get(level.sku_id) or skus.setdefault(level.sku_id, _SKU.take(row, _LEVEL.width))
        _LEVEL.relate(level, "sku", sku)
        _LEVEL.relate(level, "warehouse", warehouse)
        levels.append(level)
    return levels


_LEVEL = ModelColumns(StockLevel)
_SKU = ModelColumns(SKU)
_WAREHOUSE = ModelColumns(Warehouse)


def _already_held(refs: list[str]) -> AllocationResult | None:
    """Already allocated (e.g. a retried task): hand back what is held instead of holding it twice."""
    existing = list(Reservation.objects.filter(demand_ref__in=refs, status=ReservationStatus.ACTIVE))
    if not existing:
        return None
    held = {r.demand_ref for r in existing}
    return AllocationResult(
        allocated=held == set(refs),
        reservations=existing,
        explanation={"decision": "already_allocated", "refs": sorted(held)},
    )


def _reserve(
    lines: list[DemandLine], assignments: list[Assignment], by_key: dict[StockKey, StockLevel]
) -> list[Reservation]:
    """Write the plan: one INSERT of reservations, one UPDATE of the reserved counters, then the alerts."""
    reservations = Reservation.objects.bulk_create(
        [
            Reservation(sku_id=lines[i].sku_id, warehouse_id=wid, quantity=qty, demand_ref=lines[i].ref)
            for i, wid, qty in assignments
        ]
    )
    per_level: dict[StockKey, int] = defaultdict(int)
    for i, wid, qty in assignments:
        per_level[(lines[i].sku_id, wid)] += qty
    touched = [by_key[key] for key in sorted(per_level)]
    _add_reserved({by_key[key].pk: qty for key, qty in per_level.items()})
    for key in sorted(per_level):
        by_key[key].reserved += per_level[key]
    stock_alerts_review(touched, may_recover=False)
    return reservations


# --- Decided here, written by the caller ----------------------------------------------------------


@dataclass
class PreparedAllocation:
    """An allocation decided on locked stock whose rows are not written yet.

    For a caller that writes its own rows in the same statement (the single-order intake writes the order,
    its lines and these reservations with one ``oms.db.write_at_once``): it adds ``parts()`` to its
    statement, then hands the rows the statement returned to ``written()``. Inventory still decides what is
    written to its tables; the caller only sends it.
    """

    result: AllocationResult
    reservations: list[Reservation] = field(default_factory=list)
    deltas: dict[int, int] = field(default_factory=dict)  # stock level id -> units reserved now
    touched: list[StockLevel] = field(default_factory=list)

    # The reservations had their ids before the write (``reservation_ids``): nothing comes back from it.
    numbered: bool = False

    def parts(self) -> list[StatementPart]:
        """The INSERT of the reservations (returning their ids unless ``numbered``) and the UPDATE of the
        reserved counters."""
        if not self.reservations:
            return []
        return [
            insert_part(self.reservations, returning="" if self.numbered else "id, demand_ref, warehouse_id"),
            _add_reserved_part(self.deltas),
        ]

    def written(self, rows: list[tuple]) -> None:
        """After the caller's statement: the reservations get their ids (unless ``numbered``: then ``rows`` is
        not used), then the low-stock review runs."""
        if self.numbered:
            for reservation in self.reservations:
                reservation._state.adding = False
        else:
            ids = {(ref, wid): pk for pk, ref, wid in rows}
            for reservation in self.reservations:
                reservation.pk = ids[(reservation.demand_ref, reservation.warehouse_id)]
        if self.touched:
            stock_alerts_review(self.touched, may_recover=False)


def reservation_ids_sql() -> str:
    """SQL for an array of ``%s`` new reservation ids from their sequence, for a caller's own read (the
    intake reads its ids in one round trip) whose ids go to ``allocation_prepare(reservation_ids=…)``."""
    table = Reservation._meta.db_table
    return f"ARRAY(SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s))"  # noqa: S608 - table from model meta


def allocation_prepare(
    *,
    lines: list[DemandLine],
    province: str,
    suppliers: dict[int, int] | None = None,
    reservation_ids: list[int] | None = None,
) -> PreparedAllocation:
    """Decide as ``allocate`` does, on stock rows locked now, without writing: the caller writes the result
    (``PreparedAllocation``) in its own statement before its transaction ends.

    For demand that is new in the caller's transaction (the lines of an order being taken in), so nothing
    can be held for it yet. ``suppliers``: the drop-ship suppliers of the SKUs when the caller read them
    already (``drop_ship_suppliers``). ``reservation_ids``: ids the caller took from the sequence
    (``reservation_ids_sql``); when there are enough, the reservations have their ids before they are
    written, so the caller can write rows pointing at them in the same statement. Call inside a transaction:
    the stock rows stay locked until it ends.
    """
    _validate_lines(lines)
    all_lines = lines
    if suppliers is None:
        suppliers = drop_ship_suppliers({line.sku_id for line in lines})
    lines, drop_ship = _set_aside_drop_ship(lines, suppliers)
    prepared = PreparedAllocation(
        result=AllocationResult(allocated=True, explanation={"decision": "nothing_to_allocate"})
    )
    if lines:
        sku_ids = sorted({line.sku_id for line in lines})
        by_key, assignments, explanation, short = _plan_locked(
            lines, province, _lock_active_levels(sku_ids), sku_ids
        )
        if short:
            prepared.result = AllocationResult(allocated=False, explanation=explanation, short=short)
        else:
            prepared.reservations = [
                Reservation(sku_id=lines[i].sku_id, warehouse_id=wid, quantity=qty, demand_ref=lines[i].ref)
                for i, wid, qty in assignments
            ]
            if reservation_ids and len(reservation_ids) >= len(prepared.reservations):
                for reservation, pk in zip(prepared.reservations, reservation_ids, strict=False):
                    reservation.pk = pk
                prepared.numbered = True
            for i, wid, qty in assignments:
                key = (lines[i].sku_id, wid)
                prepared.deltas[by_key[key].pk] = prepared.deltas.get(by_key[key].pk, 0) + qty
                by_key[key].reserved += qty
            prepared.touched = sorted(
                {by_key[(lines[i].sku_id, wid)] for i, wid, _q in assignments},
                key=lambda lv: (lv.sku_id, lv.warehouse_id),
            )
            prepared.result = AllocationResult(
                allocated=True, reservations=prepared.reservations, explanation=explanation
            )
    codes = {} if not drop_ship else _sku_codes({line.sku_id for line in all_lines}, [])
    prepared.result = _with_drop_ship(prepared.result, drop_ship, codes, all_lines)
    return prepared


# --- Batches ------------------------------------------------------------------------------------
