"""Private helpers every inventory service shares: the ``service`` wrapper, quantity checks, row locks, bins."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

from django.db import connection, transaction
from django.db.models import Q

from inventory.choices import LocationKind
from inventory.exceptions import InactiveWarehouse, InvalidQuantity
from inventory.models import SKU, Location, StockLevel, Warehouse
from oms.db import retry_on_conflict

P = ParamSpec("P")
R = TypeVar("R")


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


def _first_location_id(warehouse_id: int, kind: str) -> int | None:
    return (
        Location.objects.filter(warehouse_id=warehouse_id, kind=kind)
        .order_by("pick_sequence", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def _damaged_location_id(warehouse_id: int) -> int | None:
    return _first_location_id(warehouse_id, LocationKind.DAMAGED)


def _receiving_location_id(warehouse_id: int) -> int | None:
    return _first_location_id(warehouse_id, LocationKind.RECEIVING)
