"""Transfers between warehouses: draft → shipped (in transit, sellable at neither end) → received.

Shipping takes the units off the source's on hand ('transfer_out' ledger rows) and counts them as
``in_transit`` at the destination; receiving books them on hand there ('transfer_in') and asks the orders
app to allocate backorders after commit.
"""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.choices import MovementKind
from inventory.exceptions import InactiveWarehouse, InsufficientStock, LinesInvalid, SameWarehouse
from inventory.models import SKU, StockLevel, StockTransfer, StockTransferLine, Warehouse
from inventory.services._common import _ensure_levels, _lock_levels, service
from inventory.services._numbers import assign_number, temporary_number
from inventory.services.alerts import stock_alerts_review
from inventory.services.ledger import _level_changed, _move
from oms.audit import log_changes, run_transition
from oms.notes import note


def _checked(lines: list[tuple[int, int]]) -> list[StockTransferLine]:
    codes = dict(SKU.objects.filter(pk__in=[s for s, _q in lines]).values_list("pk", "code"))
    problems, seen, built = [], set(), []
    for n, (sku_id, quantity) in enumerate(lines, start=1):
        if sku_id in seen:
            problems.append(
                _("Line %(n)s: %(sku)s is on the transfer twice.") % {"n": n, "sku": codes.get(sku_id)}
            )
        elif isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            problems.append(_("Line %(n)s: the quantity must be above zero.") % {"n": n})
        seen.add(sku_id)
        built.append(StockTransferLine(sku_id=sku_id, quantity=quantity))
    if not lines:
        problems.append(_("A transfer needs at least one line."))
    if problems:
        raise LinesInvalid(problems)
    return built


@service
def transfer_create(
    *,
    from_warehouse_id: int,
    to_warehouse_id: int,
    lines: list[tuple[int, int]],
    reference: str = "",
    by=None,
) -> StockTransfer:
    """A draft transfer of ``lines`` (sku_id, quantity); nothing moves until it is shipped."""
    if from_warehouse_id == to_warehouse_id:
        raise SameWarehouse()
    target = Warehouse.objects.get(pk=to_warehouse_id)
    if not target.is_active:
        raise InactiveWarehouse(target.code)
    built = _checked(lines)
    transfer = StockTransfer.objects.create(
        number=temporary_number(),
        from_warehouse_id=from_warehouse_id,
        to_warehouse_id=to_warehouse_id,
        carrier_reference=reference[:100],
        created_by=by if getattr(by, "pk", None) else None,
    )
    assign_number(transfer, "TR")
    for line in built:
        line.transfer = transfer
    StockTransferLine.objects.bulk_create(built)
    log_changes(instance=transfer, before={}, by=by, action="create")
    return transfer


def _locked(transfer_id: int) -> StockTransfer:
    return (
        StockTransfer.objects.select_for_update()
        .select_related("from_warehouse", "to_warehouse")
        .get(pk=transfer_id)
    )


def _levels(transfer: StockTransfer, lines) -> dict:
    pairs = [(x.sku_id, w) for x in lines for w in (transfer.from_warehouse_id, transfer.to_warehouse_id)]
    _ensure_levels(pairs)
    return _lock_levels(pairs)


@service
def transfer_ship(*, transfer_id: int, by=None) -> StockTransfer:
    """The goods leave the source: off its on hand, in transit to the destination. All lines or none."""
    transfer = _locked(transfer_id)
    run_transition(
        transfer, "ship", by=by, note=note("inventory.transfer_shipped", to=transfer.to_warehouse.code)
    )
    lines = list(transfer.lines.order_by("sku_id"))
    levels = _levels(transfer, lines)
    for line in lines:
        source = levels[(line.sku_id, transfer.from_warehouse_id)]
        if source.on_hand - source.reserved < line.quantity:
            raise InsufficientStock(
                sku_code=source.sku.code,
                warehouse_code=source.warehouse.code,
                available=source.on_hand - source.reserved,
                asked=line.quantity,
            )
        _move(
            source, kind=MovementKind.TRANSFER_OUT, quantity=-line.quantity, reference=transfer.number, by=by
        )
        destination = levels[(line.sku_id, transfer.to_warehouse_id)]
        StockLevel.objects.filter(pk=destination.pk).update(in_transit=F("in_transit") + line.quantity)
        stock_alerts_review([source], may_recover=False)
    transfer.shipped_at = timezone.now()
    transfer.save(update_fields=["status", "shipped_at", "updated_at"])
    return transfer


@service
def transfer_receive(*, transfer_id: int, by=None) -> StockTransfer:
    """The goods arrived: on hand at the destination (sellable now); backorders are retried after commit."""
    transfer = _locked(transfer_id)
    run_transition(
        transfer,
        "receive",
        by=by,
        note=note("inventory.transfer_received", **{"from": transfer.from_warehouse.code}),
    )
    lines = list(transfer.lines.order_by("sku_id"))
    levels = _levels(transfer, lines)
    for line in lines:
        destination = levels[(line.sku_id, transfer.to_warehouse_id)]
        StockLevel.objects.filter(pk=destination.pk).update(in_transit=F("in_transit") - line.quantity)
        _move(
            destination,
            kind=MovementKind.TRANSFER_IN,
            quantity=line.quantity,
            reference=transfer.number,
            by=by,
        )
        _level_changed(destination, gained=True)
    transfer.received_at = timezone.now()
    transfer.save(update_fields=["status", "received_at", "updated_at"])
    return transfer


@service
def transfer_cancel(*, transfer_id: int, by=None) -> StockTransfer:
    transfer = _locked(transfer_id)
    run_transition(transfer, "cancel", by=by)
    transfer.save(update_fields=["status", "updated_at"])
    return transfer
