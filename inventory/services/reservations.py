"""Reservations: hold stock for a demand reference, release it, consume it on shipment."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from inventory.choices import MovementKind, ReservationStatus
from inventory.exceptions import InactiveWarehouse, InsufficientStock, NoActiveReservation
from inventory.models import Reservation, StockLevel, StockMovement
from inventory.services._common import _check_quantity, _level_existing, _lock_levels, service
from inventory.services.alerts import stock_alerts_review
from inventory.services.ledger import _change_reserved, _move


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
    stock_alerts_review([level], may_recover=False)
    return reservation


def _lock_active_reservations(
    demand_refs: list[str],
) -> tuple[list[Reservation], dict[tuple[int, int], StockLevel]]:
    """Lock the levels (first, in order) and then the ACTIVE reservations of ``demand_refs``."""
    pairs = set(
        Reservation.objects.filter(demand_ref__in=demand_refs, status=ReservationStatus.ACTIVE).values_list(
            "sku_id", "warehouse_id"
        )
    )
    if not pairs:
        return [], {}
    levels = _lock_levels(pairs)
    reservations = list(
        Reservation.objects.select_for_update()
        .filter(demand_ref__in=demand_refs, status=ReservationStatus.ACTIVE)
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
    stock_alerts_review([levels[key] for key in sorted(per_level)], may_recover=True)
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
        if _already_consumed(demand_ref=demand_ref, warehouse_id=warehouse_id):
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


def _already_consumed(*, demand_ref: str, warehouse_id: int | None) -> bool:
    """True when the demand was consumed before (in that warehouse): a repeated call, not an error."""
    consumed = Reservation.objects.filter(demand_ref=demand_ref, status=ReservationStatus.CONSUMED)
    if warehouse_id is not None:
        consumed = consumed.filter(warehouse_id=warehouse_id)
    return consumed.exists()
