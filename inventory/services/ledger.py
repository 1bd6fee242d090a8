"""Stock in, stock out, corrections: receipts, adjustments, counts, transfers, restocked returns, policy.

Every change of ``on_hand`` or ``damaged`` goes through ``_move`` (an ``F()`` update plus its ledger
row in the same transaction); ``reserved`` counters change through ``_change_reserved`` /
``_add_reserved``. Each write ends by reviewing the low-stock alert of the levels it changed and, when
stock came in, by announcing it to the orders app after commit.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.db.models import F
from django.utils import timezone

from inventory.choices import MovementKind, StockBucket
from inventory.exceptions import (
    InactiveWarehouse,
    InsufficientStock,
    InvalidQuantity,
    ReasonRequired,
    SameWarehouse,
    StockBelowReserved,
)
from inventory.models import StockLevel, StockMovement, Warehouse
from inventory.services._common import (
    _check_quantity,
    _damaged_location_id,
    _ensure_levels,
    _level_existing,
    _level_for_write,
    _lock_levels,
    _receiving_location_id,
    service,
)
from inventory.services.alerts import stock_alerts_review
from inventory.services.backorders import _announce_stock_arrived
from oms.db import StatementPart
from oms.notes import note as make_note


def _move(
    level: StockLevel,
    *,
    kind: str,
    quantity: int,
    bucket: str = StockBucket.SELLABLE,
    reserved_delta: int = 0,
    reference: str = "",
    reason: str = "",
    supplier_id: int | None = None,
    unit_cost: Decimal | None = None,
    location_id: int | None = None,
    by=None,
) -> StockMovement:
    """Change on_hand (or damaged) of a locked level by ``quantity`` and write the ledger row for it."""
    column = "on_hand" if bucket == StockBucket.SELLABLE else "damaged"
    updates = {column: F(column) + quantity, "updated_at": timezone.now()}
    if reserved_delta:
        updates["reserved"] = F("reserved") + reserved_delta
    StockLevel.objects.filter(pk=level.pk).update(**updates)
    setattr(level, column, getattr(level, column) + quantity)
    level.reserved += reserved_delta
    return StockMovement.objects.create(
        sku_id=level.sku_id,
        warehouse_id=level.warehouse_id,
        location_id=location_id,
        kind=kind,
        bucket=bucket,
        quantity=quantity,
        balance_after=getattr(level, column),
        reference=reference[:100],
        reason=reason[:300],
        supplier_id=supplier_id,
        unit_cost=unit_cost,
        by=by if getattr(by, "pk", None) else None,
    )


def _level_changed(level: StockLevel, *, gained: bool) -> None:
    """After a write to one level: its low-stock alert is reviewed; stock that arrived may serve backorders."""
    stock_alerts_review([level], may_recover=gained)
    if gained:
        _announce_stock_arrived([level.sku_id])


def _add_reserved(deltas: dict[int, int]) -> None:
    """reserved += delta for several locked levels in one statement (an allocation touches 1–4)."""
    if len(deltas) == 1:
        (pk, delta), *_rest = deltas.items()
        StockLevel.objects.filter(pk=pk).update(reserved=F("reserved") + delta, updated_at=timezone.now())
        return
    part = _add_reserved_part(deltas)
    with connection.cursor() as cursor:
        cursor.execute(part.sql, part.params)


def _add_reserved_part(deltas: dict[int, int]) -> StatementPart:
    """The UPDATE of ``_add_reserved`` as a part of a caller's one-statement write (``write_at_once``)."""
    values = ", ".join(["(%s::bigint, %s::integer)"] * len(deltas))
    params = [x for pair in sorted(deltas.items()) for x in pair]
    table = StockLevel._meta.db_table
    return StatementPart(
        f"UPDATE {table} AS l SET reserved = l.reserved + v.delta, updated_at = %s "  # noqa: S608 - table from model meta
        f"FROM (VALUES {values}) AS v(id, delta) WHERE l.id = v.id",
        [timezone.now(), *params],
    )


def _change_reserved(level: StockLevel, delta: int) -> None:
    StockLevel.objects.filter(pk=level.pk).update(reserved=F("reserved") + delta, updated_at=timezone.now())
    level.reserved += delta


def _refuse_below_reserved(level: StockLevel, on_hand_after: int) -> None:
    if on_hand_after < level.reserved:
        raise StockBelowReserved(
            sku_code=level.sku.code,
            warehouse_code=level.warehouse.code,
            on_hand_after=on_hand_after,
            reserved=level.reserved,
        )


@service
def stock_receive(
    *,
    sku_id: int,
    warehouse_id: int,
    quantity: int,
    supplier_id: int | None = None,
    reference: str = "",
    unit_cost: Decimal | None = None,
    on_order_taken: int = 0,
    by=None,
) -> StockMovement:
    """Goods arrived from a supplier: on_hand up, 'receipt' ledger row; backorders are retried after commit.

    ``on_order_taken``: how many of these units were on order on a purchase order (what is still to come
    on sent purchase orders is the level's ``on_order``; a receipt without a purchase order leaves it).
    """
    _check_quantity(quantity)
    level = _level_for_write(sku_id=sku_id, warehouse_id=warehouse_id, active_only=True)
    movement = _move(
        level,
        kind=MovementKind.RECEIPT,
        quantity=quantity,
        reference=reference,
        supplier_id=supplier_id,
        unit_cost=unit_cost,
        location_id=_receiving_location_id(warehouse_id),
        by=by,
    )
    if on_order_taken:
        StockLevel.objects.filter(pk=level.pk).update(on_order=F("on_order") - on_order_taken)
        level.on_order -= on_order_taken
    _level_changed(level, gained=True)
    return movement


