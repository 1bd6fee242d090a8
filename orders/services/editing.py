"""Editing an order until it is packed: delivery address and contact, lines (add, remove, quantity, SKU swap),
shipping fee and discount.

The input is validated as intake validates it (``orders.validation``: one message per field path, nothing
written on a refusal). In one transaction, under the order's lock: a parcel already with the warehouse is
intercepted first (the order must be on hold; fulfillment takes it out of its parcels through
``orders.hooks``), the reservations of changed lines are released and the order allocated again through
inventory (never oversold), the money is re-checked against what was paid (a higher total holds the order
until the customer pays the difference; a lower one records the refund owed), and the change goes on the
timeline with its before and after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import SKU
from inventory.services import DemandLine, allocate, reservation_release
from oms.audit import log_changes, run_transition, snapshot
from oms.db import retry_on_conflict
from oms.dispatch import task_send_on_commit
from oms.exceptions import DomainError, IllegalTransition
from oms.notes import money_param, note, note_param
from oms.privacy import mask
from orders.choices import BEFORE_SHIPPED, PaymentStatus, RefundKind
from orders.hooks import parcels_blocking_change, parcels_withdraw
from orders.locks import order_lock
from orders.models import Address, Order, OrderLine, OrderLineAllocation, RefundRecord
from orders.services._common import S, _check_perm, _sku_label, address_key
from orders.services.allocation import _record_allocation
from orders.services.deductions import order_lines_allocate_deductions
from orders.validation import CleanLine, Errors, _address, _line, _money, sku_lookup

EDITABLE = [*BEFORE_SHIPPED, S.ON_HOLD]
ZERO = Decimal("0.00")
MONEY_FIELDS = ["subtotal", "shipping_fee", "discount", "total"]
ADDRESS_FIELDS = ("name", "phone", "province", "city", "district", "line1", "postcode")


@dataclass
class EditResult:
    order: Order
    changed: bool
    payment_due: Decimal = ZERO
    refund: Decimal = ZERO
    parcels: list[str] = field(default_factory=list)


@dataclass
class _LinePlan:
    """What the edit does to the lines: (line, clean) pairs to keep or change, new ones, removed ones."""

    keep: list[tuple[OrderLine, CleanLine]] = field(default_factory=list)
    add: list[CleanLine] = field(default_factory=list)
    remove: list[OrderLine] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)

    @property
    def stock_changed(self) -> bool:
        """Lines whose stock needs differ: reservations must follow."""
        return bool(
            self.add
            or self.remove
            or any(line.sku_id != c.sku.pk or line.quantity != c.quantity for line, c in self.keep)
        )


def order_stage(order: Order) -> str:
    """The status the order is in, or was held in."""
    return order.held_from_status if order.status == S.ON_HOLD else order.status


def order_change_refusal(order: Order, *, action: str = "") -> str | None:
    """Why the order's lines and address cannot change now (shown instead of the button), or None."""
    values = {"number": order.number, "status": order.get_status_display(), "action": action or _("edit")}
    if order.status not in EDITABLE:
        return _("%(number)s is %(status)s: it can no longer be changed.") % values
    if order_stage(order) == S.IN_FULFILLMENT:
        if order.status != S.ON_HOLD:
            return (
                _(
                    "%(number)s is with the warehouse: hold it first (its parcel is intercepted), "
                    "then %(action)s it."
                )
                % values
            )
        return parcels_blocking_change(order.pk)
    return None


# --------------------------------------------------------------------------------------------
# Validation (as intake validates: field paths of the intake body)
# --------------------------------------------------------------------------------------------


