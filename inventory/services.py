"""Every write to stock: receive, adjust, count, transfer, reserve, release, consume, restock, allocate.

Rules every function here keeps (DESIGN.md, invariants 1 and 2):
- it runs in one transaction (retried on deadlock / serialization failure when it is the outermost one);
- StockLevel rows are locked with ``select_for_update`` ordered by (sku_id, warehouse_id) before
  they are read for a decision, and changed with ``F()`` updates;
- every change of ``on_hand`` or ``damaged`` writes its StockMovement row in the same transaction;
  ``reserved`` always equals the sum of the ACTIVE Reservation rows;
- side effects (backorder allocation in the orders app, notifications) happen after commit.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.choices import AlertStatus, LocationKind, MovementKind, ReservationStatus, StockBucket
from inventory.exceptions import (
    InactiveWarehouse,
    InsufficientStock,
    InvalidQuantity,
    NoActiveReservation,
    ReasonRequired,
    SameWarehouse,
    StockBelowReserved,
)
from inventory.models import SKU, Location, LowStockAlert, Reservation, StockLevel, StockMovement, Warehouse
from oms.db import retry_on_conflict
from oms.models import OutboxMessage
from oms.notifications import outbox_enqueue

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

BACKORDER_TASK = "orders.tasks.allocate_backorders_task"
ACTIVE = ReservationStatus.ACTIVE


# --------------------------------------------------------------------------------------------
# The contract the orders app codes against
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemandLine:
    """One order line's need: ``ref`` is a plain demand reference such as ``"order-line:123"``."""

    ref: str
    sku_id: int
    quantity: int


@dataclass
class AllocationResult:
    allocated: bool  # True: every line fully reserved; False: nothing reserved (backorder)
    reservations: list[Reservation] = field(default_factory=list)
    explanation: dict = field(default_factory=dict)  # JSON-able: candidates, decision, shortages
    short: dict[int, int] = field(default_factory=dict)  # sku_id -> units missing across all warehouses


