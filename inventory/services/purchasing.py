"""Purchase orders: create (by hand or from the replenishment suggestions), send, receive by scan, close, cancel.

What is still to come on a sent purchase order is ``on_order`` on the stock level of its SKU × warehouse:
raised when the order is sent, lowered by each receipt (up to what was ordered) and by closing or
cancelling. Receipts lock the purchase order row first, so two receipts of the same line run one after the
other and cannot over-receive together; the stock itself comes in through ``stock_receive`` (the ledger),
which asks the orders app to allocate backorders after commit.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.choices import PO_OPEN_STATUSES, PurchaseOrderStatus
from inventory.exceptions import (
    InactiveWarehouse,
    LinesInvalid,
    NotOnPurchaseOrder,
    OverReceipt,
    ReasonRequired,
    UnknownCode,
)
from inventory.models import (
    SKU,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    Supplier,
    SupplierSKU,
    Warehouse,
)
from inventory.selectors import sku_by_code_or_barcode
from inventory.services._common import _check_quantity, _ensure_levels, _lock_levels, service
from inventory.services._numbers import assign_number, temporary_number
from inventory.services.ledger import stock_receive
from oms.audit import log_changes, run_transition
from oms.models import OutboxMessage
from oms.notes import note
from oms.notifications import outbox_enqueue

PO_SENT_EVENT = "inventory.purchase_order_sent"


@dataclass(frozen=True)
class LineRequest:
    sku_id: int
    quantity: int
    unit_cost: Decimal | None = None


@dataclass(frozen=True)
class ReceiptOutcome:
    purchase_order: PurchaseOrder
    line: PurchaseOrderLine
    quantity: int
    over: int  # units received beyond what was ordered (within the tolerance): flagged
    complete: bool


def _checked_lines(supplier: Supplier, lines: list[LineRequest]) -> list[PurchaseOrderLine]:
    """Unsaved lines with the agreed cost filled in, or LinesInvalid naming every bad row."""
    links = {
        link.sku_id: link
        for link in SupplierSKU.objects.filter(supplier=supplier, sku_id__in=[x.sku_id for x in lines])
    }
    codes = dict(SKU.objects.filter(pk__in=[x.sku_id for x in lines]).values_list("pk", "code"))
    problems, seen, built = [], set(), []
    for n, req in enumerate(lines, start=1):
        code = codes.get(req.sku_id, str(req.sku_id))
        link = links.get(req.sku_id)
        cost = req.unit_cost if req.unit_cost is not None else (link.cost if link else None)
        if req.sku_id in seen:
            problems.append(_("Line %(n)s: %(sku)s is on the order twice.") % {"n": n, "sku": code})
        elif isinstance(req.quantity, bool) or not isinstance(req.quantity, int) or req.quantity <= 0:
            problems.append(_("Line %(n)s: the quantity must be above zero.") % {"n": n})
        elif cost is None:
            problems.append(
                _("Line %(n)s: %(supplier)s has no agreed cost for %(sku)s; give a unit cost.")
                % {"n": n, "supplier": supplier.name, "sku": code}
            )
        elif cost < 0:
            problems.append(_("Line %(n)s: the unit cost cannot be negative.") % {"n": n})
        seen.add(req.sku_id)
        if cost is not None:
            built.append(
                PurchaseOrderLine(
                    sku_id=req.sku_id,
                    supplier_sku_code=link.supplier_sku_code if link else "",
                    quantity_ordered=req.quantity,
                    unit_cost=cost,
                )
            )
    if not lines:
        problems.append(_("A purchase order needs at least one line."))
    if problems:
        raise LinesInvalid(problems)
    return built


@service
def purchase_order_create(
    *,
    supplier_id: int,
    warehouse_id: int,
    lines: list[LineRequest],
    expected_date=None,
    note_text: str = "",
    over_receipt_pct: int = 0,
    created_note: str = "",
    by=None,
) -> PurchaseOrder:
    """A draft purchase order to ``supplier_id`` for delivery to ``warehouse_id``."""
    supplier = Supplier.objects.get(pk=supplier_id)
    warehouse = Warehouse.objects.get(pk=warehouse_id)
    if not warehouse.is_active:
        raise InactiveWarehouse(warehouse.code)
    built = _checked_lines(supplier, lines)
    po = PurchaseOrder.objects.create(
        number=temporary_number(),
        supplier=supplier,
        warehouse=warehouse,
        expected_date=expected_date,
        note=note_text[:300],
        over_receipt_pct=over_receipt_pct,
        created_by=by if getattr(by, "pk", None) else None,
    )
    assign_number(po, "PO")
    for line in built:
        line.purchase_order = po
    PurchaseOrderLine.objects.bulk_create(built)
    log_changes(
        instance=po,
        before={},
        by=by,
        action="create",
        note=created_note or note("inventory.po_created", lines=len(built)),
    )
    return po


@service
def purchase_orders_from_suggestions(
    *, warehouse_id: int, picks: list[tuple[int, int, int]], by=None
) -> list[PurchaseOrder]:
    """One draft per supplier from the chosen suggestions ``(supplier_id, sku_id, quantity)``."""
    by_supplier: dict[int, list[LineRequest]] = defaultdict(list)
    for supplier_id, sku_id, quantity in picks:
        by_supplier[supplier_id].append(LineRequest(sku_id=sku_id, quantity=quantity))
    if not by_supplier:
        raise LinesInvalid([_("Choose at least one suggestion with a quantity.")])
    return [
        purchase_order_create(
            supplier_id=supplier_id,
            warehouse_id=warehouse_id,
            lines=lines,
            created_note=note("inventory.po_from_suggestions"),
            by=by,
        )
        for supplier_id, lines in sorted(by_supplier.items())
    ]


def _locked(po_id: int) -> PurchaseOrder:
    return PurchaseOrder.objects.select_for_update().select_related("supplier", "warehouse").get(pk=po_id)


def _change_on_order(po: PurchaseOrder, amounts: dict[int, int]) -> None:
    """on_order += amount for each SKU of ``po``'s warehouse (rows locked in the fixed order)."""
    pairs = [(sku_id, po.warehouse_id) for sku_id, n in amounts.items() if n]
    _ensure_levels(pairs)
    levels = _lock_levels(pairs)
    for (sku_id, _wh), level in levels.items():
        StockLevel.objects.filter(pk=level.pk).update(on_order=F("on_order") + amounts[sku_id])