def _validate(order: Order, data: dict, lines: list[OrderLine]) -> tuple[dict, list, Decimal, Decimal]:
    """(address, [(line id or None, clean line)], shipping fee, discount) or DomainError with field errors."""
    errors = Errors()
    customer = {"name": order.customer.name, "phone": order.customer.phone}
    address = _address({"shipping_address": data.get("shipping_address") or {}}, customer, errors)
    address["country"] = order.shipping_address.country or address["country"]
    by_id = {line.pk: line for line in lines}
    lines_in = data.get("lines") or []
    if not lines_in:
        errors.add("lines", _("Keep at least one line: to drop everything, cancel the order."))
    skus = sku_lookup(str(x.get("sku") or "") for x in lines_in if isinstance(x, dict))
    clean_lines = []
    for i, raw in enumerate(lines_in):
        line_id = _int_or_none(raw.get("id") if isinstance(raw, dict) else None)
        if not isinstance(raw, dict) or (line_id and line_id not in by_id):
            errors.add(f"lines[{i}]", _("This line is not on the order any more: reload the page."))
            continue
        existing = by_id.get(line_id) if line_id else None
        raw = {**raw, "unit_price": _price_or_default(raw, existing, skus)}
        clean = _line(raw, f"lines[{i}]", skus, errors)
        if clean is not None:
            clean_lines.append((existing.pk if existing else None, clean))
    shipping_fee = _money(data.get("shipping_fee"), "shipping_fee", errors)
    discount = _money(data.get("discount"), "discount", errors)
    if not errors:
        subtotal = sum((c.line_total for _id, c in clean_lines), ZERO)
        if subtotal + shipping_fee - discount < 0:
            errors.add("discount", _("The discount is larger than the lines plus shipping."))
        elif discount < order.discount - order.seller_discount:
            errors.add(
                "discount",
                _("The discount includes %(amount)s of coupons and points: it cannot be less.")
                % {"amount": order.discount - order.seller_discount},
            )
    if errors:
        raise DomainError(
            _("The order was not changed: correct the fields marked."), field_errors=errors.by_field
        )
    return address, clean_lines, shipping_fee, discount


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return 0  # not a line of this order: refused by the caller


def _price_or_default(raw: dict, existing: OrderLine | None, skus: dict[str, SKU]) -> str:
    """An empty unit price keeps the line's price (same SKU) or takes the SKU's list price (new or swapped)."""
    price = str(raw.get("unit_price") or "").strip()
    if price:
        return price
    code = str(raw.get("sku") or "").strip()
    if existing is not None and existing.sku_code == code:
        return str(existing.unit_price)
    sku = skus.get(code)
    return str(sku.price) if sku is not None and sku.price is not None else ""


def _plan_lines(lines: list[OrderLine], clean_lines: list[tuple[int | None, CleanLine]]) -> _LinePlan:
    plan = _LinePlan()
    kept_ids = set()
    for line_id, clean in clean_lines:
        line = next((x for x in lines if x.pk == line_id), None)
        if line is None:
            plan.add.append(clean)
            plan.notes.append(
                note_param("orders.edit.line_added", sku=clean.sku.code, quantity=clean.quantity)
            )
            continue
        kept_ids.add(line.pk)
        plan.keep.append((line, clean))
        plan.notes += _line_notes(line, clean)
    for line in lines:
        if line.pk not in kept_ids:
            plan.remove.append(line)
            plan.notes.append(
                note_param("orders.edit.line_removed", sku=line.sku_code, quantity=line.quantity)
            )
    return plan


def _line_notes(line: OrderLine, clean: CleanLine) -> list[dict]:
    notes = []
    if line.sku_id != clean.sku.pk:
        notes.append(
            note_param("orders.edit.line_swapped", line=line.line_no, old=line.sku_code, new=clean.sku.code)
        )
    if line.quantity != clean.quantity:
        notes.append(
            note_param("orders.edit.line_quantity", sku=clean.sku.code, old=line.quantity, new=clean.quantity)
        )
    if line.unit_price != clean.unit_price:
        notes.append(
            note_param(
                "orders.edit.line_price",
                sku=clean.sku.code,
                old=money_param(line.unit_price),
                new=money_param(clean.unit_price),
            )
        )
    return notes


# --------------------------------------------------------------------------------------------
# The edit
# --------------------------------------------------------------------------------------------


@retry_on_conflict
def order_edit(
    *, order_id: int, data: dict, by=None, reason: str | dict = "", before_release: bool = False
) -> EditResult:
    """Change an order that is not packed yet; see the module docstring for what follows from a change.

    ``reason``: the text typed, or a ``note_param``; ``before_release``: refuse once the warehouse has it."""
    _check_perm(by, "orders.edit_order", _("edit orders"))
    order = order_lock(order_id=order_id)
    refusal = order_change_refusal(order)
    if before_release and order_stage(order) == S.IN_FULFILLMENT:
        refusal = _("%(number)s is already with the warehouse: ask operations to change it.") % {
            "number": order.number
        }
    if refusal:
        raise IllegalTransition(refusal)
    lines = list(order.lines.order_by("line_no"))
    address, clean_lines, shipping_fee, discount = _validate(order, data, lines)
    plan = _plan_lines(lines, clean_lines)
    address_changed = any(getattr(order.shipping_address, f) != address[f] for f in ADDRESS_FIELDS)
    if not (
        plan.notes or address_changed or (shipping_fee, discount) != (order.shipping_fee, order.discount)
    ):
        return EditResult(order=order, changed=False)
    before = {**snapshot(order, MONEY_FIELDS), **_contact_view(order), "line_summary": _summary(lines)}
    result = EditResult(order=order, changed=True)
    if order_stage(order) == S.IN_FULFILLMENT and (plan.stock_changed or address_changed):
        result.parcels = _withdraw(order, removed=plan.remove, by=by)
    reallocate = holds_stock(order) and (plan.stock_changed or address["province"] != order.province)
    if reallocate:
        stock_release(order, reason=_("Order %(number)s changed") % {"number": order.number}, by=by)
    _apply_lines(order, plan)
    if address_changed:
        _apply_address(order, address)
    order.shipping_fee, order.discount = shipping_fee, discount
    _log_edit(order, before=before, plan=plan, by=by, reason=reason)
    order_lines_allocate_deductions(order=order)
    if reallocate:
        stock_allocate_again(order, by=by)
    elif (
        order.status in (S.APPROVED, S.BACKORDERED) and plan.stock_changed and settings.OMS_ALLOCATE_ON_INTAKE
    ):
        task_send_on_commit("orders.tasks.allocate_order_task", order_id=order.pk)
    result.payment_due, result.refund = _settle_money(order, by=by)
    order.save()
    return result


