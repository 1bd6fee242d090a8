"""Manual split of an order into two, and merge of one buyer's orders to one address into one (合单).

Split: chosen quantities of chosen lines move to a new order of the same customer and address; the discount
and every payment follow the moved lines' share of the money, to the cent (the shipping fee stays); the
reservations are released and made again for both orders in the same transaction; both timelines name each
other. A parcel already with the warehouse is intercepted first, as for an edit (``editing``).

Merge: orders of one customer, channel and delivery address, not yet released to the warehouse, go into one
of them (lines with their reservations, payments, money); the others are cancelled as merged, with a link to
the order kept, which is allocated again as a whole (one warehouse where one can fill it: one parcel).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.audit import log_changes, run_transition, snapshot
from oms.db import retry_on_conflict
from oms.dispatch import task_send_on_commit
from oms.exceptions import DomainError, IllegalTransition
from oms.notes import note, note_param
from orders.choices import OrderSource
from orders.locks import order_lock, orders_lock
from orders.models import Order, OrderLine, Payment
from orders.services._common import S, _check_perm, next_order_number
from orders.services.deductions import order_lines_allocate_deductions
from orders.services.editing import (
    MONEY_FIELDS,
    _withdraw,
    holds_stock,
    order_change_refusal,
    order_stage,
    stock_allocate_again,
    stock_release,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The deductions an order keeps apart from its seller discount (all of them are within ``discount``).
COUPON_FIELDS = ("coupon_amount", "platform_coupon_amount", "points_amount")
# Orders that may be merged: reviewed and paid, not yet with the warehouse (nor held: resume it first).
MERGEABLE = (S.APPROVED, S.BACKORDERED, S.ALLOCATED)
# Fields a split copies from the order to the new one.
COPIED = (
    "channel_id",
    "customer_id",
    "shipping_address_id",
    "contact_phone",
    "address_key",
    "province",
    "placed_at",
    "paid_at",
    "approved_at",
    "currency",
    "is_urgent",
    "promotion",
    "note",
    "priority",
    "priority_reasons",
    "risk_score",
    "risk_reasons",
    "review_reasons",
    "needs_finance_review",
    "hold_reason",
)


# --------------------------------------------------------------------------------------------
# Split
# --------------------------------------------------------------------------------------------


def _split_quantities(lines: list[OrderLine], quantities: dict[int, int]) -> dict[int, int]:
    """The quantity to move of each line (line id → units), or DomainError naming the lines at fault."""
    errors: dict[str, list[str]] = {}
    by_id = {line.pk: line for line in lines}
    moves = {}
    for line_id, qty in quantities.items():
        line = by_id.get(int(line_id))
        if line is None:
            errors.setdefault("lines", []).append(_("A line is not on the order any more: reload the page."))
            continue
        if not isinstance(qty, int) or qty < 0 or qty > line.quantity:
            errors[f"move-{line.pk}"] = [_("Enter 0 to %(n)s.") % {"n": line.quantity}]
        elif qty:
            moves[line.pk] = qty
    if not errors and not moves:
        errors["lines"] = [_("Choose at least one unit to move to the new order.")]
    if not errors and sum(moves.values()) == sum(line.quantity for line in lines):
        errors["lines"] = [_("Leave at least one unit on this order: move fewer units.")]
    if errors:
        raise DomainError(_("The order was not split: correct the quantities."), field_errors=errors)
    return moves


@retry_on_conflict
def order_split(*, order_id: int, quantities: dict[int, int], by=None, reason: str = "") -> Order:
    """Move ``quantities`` (line id → units) of the order to a new order; returns the new order."""
    _check_perm(by, "orders.edit_order", _("split orders"))
    order = order_lock(order_id=order_id)
    refusal = order_change_refusal(order, action=_("split"))
    if refusal:
        raise IllegalTransition(refusal)
    lines = list(order.lines.order_by("line_no"))
    moves = _split_quantities(lines, quantities)
    if order_stage(order) == S.IN_FULFILLMENT:
        _withdraw(order, removed=[], by=by)
    had_stock = holds_stock(order)
    if had_stock:
        stock_release(order, reason=_("Order %(number)s split") % {"number": order.number}, by=by)
    before = snapshot(order, MONEY_FIELDS)
    new = _new_order(order, by=by)
    moved = _move_lines(order, new, lines, moves)
    _split_money(order, new)
    summary = [note_param("orders.line", sku=code, quantity=qty) for code, qty in moved]
    log_changes(
        instance=order,
        before=before,
        by=by,
        action="split",
        note=note("orders.split.moved_to", number=new.number, lines=summary),
    )
    log_changes(
        instance=new,
        before={},
        by=by,
        action="create",
        note=note("orders.split.created_from", number=order.number, lines=summary),
    )
    order_lines_allocate_deductions(order=order)
    order_lines_allocate_deductions(order=new)
    if had_stock:
        stock_allocate_again(order, by=by)
        stock_allocate_again(new, by=by)
    elif new.status == S.APPROVED and settings.OMS_ALLOCATE_ON_INTAKE:
        task_send_on_commit("orders.tasks.allocate_order_task", order_id=new.pk)
    order.save()
    new.save()
    return new


def _new_order(order: Order, *, by) -> Order:
    """The new order of a split: the same buyer and address; in the stage the order is in, before allocation."""
    stage = order_stage(order)
    unallocated = S.APPROVED if stage in (S.ALLOCATED, S.BACKORDERED, S.IN_FULFILLMENT) else stage
    held = order.status == S.ON_HOLD
    new = Order(
        number=next_order_number(),
        source=OrderSource.SPLIT,
        split_from=order,
        status=S.ON_HOLD if held else unallocated,
        held_from_status=unallocated if held else "",
        subtotal=ZERO,
        total=ZERO,
        created_by=by if getattr(by, "pk", None) else None,
        **{f: getattr(order, f) for f in COPIED},
    )
    new.save()
    new.tags.set(order.tags.all())
    return new


def _move_lines(
    order: Order, new: Order, lines: list[OrderLine], moves: dict[int, int]
) -> list[tuple[str, int]]:
    """Whole lines change order (their ids stay); part of a line becomes a new line. Returns (SKU, units)."""
    moved = []
    line_no = 0
    for line in lines:
        qty = moves.get(line.pk)
        if not qty:
            continue
        line_no += 1
        moved.append((line.sku_code, qty))
        if qty == line.quantity:
            OrderLine.objects.filter(pk=line.pk).update(order=new, line_no=line_no)
            continue
        line.quantity -= qty
        line.line_total = (line.unit_price * line.quantity).quantize(CENT)
        line.save(update_fields=["quantity", "line_total"])
        OrderLine.objects.create(
            order=new,
            line_no=line_no,
            sku_id=line.sku_id,
            sku_code=line.sku_code,
            name=line.name,
            quantity=qty,
            unit_price=line.unit_price,
            line_total=(line.unit_price * qty).quantize(CENT),
        )
    return moved


def _share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    if whole <= 0:
        return ZERO
    return (amount * part / whole).quantize(CENT, rounding=ROUND_HALF_UP)


def _split_money(order: Order, new: Order) -> None:
    """The moved lines take their share of the discount and of every payment; shipping stays on the order."""
    old_subtotal, old_total = order.subtotal, order.total
    new.subtotal = sum(new.lines.values_list("line_total", flat=True), ZERO)
    # Each kind of deduction (seller discount, coupons, points) moves by the moved share of the goods.
    room = new.subtotal
    for field in COUPON_FIELDS:
        part = min(_share(getattr(order, field), new.subtotal, old_subtotal), room)
        setattr(new, field, part)
        setattr(order, field, getattr(order, field) - part)
        room -= part
    seller = min(_share(order.seller_discount, new.subtotal, old_subtotal), room)
    new.discount = seller + sum((getattr(new, f) for f in COUPON_FIELDS), ZERO)
    new.shipping_fee = ZERO
    new.total = new.subtotal - new.discount
    order.subtotal = old_subtotal - new.subtotal
    order.discount -= new.discount
    order.total = order.subtotal + order.shipping_fee - order.discount
    for payment in order.payments.order_by("pk"):
        part = _share(payment.amount, new.total, old_total)
        if not part:
            continue
        Payment.objects.create(
            order=new,
            method=payment.method,
            amount=part,
            status=payment.status,
            transaction_id=payment.transaction_id,
            paid_at=payment.paid_at,
        )
        payment.amount -= part
        payment.save(update_fields=["amount"])


# --------------------------------------------------------------------------------------------
# Merge
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeCandidate:
    order: Order
    refusal: str | None


def merge_refusal(order: Order, keep: Order) -> str | None:
    """Why ``order`` cannot be merged into ``keep``, or None."""
    values = {"number": order.number, "status": order.get_status_display(), "keep": keep.number}
    if order.status not in MERGEABLE:
        if order.status == S.ON_HOLD:
            return _("%(number)s is on hold: resume it first.") % values
        return _("%(number)s is %(status)s: only approved orders not yet with the warehouse merge.") % values
    if order.customer_id != keep.customer_id:
        return _("%(number)s is another customer's order.") % values
    if order.address_key != keep.address_key:
        return _("%(number)s goes to another address.") % values
    if order.channel_id != keep.channel_id or order.currency != keep.currency:
        return _("%(number)s came through another channel.") % values
    return None


def mergeable_orders(order: Order) -> list[Order]:
    """The buyer's other open orders to the same address that could be merged into ``order`` now."""
    if order.status not in MERGEABLE:
        return []
    others = (
        Order.objects.filter(
            customer_id=order.customer_id,
            address_key=order.address_key,
            channel_id=order.channel_id,
            currency=order.currency,
            status__in=MERGEABLE,
        )
        .exclude(pk=order.pk)
        .order_by("pk")
    )
    return list(others[:20])