def service(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` atomically: retried on conflict when outermost, in a savepoint inside a caller's block.

    The savepoint lets a caller catch a refusal (e.g. InsufficientStock) and carry on with its own
    transaction; the retry only helps when we own the transaction.
    """
    retrying = retry_on_conflict(func)

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if connection.in_atomic_block:
            with transaction.atomic():
                return func(*args, **kwargs)
        return retrying(*args, **kwargs)

    return wrapper


# --------------------------------------------------------------------------------------------
# Helpers: validation, locks, ledger, alerts, after-commit hooks
# --------------------------------------------------------------------------------------------


def _check_quantity(quantity) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise InvalidQuantity(quantity)
    return quantity


def _ensure_levels(pairs: Iterable[tuple[int, int]]) -> None:
    """Create missing StockLevel rows (0 everywhere) so they can be locked; concurrent creators don't clash."""
    rows = [StockLevel(sku_id=s, warehouse_id=w) for s, w in sorted(set(pairs))]
    StockLevel.objects.bulk_create(rows, ignore_conflicts=True)


def _lock_levels(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], StockLevel]:
    """Lock the StockLevel rows of ``pairs`` in (sku_id, warehouse_id) order; missing rows are left out."""
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    condition = Q()
    for sku_id, warehouse_id in pairs:
        condition |= Q(sku_id=sku_id, warehouse_id=warehouse_id)
    levels = (
        StockLevel.objects.select_for_update(of=("self",))
        .select_related("sku", "warehouse")
        .filter(condition)
        .order_by("sku_id", "warehouse_id")
    )
    return {(lv.sku_id, lv.warehouse_id): lv for lv in levels}


def _level_for_write(*, sku_id: int, warehouse_id: int, active_only: bool = False) -> StockLevel:
    """Lock (creating if needed) one StockLevel for a change that may bring stock in.

    Counts, adjustments and returns are allowed in an inactive warehouse (it is being emptied);
    receipts from suppliers (``active_only``) are not.
    """
    warehouse = Warehouse.objects.only("code", "is_active").get(pk=warehouse_id)
    if active_only and not warehouse.is_active:
        raise InactiveWarehouse(warehouse.code)
    SKU.objects.only("pk").get(pk=sku_id)
    _ensure_levels([(sku_id, warehouse_id)])
    return _lock_levels([(sku_id, warehouse_id)])[(sku_id, warehouse_id)]


def _level_existing(*, sku_id: int, warehouse_id: int) -> StockLevel:
    """Lock one StockLevel for a change that takes stock out; a missing row counts as zero stock."""
    level = _lock_levels([(sku_id, warehouse_id)]).get((sku_id, warehouse_id))
    if level is None:
        _ensure_levels([(sku_id, warehouse_id)])
        level = _lock_levels([(sku_id, warehouse_id)])[(sku_id, warehouse_id)]
    return level


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


def _add_reserved(deltas: dict[int, int]) -> None:
    """reserved += delta for several locked levels in one statement (an allocation touches 1–4)."""
    if len(deltas) == 1:
        (pk, delta), *_rest = deltas.items()
        StockLevel.objects.filter(pk=pk).update(reserved=F("reserved") + delta, updated_at=timezone.now())
        return
    values = ", ".join(["(%s::bigint, %s::integer)"] * len(deltas))
    params = [x for pair in sorted(deltas.items()) for x in pair]
    table = StockLevel._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS l SET reserved = l.reserved + v.delta, updated_at = %s "  # noqa: S608 - table from model meta
            f"FROM (VALUES {values}) AS v(id, delta) WHERE l.id = v.id",
            [timezone.now(), *params],
        )


def _change_reserved(level: StockLevel, delta: int) -> None:
    StockLevel.objects.filter(pk=level.pk).update(reserved=F("reserved") + delta, updated_at=timezone.now())
    level.reserved += delta


def _review_low_stock(levels: Iterable[StockLevel], *, may_recover: bool) -> None:
    """Open one alert per SKU × warehouse when available < safety stock; close it when stock recovers.

    The partial unique constraint decides who opens the alert (INSERT … ON CONFLICT DO NOTHING), so
    concurrent services never open two and only the one that opened it queues the notification.
    """
    for level in levels:
        available = level.on_hand - level.reserved
        if level.safety_stock and available < level.safety_stock:
            _open_alert(level, available)
        elif may_recover:
            LowStockAlert.objects.filter(
                sku_id=level.sku_id, warehouse_id=level.warehouse_id, status=AlertStatus.OPEN
            ).update(status=AlertStatus.CLOSED, closed_at=timezone.now())


def _open_alert(level: StockLevel, available: int) -> None:
    table = LowStockAlert._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (sku_id, warehouse_id, status, available_at_open, safety_stock, opened_at) "  # noqa: S608 - table name from model meta
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
            [
                level.sku_id,
                level.warehouse_id,
                AlertStatus.OPEN,
                available,
                level.safety_stock,
                timezone.now(),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return  # an alert is already open
    sku_code, warehouse_code = level.sku.code, level.warehouse.code
    outbox_enqueue(
        channel=OutboxMessage.Channel.EMAIL,
        recipient=getattr(settings, "OMS_PURCHASING_EMAIL", "purchasing@example.com"),
        subject=_("Low stock: %(sku)s in %(warehouse)s") % {"sku": sku_code, "warehouse": warehouse_code},
        body=_(
            "%(sku)s %(name)s in %(warehouse)s: %(available)s available, safety stock %(safety)s. "
            "Please reorder (see Replenishment in the back office)."
        )
        % {
            "sku": sku_code,
            "name": level.sku.name,
            "warehouse": warehouse_code,
            "available": available,
            "safety": level.safety_stock,
        },
        event="inventory.low_stock",
        dedupe_key=f"low-stock-alert:{row[0]}",
    )


def _announce_stock_arrived(sku_ids: Iterable[int]) -> None:
    """After commit, ask the orders app (by task name: inventory never imports it) to allocate backorders."""
    ids = sorted(set(sku_ids))
    if ids:
        transaction.on_commit(functools.partial(send_backorder_task, sku_ids=ids))


def send_backorder_task(*, sku_ids: list[int]) -> bool:
    """Send ``orders.tasks.allocate_backorders_task`` when an app registered it; False when none did."""
    from celery import current_app

    tasks = current_app.tasks
    if BACKORDER_TASK not in tasks:
        return False
    if current_app.conf.task_always_eager:
        tasks[BACKORDER_TASK].apply_async(kwargs={"sku_ids": sku_ids})
    else:
        current_app.send_task(BACKORDER_TASK, kwargs={"sku_ids": sku_ids})
    return True


def _damaged_location_id(warehouse_id: int) -> int | None:
    return (
        Location.objects.filter(warehouse_id=warehouse_id, kind=LocationKind.DAMAGED)
        .order_by("pick_sequence", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def _receiving_location_id(warehouse_id: int) -> int | None:
    return (
        Location.objects.filter(warehouse_id=warehouse_id, kind=LocationKind.RECEIVING)
        .order_by("pick_sequence", "pk")
        .values_list("pk", flat=True)
        .first()
    )


# --------------------------------------------------------------------------------------------
# Stock in, stock out, corrections
# --------------------------------------------------------------------------------------------


@service
def stock_receive(
    *,
    sku_id: int,
    warehouse_id: int,
    quantity: int,
    supplier_id: int | None = None,
    reference: str = "",
    unit_cost: Decimal | None = None,
    by=None,
) -> StockMovement:
    """Goods arrived from a supplier: on_hand up, 'receipt' ledger row; backorders are retried after commit."""
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
    # What was on order from suppliers is now here (never below zero).
    if level.on_order:
        taken = min(level.on_order, quantity)
        StockLevel.objects.filter(pk=level.pk).update(on_order=F("on_order") - taken)
        level.on_order -= taken
    _review_low_stock([level], may_recover=True)
    _announce_stock_arrived([sku_id])
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
        if level.on_hand + quantity < level.reserved:
            raise StockBelowReserved(
                sku_code=level.sku.code,
                warehouse_code=level.warehouse.code,
                on_hand_after=level.on_hand + quantity,
                reserved=level.reserved,
            )
    movement = _move(
        level,
        kind=MovementKind.ADJUSTMENT,
        quantity=quantity,
        reason=reason.strip(),
        reference=reference,
        by=by,
    )
    _review_low_stock([level], may_recover=quantity > 0)
    if quantity > 0:
        _announce_stock_arrived([sku_id])
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
    if counted < level.reserved:
        raise StockBelowReserved(
            sku_code=level.sku.code,
            warehouse_code=level.warehouse.code,
            on_hand_after=counted,
            reserved=level.reserved,
        )
    movement = _move(
        level,
        kind=MovementKind.COUNT,
        quantity=difference,
        reference=reference,
        reason=reason
        or _("Counted %(counted)s, system had %(before)s")
        % {"counted": counted, "before": counted - difference},
        by=by,
    )
    _review_low_stock([level], may_recover=difference > 0)
    if difference > 0:
        _announce_stock_arrived([sku_id])
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
    _review_low_stock([source], may_recover=False)
    _review_low_stock([destination], may_recover=True)
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
        _review_low_stock([level], may_recover=True)
        _announce_stock_arrived([sku_id])
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
    _review_low_stock([level], may_recover=True)
    return level


# --------------------------------------------------------------------------------------------
# Reservations
# --------------------------------------------------------------------------------------------


@service
def stock_reserve(*, sku_id: int, warehouse_id: int, quantity: int, demand_ref: str, by=None) -> Reservation:
    """Hold ``quantity`` of a SKU in one warehouse for ``demand_ref``; refused when not available."""
    _check_quantity(quantity)
    level = _level_existing(sku_id=sku_id, warehouse_id=warehouse_id)
    if not level.warehouse.is_active:
        raise InactiveWarehouse(level.warehouse.code)
    if level.on_hand - level.reserved < quantity:
        raise InsufficientStock(
            sku_code=level.sku.code,
            warehouse_code=level.warehouse.code,
            available=level.on_hand - level.reserved,
            asked=quantity,
        )
    reservation = Reservation.objects.create(
        sku_id=sku_id, warehouse_id=warehouse_id, quantity=quantity, demand_ref=demand_ref
    )
    _change_reserved(level, quantity)
    _review_low_stock([level], may_recover=False)
    return reservation


def _lock_active_reservations(
    demand_refs: list[str],
) -> tuple[list[Reservation], dict[tuple[int, int], StockLevel]]:
    """Lock the levels (first, in order) and then the ACTIVE reservations of ``demand_refs``."""
    pairs = set(
        Reservation.objects.filter(demand_ref__in=demand_refs, status=ACTIVE).values_list(
            "sku_id", "warehouse_id"
        )
    )
    if not pairs:
        return [], {}
    levels = _lock_levels(pairs)
    reservations = list(
        Reservation.objects.select_for_update()
        .filter(demand_ref__in=demand_refs, status=ACTIVE)
        .order_by("pk")
    )
    late = {(r.sku_id, r.warehouse_id) for r in reservations} - levels.keys()
    if late:  # reserved by someone between our two reads: lock those levels too
        levels.update(_lock_levels(late))
    return reservations, levels


@service
def reservation_release(*, demand_refs: list[str], reason: str = "", by=None) -> int:
    """Release every ACTIVE reservation of ``demand_refs``; returns units released (0 the second time)."""
    reservations, levels = _lock_active_reservations(list(demand_refs))
    if not reservations:
        return 0
    per_level: dict[tuple[int, int], int] = defaultdict(int)
    for reservation in reservations:
        per_level[(reservation.sku_id, reservation.warehouse_id)] += reservation.quantity
    Reservation.objects.filter(pk__in=[r.pk for r in reservations]).update(
        status=ReservationStatus.RELEASED, closed_at=timezone.now(), closed_reason=reason[:300]
    )
    for key in sorted(per_level):
        _change_reserved(levels[key], -per_level[key])
    _review_low_stock([levels[key] for key in sorted(per_level)], may_recover=True)
    return sum(per_level.values())


@service
def reservation_consume(
    *, demand_ref: str, reference: str = "", warehouse_id: int | None = None, by=None
) -> list[StockMovement]:
    """On shipment: the active reservations of ``demand_ref`` are consumed; on_hand and reserved go down.

    ``warehouse_id``: only that warehouse's reservations (a line split over warehouses ships as one
    parcel per warehouse); None: every warehouse's. Safe to call twice: once consumed, a second call
    returns an empty list.
    """
    reservations, levels = _lock_active_reservations([demand_ref])
    if warehouse_id is not None:
        reservations = [r for r in reservations if r.warehouse_id == warehouse_id]
    if not reservations:
        consumed = Reservation.objects.filter(demand_ref=demand_ref, status=ReservationStatus.CONSUMED)
        if warehouse_id is not None:
            consumed = consumed.filter(warehouse_id=warehouse_id)
        if consumed.exists():
            return []
        raise NoActiveReservation(demand_ref)
    movements = []
    for reservation in sorted(reservations, key=lambda r: (r.sku_id, r.warehouse_id, r.pk)):
        level = levels[(reservation.sku_id, reservation.warehouse_id)]
        movements.append(
            _move(
                level,
                kind=MovementKind.SHIPMENT,
                quantity=-reservation.quantity,
                reserved_delta=-reservation.quantity,
                reference=reference or demand_ref,
                by=by,
            )
        )
    Reservation.objects.filter(pk__in=[r.pk for r in reservations]).update(
        status=ReservationStatus.CONSUMED, closed_at=timezone.now()
    )
    return movements


# --------------------------------------------------------------------------------------------
# Allocation: which warehouses serve a set of demand lines for a destination, and why
# --------------------------------------------------------------------------------------------


@dataclass
class _Candidate:
    warehouse: Warehouse
    region_match: bool
    available: dict[int, int]  # sku_id -> available units
    today: int | None = None  # active reservations made today (load), computed only when it decides
    fills: list[int] = field(default_factory=list)  # indexes of lines it can fill on its own

    @property
    def load(self) -> float | None:
        if self.today is None:
            return None
        return round(self.today / max(self.warehouse.daily_capacity, 1), 4)

    def rank(self) -> tuple:
        return (not self.region_match, self.warehouse.priority, self.load or 0.0, self.warehouse.code)


def _fillable(lines: list[DemandLine], indexes: list[int], available: dict[int, int]) -> list[int]:
    """Lines (in order) a warehouse can fill whole with ``available``, counting the same SKU only once."""
    left = dict(available)
    filled = []
    for i in indexes:
        line = lines[i]
        if left.get(line.sku_id, 0) >= line.quantity:
            left[line.sku_id] -= line.quantity
            filled.append(i)
    return filled


def _today_load(warehouse_ids: list[int]) -> dict[int, int]:
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    rows = (
        Reservation.objects.filter(warehouse_id__in=warehouse_ids, status=ACTIVE, created_at__gte=start)
        .values("warehouse_id")
        .annotate(n=Count("pk"))
    )
    counts = {row["warehouse_id"]: row["n"] for row in rows}
    return {wid: counts.get(wid, 0) for wid in warehouse_ids}


LoadCounter = Callable[[list[int]], dict[int, int]]


def _fill_loads(candidates: list[_Candidate], today_load: LoadCounter) -> None:
    missing = [c for c in candidates if c.today is None]
    if missing:
        loads = today_load([c.warehouse.pk for c in missing])
        for c in missing:
            c.today = loads[c.warehouse.pk]


def _resolve_ties(ranked: list[_Candidate], today_load: LoadCounter) -> None:
    """Load only decides between candidates equal on region match and priority: count it only then."""
    if len(ranked) >= 2 and ranked[0].rank()[:2] == ranked[1].rank()[:2]:
        _fill_loads([c for c in ranked if c.rank()[:2] == ranked[0].rank()[:2]], today_load)


def _plan(
    *,
    lines: list[DemandLine],
    province: str,
    warehouses: list[Warehouse],
    available: dict[tuple[int, int], int],
    sku_codes: dict[int, str],
    today_load: LoadCounter = _today_load,
) -> tuple[list[tuple[int, int, int]], dict, dict[int, int]]:
    """Decide where each line is served from. Returns (assignments, explanation, short).

    ``assignments`` are (line index, warehouse id, quantity); empty when something is short.
    ``today_load`` counts each warehouse's reservations made today, asked only when load breaks a tie.
    """
    province = (province or "").strip()
    candidates = [
        _Candidate(
            warehouse=w,
            region_match=bool(province) and province in (w.regions or []),
            available={sku: qty for (sku, wid), qty in available.items() if wid == w.pk and qty > 0},
        )
        for w in warehouses
    ]
    all_indexes = list(range(len(lines)))
    for c in candidates:
        c.fills = _fillable(lines, all_indexes, c.available)

    need: dict[int, int] = defaultdict(int)
    for line in lines:
        need[line.sku_id] += line.quantity
    total: dict[int, int] = defaultdict(int)
    for (sku, _wid), qty in available.items():
        total[sku] += max(qty, 0)
    short = {sku: need[sku] - total[sku] for sku in need if need[sku] > total[sku]}

    assignments: list[tuple[int, int, int]] = []
    chosen: list[_Candidate] = []
    reasons: dict[int, str] = {}
    if short:
        decision = "backorder"
        for c in candidates:
            reasons[c.warehouse.pk] = _("Not enough stock anywhere: the order waits for stock.")
    else:
        full = sorted((c for c in candidates if len(c.fills) == len(lines)), key=lambda c: c.rank())
        _resolve_ties(full, today_load)
        full.sort(key=lambda c: c.rank())
        if full:
            decision = "single_warehouse"
            best = full[0]
            chosen = [best]
            assignments = [(i, best.warehouse.pk, lines[i].quantity) for i in all_indexes]
            reasons[best.warehouse.pk] = _why_best(best, full[1:])
            for c in full[1:]:
                reasons[c.warehouse.pk] = _why_not(c, best)
        else:
            decision = "split"
            assignments, chosen = _split(lines, candidates, today_load)
            for position, c in enumerate(chosen, start=1):
                reasons[c.warehouse.pk] = _("Chosen as warehouse %(n)s of %(total)s of the split.") % {
                    "n": position,
                    "total": len(chosen),
                }
        for c in candidates:
            if c.warehouse.pk not in reasons:
                missing = [
                    f"{sku_codes.get(lines[i].sku_id, lines[i].sku_id)} "
                    f"({c.available.get(lines[i].sku_id, 0)}/{lines[i].quantity})"
                    for i in all_indexes
                    if i not in c.fills
                ]
                reasons[c.warehouse.pk] = (
                    _("Cannot fill: %(lines)s.") % {"lines": ", ".join(missing)}
                    if missing
                    else _("Not needed: fewer warehouses suffice.")
                )

    chosen_ids = [c.warehouse.pk for c in chosen]
    explanation = {
        "province": province,
        "decision": decision,
        "chosen": [c.warehouse.code for c in chosen],
        "rule": _(
            "One warehouse that can fill every line, by region match, then priority (lower first), "
            "then today's load; otherwise the fewest warehouses (greedy: each step takes the warehouse "
            "that fills the most remaining lines)."
        ),
        "candidates": [
            {
                "warehouse": c.warehouse.code,
                "name": c.warehouse.name,
                "region_match": c.region_match,
                "priority": c.warehouse.priority,
                "load": c.load,
                "reserved_today": c.today,
                "daily_capacity": c.warehouse.daily_capacity,
                "can_fill": [lines[i].ref for i in c.fills],
                "fills_all": len(c.fills) == len(lines),
                "chosen": c.warehouse.pk in chosen_ids,
                "reason": reasons.get(c.warehouse.pk, ""),
            }
            for c in sorted(candidates, key=lambda c: c.rank())
        ],
        "assignments": [
            {
                "ref": lines[i].ref,
                "sku": sku_codes.get(lines[i].sku_id, str(lines[i].sku_id)),
                "warehouse": next(c.warehouse.code for c in candidates if c.warehouse.pk == wid),
                "quantity": qty,
            }
            for i, wid, qty in assignments
        ],
        "short": {sku_codes.get(sku, str(sku)): qty for sku, qty in sorted(short.items())},
    }
    return assignments, explanation, short


def _why_best(best: _Candidate, others: list[_Candidate]) -> str:
    parts = [_("Fills every line")]
    if best.region_match:
        parts.append(_("serves the delivery province"))
    parts.append(_("priority %(p)s") % {"p": best.warehouse.priority})
    if best.load is not None:
        parts.append(_("load today %(n)s/%(cap)s") % {"n": best.today, "cap": best.warehouse.daily_capacity})
    if not others:
        parts.append(_("the only warehouse that can"))
    return ", ".join(str(p) for p in parts) + "."


def _why_not(c: _Candidate, best: _Candidate) -> str:
    if best.region_match and not c.region_match:
        return _("Could fill every line, but does not serve the delivery province.")
    if c.warehouse.priority != best.warehouse.priority:
        return _("Could fill every line, but has a lower priority (%(p)s).") % {"p": c.warehouse.priority}
    if c.load is not None and best.load is not None and c.load != best.load:
        return _("Could fill every line, but is busier today (%(n)s/%(cap)s).") % {
            "n": c.today,
            "cap": c.warehouse.daily_capacity,
        }
    return _("Could fill every line; ranks after %(code)s by code.") % {"code": best.warehouse.code}


def _split(
    lines: list[DemandLine], candidates: list[_Candidate], today_load: LoadCounter
) -> tuple[list[tuple[int, int, int]], list[_Candidate]]:
    """Greedy set cover: repeatedly take the warehouse that fills the most remaining lines whole.

    Lines no single warehouse can fill whole are then split by units, chosen warehouses first.
    Only called when every SKU's total availability covers its need, so it always completes.
    """
    # Load only breaks ties between warehouses equal on region match and priority: count it only then.
    if len({c.rank()[:2] for c in candidates}) < len(candidates):
        _fill_loads(candidates, today_load)
    left = {c.warehouse.pk: dict(c.available) for c in candidates}
    remaining = list(range(len(lines)))
    chosen: list[_Candidate] = []
    assignments: list[tuple[int, int, int]] = []
    while remaining:
        best, best_cover, best_key = None, [], None
        for c in candidates:
            if c in chosen:
                continue
            cover = _fillable(lines, remaining, left[c.warehouse.pk])
            if not cover:
                continue
            key = (-len(cover), -sum(lines[i].quantity for i in cover), c.rank())
            if best_key is None or key < best_key:
                best, best_cover, best_key = c, cover, key
        if best is None:
            break
        chosen.append(best)
        for i in best_cover:
            left[best.warehouse.pk][lines[i].sku_id] -= lines[i].quantity
            assignments.append((i, best.warehouse.pk, lines[i].quantity))
        remaining = [i for i in remaining if i not in best_cover]
    order = chosen + sorted((c for c in candidates if c not in chosen), key=lambda c: c.rank())
    for i in remaining:
        need = lines[i].quantity
        for c in order:
            take = min(need, left[c.warehouse.pk].get(lines[i].sku_id, 0))
            if take <= 0:
                continue
            left[c.warehouse.pk][lines[i].sku_id] -= take
            assignments.append((i, c.warehouse.pk, take))
            if c not in chosen:
                chosen.append(c)
            need -= take
            if need == 0:
                break
    assignments.sort()
    return assignments, chosen


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
    )
    return AllocationResult(allocated=not short, reservations=[], explanation=explanation, short=short)


@service
def allocate(*, lines: list[DemandLine], province: str, by=None) -> AllocationResult:
    """Plan and reserve atomically, all or nothing. A plain shortage returns ``allocated=False``.

    Every StockLevel row of the demanded SKUs in active warehouses is locked first, in
    (sku_id, warehouse_id) order, and the plan is made from the locked rows: availability cannot
    change under the decision, so there is nothing to re-check afterwards.
    """
    _validate_lines(lines)
    if not lines:
        return AllocationResult(allocated=True, explanation={"decision": "nothing_to_allocate"})
    sku_ids = sorted({line.sku_id for line in lines})
    # Every row of these SKUs, in (sku_id, warehouse_id) order; rows of inactive warehouses are locked
    # too (a simpler plan on the unique index) but never planned with. Candidates are the active
    # warehouses that stock any of the SKUs: one that has none of them could not fill a line.
    levels = [
        lv
        for lv in StockLevel.objects.select_for_update(of=("self",))
        .select_related("sku", "warehouse")
        .filter(sku_id__in=sku_ids)
        .order_by("sku_id", "warehouse_id")
        if lv.warehouse.is_active
    ]
    warehouses = _warehouses_of(levels)
    refs = sorted({line.ref for line in lines})
    existing = list(Reservation.objects.filter(demand_ref__in=refs, status=ACTIVE))
    if existing:
        # Already allocated (e.g. a retried task): hand back what is held instead of holding it twice.
        held = {r.demand_ref for r in existing}
        return AllocationResult(
            allocated=held == set(refs),
            reservations=existing,
            explanation={"decision": "already_allocated", "refs": sorted(held)},
        )
    by_key = {(lv.sku_id, lv.warehouse_id): lv for lv in levels}
    assignments, explanation, short = _plan(
        lines=lines,
        province=province,
        warehouses=warehouses,
        available={key: lv.on_hand - lv.reserved for key, lv in by_key.items()},
        sku_codes=_sku_codes(sku_ids, levels),
    )
    if short:
        return AllocationResult(allocated=False, explanation=explanation, short=short)

    reservations = Reservation.objects.bulk_create(
        [
            Reservation(sku_id=lines[i].sku_id, warehouse_id=wid, quantity=qty, demand_ref=lines[i].ref)
            for i, wid, qty in assignments
        ]
    )
    per_level: dict[tuple[int, int], int] = defaultdict(int)
    for i, wid, qty in assignments:
        per_level[(lines[i].sku_id, wid)] += qty
    touched = [by_key[key] for key in sorted(per_level)]
    _add_reserved({by_key[key].pk: qty for key, qty in per_level.items()})
    for key in sorted(per_level):
        by_key[key].reserved += per_level[key]
    _review_low_stock(touched, may_recover=False)
    return AllocationResult(allocated=True, reservations=reservations, explanation=explanation, short={})


@service
def allocate_batch(*, demands: list[tuple[list[DemandLine], str]], by=None) -> list[AllocationResult]:
    """Allocate many demand sets (lines, province) in one transaction, in the order given.

    For batch runs (a wave of approved orders in priority order, backorders): each set is
    all-or-nothing on its own and decided exactly as ``allocate`` would decide it one after the
    other, but the stock rows of every SKU in the batch are locked once, with one
    ``SELECT … FOR UPDATE`` in (sku_id, warehouse_id) order, the decisions are made in memory from
    the locked rows, and the reservations and reserved counters are written with one INSERT and one
    UPDATE. Keep batches small (100–500 sets): the rows stay locked until the batch commits. Load,
    when it breaks a tie, is today's reservations counted once per batch plus those the batch made.
    """
    for lines, _province in demands:
        _validate_lines(lines)
    sku_ids = sorted({line.sku_id for lines, _p in demands for line in lines})
    # Plain values, not model instances: a batch locks thousands of rows and building a StockLevel,
    # an SKU and a Warehouse per row was most of its Python time. Rows of inactive warehouses are
    # locked too (as ``allocate`` does) but never planned with.
    rows = list(
        StockLevel.objects.select_for_update()
        .filter(sku_id__in=sku_ids)
        .order_by("sku_id", "warehouse_id")
        .values_list("pk", "sku_id", "warehouse_id", "on_hand", "reserved", "safety_stock")
    )
    warehouses = {w.pk: w for w in Warehouse.objects.filter(pk__in={row[2] for row in rows}, is_active=True)}
    pk_of: dict[tuple[int, int], int] = {}
    left: dict[tuple[int, int], int] = {}
    below_safety: dict[tuple[int, int], int] = {}  # key -> safety stock, for levels that have one
    per_sku: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, sku_id, warehouse_id, on_hand, reserved, safety_stock in rows:
        if warehouse_id not in warehouses:
            continue
        key = (sku_id, warehouse_id)
        pk_of[key] = pk
        left[key] = on_hand - reserved
        per_sku[sku_id].append(key)
        if safety_stock:
            below_safety[key] = safety_stock
    codes = dict(SKU.objects.filter(pk__in=sku_ids).values_list("pk", "code")) if sku_ids else {}
    refs = sorted({line.ref for lines, _p in demands for line in lines})
    held: dict[str, list[Reservation]] = defaultdict(list)
    if refs:
        for reservation in Reservation.objects.filter(demand_ref__in=refs, status=ACTIVE):
            held[reservation.demand_ref].append(reservation)

    counted: dict[int, int] = {}
    made_today: dict[int, int] = defaultdict(int)

    def today_load(warehouse_ids: list[int]) -> dict[int, int]:
        # What ``allocate`` would count after the sets before this one had committed.
        if not counted:
            counted.update(_today_load(sorted(warehouses)))
        return {wid: counted.get(wid, 0) + made_today[wid] for wid in warehouse_ids}

    results: list[AllocationResult] = []
    pending: list[Reservation] = []
    per_level: dict[tuple[int, int], int] = defaultdict(int)
    for lines, province in demands:
        if not lines:
            results.append(AllocationResult(allocated=True, explanation={"decision": "nothing_to_allocate"}))
            continue
        set_refs = {line.ref for line in lines}
        if set_refs & held.keys():
            existing = [r for ref in sorted(set_refs) for r in held.get(ref, [])]
            results.append(
                AllocationResult(
                    allocated=set_refs <= held.keys(),
                    reservations=existing,
                    explanation={"decision": "already_allocated", "refs": sorted(set_refs & held.keys())},
                )
            )
            continue
        keys = [key for sku in sorted({line.sku_id for line in lines}) for key in per_sku.get(sku, [])]
        assignments, explanation, short = _plan(
            lines=lines,
            province=province,
            warehouses=sorted({warehouses[wid] for _sku, wid in keys}, key=lambda w: (w.priority, w.code)),
            available={key: left[key] for key in keys},
            sku_codes=codes,
            today_load=today_load,
        )
        if short:
            results.append(AllocationResult(allocated=False, explanation=explanation, short=short))
            continue
        made = []
        for i, wid, qty in assignments:
            key = (lines[i].sku_id, wid)
            left[key] -= qty
            per_level[key] += qty
            made_today[wid] += 1
            made.append(Reservation(sku_id=key[0], warehouse_id=wid, quantity=qty, demand_ref=lines[i].ref))
        for reservation in made:
            held[reservation.demand_ref].append(reservation)
        pending.extend(made)
        results.append(AllocationResult(allocated=True, reservations=made, explanation=explanation))
    if pending:
        Reservation.objects.bulk_create(pending)  # sets the primary keys on the objects in ``results``
        _add_reserved({pk_of[key]: qty for key, qty in per_level.items()})
        # Only levels that fell below their safety stock can open an alert: load just those as models.
        low = [
            pk_of[key] for key in sorted(per_level) if key in below_safety and left[key] < below_safety[key]
        ]
        if low:
            _review_low_stock(
                StockLevel.objects.select_related("sku", "warehouse")
                .filter(pk__in=low)
                .order_by("sku_id", "warehouse_id"),
                may_recover=False,
            )
    return results


# --------------------------------------------------------------------------------------------
# Reads the orders app needs next to the writes (more in selectors.py)
# --------------------------------------------------------------------------------------------


def sellable_quantity(*, sku_ids: list[int]) -> dict[int, int]:
    """Available (on hand − reserved) per SKU, summed over active warehouses; 0 for SKUs without stock."""
    rows = (
        StockLevel.objects.filter(sku_id__in=sku_ids, warehouse__is_active=True)
        .values("sku_id")
        .annotate(total=Sum("available"))
    )
    totals = {row["sku_id"]: row["total"] or 0 for row in rows}
    return {sku_id: totals.get(sku_id, 0) for sku_id in sku_ids}


# --------------------------------------------------------------------------------------------
# Catalogue (used by imports and admin-like screens)
# --------------------------------------------------------------------------------------------


@transaction.atomic
def sku_upsert(
    *,
    code: str,
    product_code: str = "",
    product_name: str = "",
    category: str = "",
    name: str | None = None,
    barcode: str | None = None,
    price: Decimal | None = None,
    weight_g: int | None = None,
    is_sellable: bool | None = None,
) -> tuple[SKU, bool]:
    """Create or update a SKU by code (and its product by product code). Returns (sku, created)."""
    from inventory.models import Product

    sku = SKU.objects.select_for_update().filter(code=code).first()
    product = None
    if product_code:
        product, _created = Product.objects.get_or_create(
            code=product_code, defaults={"name": product_name or product_code, "category": category}
        )
        changed = []
        if product_name and product.name != product_name:
            product.name = product_name
            changed.append("name")
        if category and product.category != category:
            product.category = category
            changed.append("category")
        if changed:
            product.save(update_fields=changed)
    created = sku is None
    if created:
        sku = SKU(code=code, product=product)
    elif product is not None:
        sku.product = product
    if barcode is not None:
        sku.barcode = barcode or None  # "" clears it (unique, so blank is stored as NULL)
    for attr, value in {
        "name": name,
        "price": price,
        "weight_g": weight_g,
        "is_sellable": is_sellable,
    }.items():
        if value is not None:
            setattr(sku, attr, value)
    sku.save()
    return sku, created


@transaction.atomic
def supplier_upsert(
    *,
    code: str,
    name: str,
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    is_active: bool = True,
) -> tuple[object, bool]:
    from inventory.models import Supplier

    return Supplier.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "contact_name": contact_name,
            "phone": phone,
            "email": email,
            "is_active": is_active,
        },
    )