def _log_edit(order: Order, *, before: dict, plan: _LinePlan, by, reason: str | dict) -> None:
    """New totals from the lines as they are now; the timeline gets the before and after, and the line changes."""
    lines_now = list(order.lines.order_by("line_no"))
    order.subtotal = sum((line.line_total for line in lines_now), ZERO)
    order.total = order.subtotal + order.shipping_fee - order.discount
    order.line_summary = _summary(lines_now)
    order.__dict__.update(_contact_view(order))
    why = reason if isinstance(reason, dict) else reason.strip()[:200] or "—"
    log_changes(
        instance=order, before=before, by=by, action="edit", note=note("orders.edit.reason", reason=why)
    )
    if plan.notes:
        log_changes(
            instance=order,
            before={},
            by=by,
            action="edit",
            note=note("orders.edit.lines", changes=plan.notes),
        )


def _withdraw(order: Order, *, removed: list[OrderLine], by) -> list[str]:
    """Intercept: take the held order out of its parcels that are not packed; it resumes to allocated."""
    numbers = parcels_withdraw(
        order_id=order.pk,
        removed_line_ids=[line.pk for line in removed],
        by=by,
        note=note("orders.edit.parcel_withdrawn", number=order.number),
    )
    order.held_from_status = S.ALLOCATED
    if numbers:
        log_changes(
            instance=order,
            before={},
            by=by,
            action="intercept",
            note=note("orders.edit.parcels_withdrawn", numbers=numbers),
        )
    return numbers


def _apply_lines(order: Order, plan: _LinePlan) -> None:
    if plan.remove:
        OrderLine.objects.filter(pk__in=[line.pk for line in plan.remove]).delete()
    for line, clean in plan.keep:
        line.sku, line.sku_code, line.name = clean.sku, clean.sku.code, _sku_label(clean.sku)
        line.quantity, line.unit_price, line.line_total = clean.quantity, clean.unit_price, clean.line_total
        line.save(update_fields=["sku", "sku_code", "name", "quantity", "unit_price", "line_total"])
    next_no = max([line.line_no for line, _c in plan.keep], default=0) + 1
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                line_no=next_no + i,
                sku=clean.sku,
                sku_code=clean.sku.code,
                name=_sku_label(clean.sku),
                quantity=clean.quantity,
                unit_price=clean.unit_price,
                line_total=clean.line_total,
            )
            for i, clean in enumerate(plan.add)
        ]
    )


def _apply_address(order: Order, address: dict) -> None:
    """A new Address row (the old one stays as it was given, e.g. on a parcel's history)."""
    order.shipping_address = Address.objects.create(customer=order.customer, **address)
    order.contact_phone = address["phone"]
    order.address_key = address_key(address)
    order.province = address["province"]


def _contact_view(order: Order) -> dict:
    """The delivery address and contact as the timeline shows them: masked (the timeline is not a reveal)."""
    a = order.shipping_address
    return {
        "ship_to": f"{a.province}{a.city}{a.district}{mask(a.line1, 'text')}",
        "recipient": f"{mask(a.name, 'name')} {mask(a.phone, 'phone')}",
    }


def _summary(lines: list[OrderLine]) -> str:
    return ", ".join(f"{line.sku_code} × {line.quantity}" for line in lines)


# --------------------------------------------------------------------------------------------
# Stock and money, shared with split and merge
# --------------------------------------------------------------------------------------------


def holds_stock(order: Order) -> bool:
    return OrderLineAllocation.objects.filter(line__order=order, released_at__isnull=True).exists()