@retry_on_conflict
def orders_merge(*, keep_id: int, order_ids: list[int], by=None, reason: str = "") -> Order:
    """Merge ``order_ids`` into the order ``keep_id``; the others are cancelled as merged. Returns the one kept."""
    _check_perm(by, "orders.edit_order", _("merge orders"))
    ids = sorted({keep_id, *order_ids})
    if len(ids) < 2:
        raise DomainError(_("Choose at least one other order to merge."))
    locked = {o.pk: o for o in orders_lock(order_ids=ids, related=("customer", "channel"))}
    keep = locked[keep_id]
    others = [locked[pk] for pk in ids if pk != keep_id]
    refusals = [r for r in (merge_refusal(o, keep) for o in [keep, *others]) if r]
    if refusals:
        raise IllegalTransition(" ".join(refusals))
    for o in [keep, *others]:
        if holds_stock(o):
            stock_release(o, reason=_("Orders merged into %(number)s") % {"number": keep.number}, by=by)
    before = snapshot(keep, MONEY_FIELDS)
    next_no = (keep.lines.aggregate(m=Max("line_no"))["m"] or 0) + 1
    for other in others:
        next_no = _take_over(keep, other, next_no=next_no, by=by)
    keep.total = keep.subtotal + keep.shipping_fee - keep.discount
    log_changes(
        instance=keep,
        before=before,
        by=by,
        action="merge",
        note=note("orders.merge.took", numbers=[o.number for o in others]),
    )
    stock_allocate_again(keep, by=by)
    order_lines_allocate_deductions(order=keep)
    keep.save()
    return keep


def _take_over(keep: Order, other: Order, *, next_no: int, by) -> int:
    """Move ``other``'s lines, payments and money to ``keep``; cancel it as merged. Returns the next line number."""
    for line_id in other.lines.order_by("line_no").values_list("pk", flat=True):
        OrderLine.objects.filter(pk=line_id).update(order=keep, line_no=next_no)
        next_no += 1
    other.payments.update(order=keep)
    before = snapshot(other, MONEY_FIELDS)
    keep.subtotal += other.subtotal
    keep.shipping_fee += other.shipping_fee
    keep.discount += other.discount
    for field in COUPON_FIELDS:
        setattr(keep, field, getattr(keep, field) + getattr(other, field))
        setattr(other, field, ZERO)
    keep.priority = max(keep.priority, other.priority)
    keep.is_urgent = keep.is_urgent or other.is_urgent
    other.subtotal = other.shipping_fee = other.discount = other.total = ZERO
    other.merged_into = keep
    merged = note("orders.merge.into", number=keep.number)
    run_transition(other, "cancel", by=by, check_perm=False, note=merged)
    other.cancel_reason, other.cancelled_at = merged, timezone.now()
    log_changes(instance=other, before=before, by=by, action="merge", note=merged)
    other.save()
    return next_no