@service
def purchase_order_send(*, po_id: int, by=None) -> PurchaseOrder:
    """Send a draft to the supplier: e-mailed with its PDF through the outbox; what it orders is on order."""
    po = _locked(po_id)
    email = po.supplier.email
    run_transition(
        po,
        "send",
        by=by,
        note=note("inventory.po_sent_email", email=email) if email else note("inventory.po_sent_no_email"),
    )
    po.sent_at = timezone.now()
    po.save(update_fields=["status", "sent_at", "updated_at"])
    _change_on_order(po, {line.sku_id: line.quantity_ordered for line in po.lines.all()})
    if email:
        outbox_enqueue(
            channel=OutboxMessage.Channel.EMAIL,
            recipient=email,
            subject=_("Purchase order %(number)s") % {"number": po.number},
            body=_(
                "Dear %(supplier)s,\n\nplease find attached our purchase order %(number)s for delivery to "
                "%(warehouse)s. Please quote the number on your delivery note.\n"
            )
            % {"supplier": po.supplier.name, "number": po.number, "warehouse": po.warehouse.name},
            event=PO_SENT_EVENT,
            dedupe_key=f"purchase-order:{po.pk}:sent",
        )
    return po


def _reason_required(reason: str) -> str:
    if not (reason or "").strip():
        raise ReasonRequired()
    return reason.strip()


@service
def purchase_order_close(*, po_id: int, reason: str, by=None) -> PurchaseOrder:
    """No more will come on a partially received order: what was still to come is no longer on order."""
    reason = _reason_required(reason)
    po = _locked(po_id)
    run_transition(po, "close", by=by, note=note("inventory.reason", text=reason))
    po.close_reason = reason[:500]
    po.save(update_fields=["status", "close_reason", "updated_at"])
    _change_on_order(po, {line.sku_id: -line.outstanding for line in po.lines.all()})
    return po