def stock_release(order: Order, *, reason: str, by) -> None:
    """Release every reservation of the order's lines (inventory locks its rows in order)."""
    refs = [f"order-line:{pk}" for pk in order.lines.order_by("pk").values_list("pk", flat=True)]
    if refs:
        reservation_release(demand_refs=refs, reason=reason, by=by)
    OrderLineAllocation.objects.filter(line__order=order, released_at__isnull=True).update(
        released_at=timezone.now()
    )


def stock_allocate_again(order: Order, *, by) -> None:
    """Reserve the order's lines again after ``stock_release``: allocated, or backordered when short.

    A held order keeps its hold (no transition): what it resumes to becomes allocated or backordered.
    """
    lines = list(order.lines.order_by("line_no"))
    result = allocate(
        lines=[DemandLine(ref=line.demand_ref, sku_id=line.sku_id, quantity=line.quantity) for line in lines],
        province=order.province,
        by=by,
    )
    if order.status != S.ON_HOLD:
        if order.status == S.ALLOCATED:
            run_transition(order, "deallocate", by=by, check_perm=False)
        _record_allocation(order=order, lines=lines, result=result, by=by)
    else:
        _record_held(order, lines, result)
    log_changes(
        instance=order,
        before={},
        by=by,
        action="reallocate",
        note=note("orders.edit.reserved_again" if result.allocated else "orders.edit.backordered"),
    )


def _record_held(order: Order, lines: list[OrderLine], result) -> None:
    from orders.services.allocation import backorder_details

    order.allocation_explanation = result.explanation
    if result.allocated:
        by_ref = {line.demand_ref: line for line in lines}
        OrderLineAllocation.objects.bulk_create(
            [
                OrderLineAllocation(
                    line=by_ref[r.demand_ref],
                    warehouse_id=r.warehouse_id,
                    quantity=r.quantity,
                    reservation_id=r.pk,
                    demand_ref=r.demand_ref,
                )
                for r in result.reservations
                if r.demand_ref in by_ref
            ]
        )
        order.held_from_status, order.allocated_at, order.backorder_info = S.ALLOCATED, timezone.now(), {}
    else:
        order.held_from_status, order.backorder_info = S.BACKORDERED, backorder_details(result.short)


def paid_net(order: Order) -> Decimal:
    """What the customer has paid for the order, less the refunds already owed or made."""
    paid = order.payments.filter(status=PaymentStatus.PAID).aggregate(s=Sum("amount"))["s"] or ZERO
    refunded = order.refunds.aggregate(s=Sum("amount"))["s"] or ZERO
    return paid - refunded


def _settle_money(order: Order, *, by) -> tuple[Decimal, Decimal]:
    """Unpaid: the pending payment asks the new total. Paid: a higher total holds the order for the
    difference; a lower one records the refund owed (as a cancellation records it). Returns (due, refund)."""
    if not order.is_paid:
        pending = order.payments.filter(status=PaymentStatus.PENDING).order_by("pk").first()
        if pending is not None and pending.amount != order.total:
            pending.amount = order.total
            pending.save(update_fields=["amount"])
        return ZERO, ZERO
    net = paid_net(order)
    money = {"total": money_param(order.total), "paid": money_param(net)}
    if order.total > net:
        due = order.total - net
        reason = note("orders.edit.payment_due", due=money_param(due), **money)
        if order.status != S.ON_HOLD:
            run_transition(order, "hold", by=by, check_perm=False, note=reason)
        order.hold_reason = reason
        return due, ZERO
    if order.total < net:
        refund = net - order.total
        reason = note("orders.edit.refund_owed", amount=money_param(refund), **money)
        RefundRecord.objects.create(order=order, amount=refund, kind=RefundKind.EDIT, reason=reason)
        log_changes(instance=order, before={}, by=by, action="refund_owed", note=reason)
        return ZERO, refund
    return ZERO, ZERO


def order_change_address(*, order_id: int, address: dict, channel_name: str = "") -> EditResult:
    """The buyer changed the delivery address on the channel (API): allowed until the order is released."""
    order = Order.objects.select_related("shipping_address").get(pk=order_id)
    current = {f: getattr(order.shipping_address, f) for f in ADDRESS_FIELDS}
    data = {
        "shipping_address": {**current, **(address if isinstance(address, dict) else {})},
        "lines": [
            {"id": ln.pk, "sku": ln.sku_code, "quantity": ln.quantity, "unit_price": str(ln.unit_price)}
            for ln in order.lines.order_by("line_no")
        ],
        "shipping_fee": str(order.shipping_fee),
        "discount": str(order.discount),
    }
    reason = note_param("orders.edit.by_channel", channel=channel_name)
    return order_edit(order_id=order_id, data=data, reason=reason, before_release=True)
