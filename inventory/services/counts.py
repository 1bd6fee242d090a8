"""Stock counts (盘点): start (expected quantities taken then), scan, submit, approve (ledger adjusted), cancel.

On hand is snapshot for every SKU in scope at the start; a line's ``expected`` is taken again when its
SKU is scanned (the stock at count time) or, for lines never scanned, at submission. Approval books
each line's difference counted − expected to the ledger as a 'count' movement with the count's reason
code, on top of whatever moved since: units shipped or received while the count ran are not mistaken for
a variance.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from inventory.choices import MovementKind, StockCountStatus
from inventory.exceptions import CountAlreadyOpen, InvalidQuantity, UnknownCode
from inventory.models import StockCount, StockCountLine, StockLevel, SupplierSKU, Warehouse
from inventory.selectors import sku_by_code_or_barcode
from inventory.services._common import _ensure_levels, _lock_levels, service
from inventory.services._numbers import assign_number, temporary_number
from inventory.services.ledger import _level_changed, _move, _refuse_below_reserved
from oms.audit import log_changes, run_transition
from oms.notes import money_param, note

OPEN = (StockCountStatus.COUNTING, StockCountStatus.SUBMITTED)


def _unit_costs(sku_ids) -> dict[int, Decimal]:
    """sku_id -> what a unit costs to buy: the preferred supplier's cost, else the cheapest."""
    costs: dict[int, Decimal] = {}
    for link in SupplierSKU.objects.filter(sku_id__in=list(sku_ids)).order_by(
        "sku_id", "-is_preferred", "cost"
    ):
        costs.setdefault(link.sku_id, link.cost)
    return costs


def _skus_in_scope(warehouse: Warehouse, zone: str) -> set[int]:
    """The SKUs a count covers: stored in a bin of the zone; for a whole warehouse also every SKU with stock."""
    bins = warehouse.locations.all()
    if zone:
        bins = bins.filter(code__startswith=zone)
    sku_ids = set(bins.filter(skus__isnull=False).values_list("skus", flat=True))
    if not zone:
        sku_ids |= set(
            StockLevel.objects.filter(warehouse=warehouse)
            .filter(~Q(on_hand=0))
            .values_list("sku_id", flat=True)
        )
    return sku_ids


@service
def stock_count_start(*, warehouse_id: int, zone: str = "", by=None) -> StockCount:
    """Open a count of a warehouse (or of its bins starting with ``zone``); expected quantities taken now."""
    warehouse = Warehouse.objects.select_for_update().get(pk=warehouse_id)
    zone = (zone or "").strip().upper()
    clash = StockCount.objects.filter(warehouse=warehouse, zone=zone, status__in=OPEN).first()
    if clash:
        raise CountAlreadyOpen(clash.number)
    count = StockCount.objects.create(
        number=temporary_number(),
        warehouse=warehouse,
        zone=zone,
        created_by=by if getattr(by, "pk", None) else None,
    )
    assign_number(count, "CNT")
    sku_ids = sorted(_skus_in_scope(warehouse, zone))
    on_hand = dict(
        StockLevel.objects.filter(warehouse=warehouse, sku_id__in=sku_ids).values_list("sku_id", "on_hand")
    )
    costs = _unit_costs(sku_ids)
    StockCountLine.objects.bulk_create(
        StockCountLine(
            count=count,
            sku_id=s,
            expected_at_start=on_hand.get(s, 0),
            expected=on_hand.get(s, 0),
            unit_cost=costs.get(s, Decimal(0)),
        )
        for s in sku_ids
    )
    log_changes(instance=count, before={}, by=by, action="create")
    return count


def _locked(count_id: int) -> StockCount:
    return StockCount.objects.select_for_update().select_related("warehouse").get(pk=count_id)