@service
def purchase_order_cancel(*, po_id: int, reason: str, by=None) -> PurchaseOrder:
    """Cancel a draft or a sent order (nothing received yet): a sent one's quantities leave on order."""
    reason = _reason_required(reason)
    po = _locked(po_id)
    was_sent = po.status == PurchaseOrderStatus.SENT
    run_transition(po, "cancel", by=by, note=note("inventory.reason", text=reason))
    po.close_reason = reason[:500]
    po.save(update_fields=["status", "close_reason", "updated_at"])
    if was_sent:
        _change_on_order(po, {line.sku_id: -line.outstanding for line in po.lines.all()})
    return po


def receipt_limit(line: PurchaseOrderLine, pct: int) -> int:
    """The most units of ``line`` that may be received: what was ordered plus the tolerance, rounded down."""
    return min(
        line.quantity_ordered + math.floor(line.quantity_ordered * pct / 100), line.quantity_ordered * 2
    )


@service
def purchase_order_receive(*, po_id: int, code: str, quantity: int = 1, by=None) -> ReceiptOutcome:
    """Units of a scanned SKU arrived against ``po_id``: into stock at the PO's cost; backorders served.

    Refused (nothing changes) when the order is not sent, the SKU is not on it, or the units would pass
    the over-receipt tolerance; units over what was ordered but within it are received and flagged.
    """
    _check_quantity(quantity)
    po = _locked(po_id)
    if po.status not in PO_OPEN_STATUSES:
        # The transition explains the refusal in the usual words ("… is draft, so … is not possible").
        run_transition(po, "receive_part", by=by)
    sku = sku_by_code_or_barcode((code or "").strip())
    if sku is None:
        raise UnknownCode(code)
    line = po.lines.filter(sku=sku).first()
    if line is None:
        raise NotOnPurchaseOrder(code=sku.code, number=po.number)
    limit = receipt_limit(line, po.over_receipt_pct)
    if line.quantity_received + quantity > limit:
        raise OverReceipt(
            sku_code=sku.code,
            ordered=line.quantity_ordered,
            received=line.quantity_received,
            asked=quantity,
            limit=limit,
        )
    stock_receive(
        sku_id=sku.pk,
        warehouse_id=po.warehouse_id,
        quantity=quantity,
        supplier_id=po.supplier_id,
        reference=po.number,
        unit_cost=line.unit_cost,
        on_order_taken=min(quantity, line.outstanding),
        by=by,
    )
    line.quantity_received += quantity
    PurchaseOrderLine.objects.filter(pk=line.pk).update(quantity_received=line.quantity_received)
    over = max(line.quantity_received - line.quantity_ordered, 0)
    complete = _after_receipt(po, line=line, sku=sku, quantity=quantity, over=over, by=by)
    return ReceiptOutcome(purchase_order=po, line=line, quantity=quantity, over=over, complete=complete)


def _after_receipt(po: PurchaseOrder, *, line, sku, quantity: int, over: int, by) -> bool:
    """Move the order on (partially received / received) and note an over-receipt; True when complete."""
    complete = not any(x.outstanding for x in po.lines.all())
    text = note("inventory.po_received", quantity=quantity, sku=sku.code)
    if over:
        text = note(
            "inventory.po_over_received",
            sku=sku.code,
            received=line.quantity_received,
            ordered=line.quantity_ordered,
            over=over,
            pct=po.over_receipt_pct,
        )
    if complete and po.status != PurchaseOrderStatus.RECEIVED:
        run_transition(po, "receive_all", by=by, note=text)
        po.received_at = timezone.now()
        po.save(update_fields=["status", "received_at", "updated_at"])
    elif po.status == PurchaseOrderStatus.SENT:
        run_transition(po, "receive_part", by=by, note=text)
        po.save(update_fields=["status", "updated_at"])
    elif over:
        log_changes(instance=po, before={}, by=by, action="over_receipt", note=text)
    return complete