@service
def stock_adjust(
    *, sku_id: int, warehouse_id: int, quantity: int, reason: str, reference: str = "", by=None
) -> StockMovement:
    """Correct on_hand by ``quantity`` (positive found, negative lost/broken) with a reason."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity == 0:
        raise InvalidQuantity(quantity)
    if not (reason or "").strip():
        raise ReasonRequired()
    if quantity > 0:
        level = _level_for_write(sku_id=sku_id, warehouse_id=warehouse_id)
    else:
        level = _level_existing(sku_id=sku_id, warehouse_id=warehouse_id)
        _refuse_below_reserved(level, level.on_hand + quantity)
    movement = _move(
        level,
        kind=MovementKind.ADJUSTMENT,
        quantity=quantity,
        reason=reason.strip(),
        reference=reference,
        by=by,
    )
    _level_changed(level, gained=quantity > 0)
    return movement


@service
def stock_count(
    *, sku_id: int, warehouse_id: int, counted: int, reference: str = "", reason: str = "", by=None
) -> StockMovement | None:
    """A cycle count: on_hand becomes ``counted``; the difference is one 'count' ledger row (None if equal)."""
    if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
        raise InvalidQuantity(counted)
    level = _level_for_write(sku_id=sku_id, warehouse_id=warehouse_id)
    difference = counted - level.on_hand
    if difference == 0:
        return None
    _refuse_below_reserved(level, counted)
    movement = _move(
        level,
        kind=MovementKind.COUNT,
        quantity=difference,
        reference=reference,
        reason=reason or make_note("inventory.counted", counted=counted, before=counted - difference),
        by=by,
    )
    _level_changed(level, gained=difference > 0)
    return movement


@service
def stock_transfer(
    *,
    sku_id: int,
    from_warehouse_id: int,
    to_warehouse_id: int,
    quantity: int,
    reference: str = "",
    by=None,
) -> tuple[StockMovement, StockMovement]:
    """Move available units from one warehouse to another: 'transfer_out' and 'transfer_in' ledger rows."""
    _check_quantity(quantity)
    if from_warehouse_id == to_warehouse_id:
        raise SameWarehouse()
    target = Warehouse.objects.only("code", "is_active").get(pk=to_warehouse_id)
    if not target.is_active:
        raise InactiveWarehouse(target.code)
    _ensure_levels([(sku_id, from_warehouse_id), (sku_id, to_warehouse_id)])
    levels = _lock_levels([(sku_id, from_warehouse_id), (sku_id, to_warehouse_id)])
    source, destination = levels[(sku_id, from_warehouse_id)], levels[(sku_id, to_warehouse_id)]
    if source.on_hand - source.reserved < quantity:
        raise InsufficientStock(
            sku_code=source.sku.code,
            warehouse_code=source.warehouse.code,
            available=source.on_hand - source.reserved,
            asked=quantity,
        )
    ref = reference or f"transfer:{source.warehouse.code}->{destination.warehouse.code}"
    out = _move(source, kind=MovementKind.TRANSFER_OUT, quantity=-quantity, reference=ref, by=by)
    into = _move(destination, kind=MovementKind.TRANSFER_IN, quantity=quantity, reference=ref, by=by)
    stock_alerts_review([source], may_recover=False)
    stock_alerts_review([destination], may_recover=True)
    _announce_stock_arrived([sku_id])
    return out, into


@service
def stock_restock_return(
    *, sku_id: int, warehouse_id: int, quantity: int, resellable: bool, reference: str = "", by=None
) -> StockMovement:
    """A customer return was inspected: resellable units go back on hand, damaged ones to the damaged bin."""
    _check_quantity(quantity)
    level = _level_for_write(sku_id=sku_id, warehouse_id=warehouse_id)
    if resellable:
        movement = _move(
            level, kind=MovementKind.RETURN_RESTOCK, quantity=quantity, reference=reference, by=by
        )
        _level_changed(level, gained=True)
    else:
        movement = _move(
            level,
            kind=MovementKind.RETURN_DAMAGED,
            bucket=StockBucket.DAMAGED,
            quantity=quantity,
            reference=reference,
            location_id=_damaged_location_id(warehouse_id),
            by=by,
        )
    return movement


@service
def stock_level_set_policy(
    *, sku_id: int, warehouse_id: int, safety_stock: int, reorder_point: int | None = None, by=None
) -> StockLevel:
    """Set the safety stock (and reorder point) of a SKU in a warehouse; opens or closes its alert."""
    if isinstance(safety_stock, bool) or not isinstance(safety_stock, int) or safety_stock < 0:
        raise InvalidQuantity(safety_stock)
    level = _level_for_write(sku_id=sku_id, warehouse_id=warehouse_id)
    level.safety_stock = safety_stock
    level.reorder_point = reorder_point if reorder_point is not None else level.reorder_point
    StockLevel.objects.filter(pk=level.pk).update(
        safety_stock=level.safety_stock, reorder_point=level.reorder_point, updated_at=timezone.now()
    )
    stock_alerts_review([level], may_recover=True)
    return level
