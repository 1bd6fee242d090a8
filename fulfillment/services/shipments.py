"""Parcels from allocated orders: one per warehouse (merged with a pending parcel, 合单), one per drop-ship
supplier; the batch that turns every waiting order into parcels; cancelling a parcel."""

from __future__ import annotations

import logging
from collections import defaultdict

from django.db import OperationalError

from fulfillment.models import Shipment, ShipmentLine
from fulfillment.selectors import allocated_orders_without_parcels
from fulfillment.services._common import (
    S,
    _current_signature,
    _number,
    _refresh_expected_weight,
    _temp_number,
)
from fulfillment.services.carrier_choice import _choose_carrier
from inventory.selectors_supply import drop_ship_suppliers
from oms.audit import run_transition
from oms.db import retry_on_conflict
from oms.dispatch import task_send_on_commit
from oms.exceptions import DomainError
from orders.choices import OrderStatus
from orders.locks import order_lock
from orders.models import Order, OrderLineAllocation

logger = logging.getLogger("fulfillment.services")

NEVER_MERGE_TAGS = ["never-merge", "不合单"]

# A parcel group: ("warehouse", warehouse id) or ("supplier", supplier id).
GroupKey = tuple[str, int]


def _allocation_groups(order: Order) -> dict[GroupKey, list[OrderLineAllocation]]:
    """The order's open allocations, grouped by the parcel they go into: a warehouse or a drop-ship supplier.

    A drop-ship line holds no stock of ours (allocation sets it aside for its supplier): it joins its
    supplier's parcel whole, as an unsaved allocation of the line's quantity.
    """
    allocations = list(
        OrderLineAllocation.objects.filter(line__order=order, released_at__isnull=True)
        .select_related("line")
        .order_by("warehouse_id", "line__line_no", "pk")
    )
    lines = list(order.lines.order_by("line_no"))
    drop_ship = drop_ship_suppliers({line.sku_id for line in lines})
    held = {a.line_id for a in allocations}
    allocations += [
        OrderLineAllocation(line=line, warehouse_id=None, quantity=line.quantity, demand_ref=line.demand_ref)
        for line in lines
        if line.sku_id in drop_ship and line.pk not in held
    ]
    groups: dict[GroupKey, list[OrderLineAllocation]] = defaultdict(list)
    for allocation in allocations:
        supplier_id = drop_ship.get(allocation.line.sku_id)
        key = ("supplier", supplier_id) if supplier_id else ("warehouse", allocation.warehouse_id)
        groups[key].append(allocation)
    return groups


def _merge_target(order: Order, warehouse_id: int) -> Shipment | None:
    """A pending, not yet picked parcel of the same customer and address in that warehouse (合单), locked."""
    return (
        Shipment.objects.select_for_update()
        .filter(
            status=S.PENDING,
            wave__isnull=True,
            warehouse_id=warehouse_id,
            customer_id=order.customer_id,
            address_key=order.address_key,
            never_merge=False,
            is_drop_ship=False,
        )
        .order_by("pk")
        .first()
    )


def _new_shipment(
    order: Order, key: GroupKey, group: list[OrderLineAllocation], *, never_merge: bool
) -> Shipment:
    kind, target_id = key
    shipment = Shipment(
        number=_temp_number(),
        order=order,
        customer_id=order.customer_id,
        address_id=order.shipping_address_id,
        address_key=order.address_key,
        province=order.province,
        warehouse_id=target_id if kind == "warehouse" else group[0].warehouse_id,
        supplier_id=target_id if kind == "supplier" else None,
        is_drop_ship=kind == "supplier",
        never_merge=never_merge,
        status=S.AWAITING_APPROVAL if kind == "supplier" else S.PENDING,
    )
    shipment.save()
    shipment.number = _number("SHP", shipment.pk)
    return shipment


def _add_lines(shipment: Shipment, order: Order, group: list[OrderLineAllocation]) -> None:
    """Put the allocations' quantities into the parcel; its weight, fingerprint and carrier follow."""
    shipment.priority = max(shipment.priority, order.priority)
    shipment.is_urgent = shipment.is_urgent or order.is_urgent
    ShipmentLine.objects.bulk_create(
        [
            ShipmentLine(
                shipment=shipment,
                order_line=a.line,
                sku_id=a.line.sku_id,
                quantity=a.quantity,
                demand_ref=a.demand_ref,
            )
            for a in group
        ]
    )
    _refresh_expected_weight(shipment)
    shipment.release_signature = _current_signature(shipment)
    _choose_carrier(shipment)
    shipment.save()


@retry_on_conflict
def shipments_create_for_order(*, order_id: int, by=None) -> list[Shipment]:
    """Turn an allocated order into parcels: one per warehouse, drop-ship lines one per supplier.

    A warehouse parcel joins a pending (not yet picked) parcel of the same customer and address in the
    same warehouse (合单) unless either is marked never-merge. The order moves to in fulfillment.
    """
    from orders.services import order_mark_released

    order = order_lock(order_id=order_id, related=("shipping_address",))
    live = Shipment.objects.filter(lines__order_line__order=order).exclude(status=S.CANCELLED)
    if live.exists():
        return list(live.distinct().order_by("pk"))
    never_merge = order.tags.filter(name__in=NEVER_MERGE_TAGS).exists()
    shipments = []
    for key, group in sorted(_allocation_groups(order).items()):
        shipment = None
        if key[0] == "warehouse" and not never_merge:
            shipment = _merge_target(order, key[1])
        if shipment is None:
            shipment = _new_shipment(order, key, group, never_merge=never_merge)
        _add_lines(shipment, order, group)
        shipments.append(shipment)
    if order.status == OrderStatus.ALLOCATED:
        order_mark_released(order_id=order.pk, by=by)
    return shipments


def shipments_create_pending(
    *, warehouse_id: int | None = None, batch_size: int = 100, max_orders: int = 2000, by=None
) -> dict[str, int]:
    """Allocated orders without live parcels become parcels, highest priority first, in batches.

    Each order is its own transaction (a refusal or a conflict skips that order only, logged); safe to
    run twice and concurrently (each order is locked and re-checked). ``warehouse_id``: only orders
    with stock allocated in that warehouse (what a wave there would take).
    """
    counts = {"orders": 0, "skipped": 0}
    seen: list[int] = []
    while len(seen) < max_orders:
        ids = list(
            allocated_orders_without_parcels(warehouse_id=warehouse_id)
            .exclude(pk__in=seen)
            .values_list("pk", flat=True)[: min(batch_size, max_orders - len(seen))]
        )
        if not ids:
            break
        for order_id in ids:
            seen.append(order_id)
            try:
                shipments_create_for_order(order_id=order_id, by=by)
            except (DomainError, OperationalError) as exc:
                logger.warning("parcels for order %s not created: %s", order_id, exc)
                counts["skipped"] += 1
            else:
                counts["orders"] += 1
    return counts


@retry_on_conflict
def shipment_cancel(*, shipment_id: int, by=None, reason: str = "") -> Shipment:
    shipment = Shipment.objects.select_for_update(of=("self",)).get(pk=shipment_id)
    run_transition(shipment, "cancel", by=by, note=reason)
    shipment.save()
    # Its printed waybill (if any) is voided at the carrier once the cancel is committed.
    task_send_on_commit("fulfillment.tasks.waybill_cancel_task", shipment_id=shipment.pk)
    return shipment