@service
def stock_count_scan(*, count_id: int, code: str, quantity: int = 1, by=None) -> StockCountLine:
    """Add ``quantity`` counted units of the scanned SKU; a SKU not in the count joins it (expected: now)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise InvalidQuantity(quantity)
    count = _locked(count_id)
    if count.status != StockCountStatus.COUNTING:
        run_transition(count, "submit", by=by, check_perm=False)  # refuses with the usual words
    sku = sku_by_code_or_barcode((code or "").strip())
    if sku is None:
        raise UnknownCode(code)
    now_on_hand = _on_hand(count.warehouse_id, [sku.pk]).get(sku.pk, 0)
    line = StockCountLine.objects.filter(count=count, sku=sku).first()
    if line is None:
        line = StockCountLine(
            count=count,
            sku=sku,
            expected_at_start=now_on_hand,
            unit_cost=_unit_costs([sku.pk]).get(sku.pk, Decimal(0)),
        )
    line.expected = now_on_hand
    line.counted += quantity
    line.counted_at = timezone.now()
    line.save()
    return line


def _on_hand(warehouse_id: int, sku_ids: list[int]) -> dict[int, int]:
    return dict(
        StockLevel.objects.filter(warehouse_id=warehouse_id, sku_id__in=sku_ids).values_list(
            "sku_id", "on_hand"
        )
    )


@service
def stock_count_set_line(*, count_id: int, line_id: int, counted: int, by=None) -> StockCountLine:
    """Correct a line's counted quantity (a recount of one bin) while counting."""
    if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
        raise InvalidQuantity(counted)
    count = _locked(count_id)
    if count.status != StockCountStatus.COUNTING:
        run_transition(count, "submit", by=by, check_perm=False)
    line = count.lines.get(pk=line_id)
    line.counted, line.counted_at = counted, timezone.now()
    line.expected = _on_hand(count.warehouse_id, [line.sku_id]).get(line.sku_id, 0)
    line.save(update_fields=["counted", "counted_at", "expected"])
    return line


@service
def stock_count_submit(*, count_id: int, by=None) -> StockCount:
    count = _locked(count_id)
    run_transition(count, "submit", by=by)
    count.save(update_fields=["status", "updated_at"])
    unscanned = list(count.lines.filter(counted_at__isnull=True))
    now = _on_hand(count.warehouse_id, [line.sku_id for line in unscanned])
    for line in unscanned:
        line.expected = now.get(line.sku_id, 0)
    StockCountLine.objects.bulk_update(unscanned, ["expected"])
    return count


@service
def stock_count_reopen(*, count_id: int, by=None) -> StockCount:
    count = _locked(count_id)
    run_transition(count, "reopen", by=by)
    count.save(update_fields=["status", "updated_at"])
    return count


@service
def stock_count_cancel(*, count_id: int, by=None) -> StockCount:
    count = _locked(count_id)
    run_transition(count, "cancel", by=by)
    count.save(update_fields=["status", "updated_at"])
    return count


@service
def stock_count_approve(*, count_id: int, by=None) -> StockCount:
    """A manager approves: each variance becomes a 'count' ledger movement; all or nothing."""
    count = _locked(count_id)
    lines = list(count.lines.select_related("sku").order_by("sku_id"))
    varied = [line for line in lines if line.variance]
    value = sum((line.variance_value for line in varied), Decimal(0))
    run_transition(
        count,
        "approve",
        by=by,
        note=note("inventory.count_approved", lines=len(varied), value=money_param(value)),
    )
    pairs = [(line.sku_id, count.warehouse_id) for line in varied]
    _ensure_levels(pairs)
    levels = _lock_levels(pairs)
    for line in varied:
        level = levels[(line.sku_id, count.warehouse_id)]
        if line.variance < 0:
            _refuse_below_reserved(level, level.on_hand + line.variance)
        _move(
            level,
            kind=MovementKind.COUNT,
            quantity=line.variance,
            reference=count.number,
            reason=note(
                "inventory.count_variance", count=count.number, counted=line.counted, expected=line.expected
            ),
            by=by,
        )
        _level_changed(level, gained=line.variance > 0)
        StockCountLine.objects.filter(pk=line.pk).update(adjusted=line.variance)
    count.approved_by = by if getattr(by, "pk", None) else None
    count.approved_at = timezone.now()
    count.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return count
