"""Editing an order before it is packed: validation, money, reservations, parcels, timeline."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fulfillment.services import (
    interception_reason,
    pack_scan,
    shipment_mark_packed,
    shipments_create_for_order,
)
from inventory.models import Reservation, StockLevel
from oms.audit import timeline_for
from oms.exceptions import DomainError, IllegalTransition
from oms.models import ChangeLog
from oms.notes import render_note
from orders import services
from orders.models import OrderLineAllocation, RefundRecord
from orders.services.editing import order_edit
from tests.inventory.helpers import assert_invariants

pytestmark = pytest.mark.django_db


def body_of(order, **changes) -> dict:
    """The edit form's data for ``order`` as it is, with ``changes`` applied."""
    a = order.shipping_address
    data = {
        "shipping_address": {
            f: getattr(a, f) for f in ("name", "phone", "province", "city", "district", "line1", "postcode")
        },
        "lines": [
            {
                "id": line.pk,
                "sku": line.sku_code,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
            }
            for line in order.lines.order_by("line_no")
        ],
        "shipping_fee": str(order.shipping_fee),
        "discount": str(order.discount),
    }
    for key, value in changes.items():
        if key in data["shipping_address"]:
            data["shipping_address"][key] = value
        else:
            data[key] = value
    return data


def reserved(sku) -> int:
    return sum(StockLevel.objects.filter(sku=sku).values_list("reserved", flat=True))


def active_refs(order) -> dict[str, int]:
    out = {}
    for r in Reservation.objects.filter(
        demand_ref__in=[ln.demand_ref for ln in order.lines.all()], status="active"
    ):
        out[r.demand_ref] = out.get(r.demand_ref, 0) + r.quantity
    return out


def test_address_change_of_allocated_order_keeps_reservations_and_logs_masked(order_in, ops_user, sku):
    order = order_in("allocated")
    old_address_id = order.shipping_address_id
    result = order_edit(
        order_id=order.pk,
        data=body_of(order, line1="新地址路8号", name="李四", phone="13900001111"),
        by=ops_user,
        reason="customer called",
    )
    order.refresh_from_db()
    assert result.changed and order.status == "allocated"
    assert order.shipping_address_id != old_address_id
    assert (order.shipping_address.line1, order.contact_phone) == ("新地址路8号", "13900001111")
    assert reserved(sku) == 2 and active_refs(order) == {order.lines.get().demand_ref: 2}
    log = ChangeLog.objects.filter(object_id=order.pk, action="edit").first()
    assert "recipient" in log.changes and "13900001111" not in str(log.changes)  # masked on the timeline
    assert log.changes["ship_to"][1].startswith("上海上海市浦东新区新地")
    edited = [e for e in timeline_for(order) if e.kind == "change" and e.changes]
    assert set(edited[0].changes) == {"Ship to", "Recipient"}  # named for the reader, not by field
    assert not RefundRecord.objects.exists()


def test_quantity_up_reallocates_and_holds_for_the_difference(order_in, ops_user, sku):
    order = order_in("allocated")  # 2 × 59.90 paid
    line = order.lines.get()
    data = body_of(order)
    data["lines"][0]["quantity"] = 3
    result = order_edit(order_id=order.pk, data=data, by=ops_user, reason="one more")
    order.refresh_from_db()
    assert result.payment_due == Decimal("59.90")
    assert (order.subtotal, order.total) == (Decimal("179.70"), Decimal("179.70"))
    assert order.status == "on_hold" and order.held_from_status == "allocated"
    assert active_refs(order) == {line.demand_ref: 3} and reserved(sku) == 3
    assert OrderLineAllocation.objects.filter(line=line, released_at__isnull=True).get().quantity == 3
    assert render_note(order.hold_reason) == (
        "Waits for an additional payment of 59.90: the new total 179.70 is above what was paid (119.80)"
    )
    assert_invariants()


def test_remove_and_add_lines_lower_total_records_refund(order_in, ops_user, sku, sku2):
    order = order_in("allocated")  # SKU-0001 × 2 = 119.80 paid
    data = body_of(order)
    data["lines"] = [{"id": None, "sku": "SKU-0002", "quantity": 1, "unit_price": ""}]  # list price 20.00
    result = order_edit(order_id=order.pk, data=data, by=ops_user, reason="swap")
    order.refresh_from_db()
    assert result.refund == Decimal("99.80")
    assert order.total == Decimal("20.00") and order.status == "allocated"
    refund = RefundRecord.objects.get(order=order)
    assert (refund.amount, refund.kind, refund.status) == (Decimal("99.80"), "edit", "open")
    assert reserved(sku) == 0 and reserved(sku2) == 1
    assert [(ln.line_no, ln.sku_code) for ln in order.lines.all()] == [(1, "SKU-0002")]
    # cancelling afterwards refunds the rest only: 20.00 (119.80 paid, 99.80 already owed)
    services.order_cancel(order_id=order.pk, by=ops_user, reason="changed mind")
    assert RefundRecord.objects.get(order=order, kind="cancellation").amount == Decimal("20.00")
    assert_invariants()


def test_sku_swap_short_of_stock_backorders(order_in, ops_user, sku, sku2):
    order = order_in("allocated")
    data = body_of(order)
    data["lines"][0].update(sku="SKU-0002", quantity=6, unit_price="19.96")  # 5 in stock; 6 × 19.96 = 119.76
    order_edit(order_id=order.pk, data=data, by=ops_user, reason="swap")
    order.refresh_from_db()
    assert order.status == "backordered"
    assert reserved(sku) == 0 and reserved(sku2) == 0
    assert order.backorder_info["short"][0]["code"] == "SKU-0002"
    assert RefundRecord.objects.get().amount == Decimal("0.04")


def test_invalid_input_refused_field_by_field_nothing_written(order_in, ops_user):
    order = order_in("allocated")
    data = body_of(order, district="", phone="12")
    data["lines"][0].update(sku="NOPE", quantity=0)
    data["discount"] = "abc"
    with pytest.raises(DomainError) as exc:
        order_edit(order_id=order.pk, data=data, by=ops_user)
    assert set(exc.value.field_errors) == {
        "shipping_address.district",
        "shipping_address.phone",
        "lines[0].sku",
        "lines[0].quantity",
        "discount",
    }
    assert exc.value.field_errors["lines[0].sku"] == ["Unknown SKU NOPE"]
    order.refresh_from_db()
    assert order.lines.get().quantity == 2 and order.status == "allocated"
    assert not ChangeLog.objects.filter(object_id=order.pk, action="edit").exists()


def test_discount_above_total_refused(order_in, ops_user):
    order = order_in("approved")
    with pytest.raises(DomainError) as exc:
        order_edit(order_id=order.pk, data=body_of(order, discount="500.00"), by=ops_user)
    assert "discount" in exc.value.field_errors


def test_unpaid_order_payment_follows_total(order_in, ops_user):
    order = order_in("pending_payment")
    data = body_of(order, shipping_fee="10.00")
    order_edit(order_id=order.pk, data=data, by=ops_user)
    order.refresh_from_db()
    assert order.total == Decimal("129.80")
    assert order.payments.get().amount == Decimal("129.80") and order.status == "pending_payment"


def test_released_order_must_be_held_then_parcel_is_intercepted(order_in, ops_user, sku):
    order = order_in("allocated")
    (parcel,) = shipments_create_for_order(order_id=order.pk)
    order.refresh_from_db()
    assert order.status == "in_fulfillment"
    with pytest.raises(IllegalTransition, match="hold it first"):
        order_edit(order_id=order.pk, data=body_of(order, line1="新地址路8号"), by=ops_user)
    services.order_hold(order_id=order.pk, by=ops_user, reason="customer called: new address")
    result = order_edit(order_id=order.pk, data=body_of(order, line1="新地址路8号"), by=ops_user)
    parcel.refresh_from_db()
    order.refresh_from_db()
    assert result.parcels == [parcel.number] and parcel.status == "cancelled"
    assert order.held_from_status == "allocated" and reserved(sku) == 2
    services.order_resume(order_id=order.pk, by=ops_user)
    (new_parcel,) = shipments_create_for_order(order_id=order.pk)
    assert new_parcel.pk != parcel.pk and new_parcel.address.line1 == "新地址路8号"
    order.refresh_from_db()
    assert order.status == "in_fulfillment"


def test_packed_parcel_refuses_the_edit(order_in, ops_user):
    order = order_in("allocated")
    (parcel,) = shipments_create_for_order(order_id=order.pk)
    for _unit in range(2):
        pack_scan(shipment_id=parcel.pk, code="SKU-0001")
    shipment_mark_packed(shipment_id=parcel.pk)
    services.order_hold(order_id=order.pk, by=ops_user, reason="too late?")
    order.refresh_from_db()
    with pytest.raises(IllegalTransition, match="already Packed"):
        order_edit(order_id=order.pk, data=body_of(order, line1="新地址路8号"), by=ops_user)


@pytest.mark.parametrize("status", ["shipped", "delivered"])
def test_shipped_orders_refused(order_in, ops_user, status):
    order = order_in(status)
    with pytest.raises(IllegalTransition, match="can no longer be changed"):
        order_edit(order_id=order.pk, data=body_of(order, line1="x路1号"), by=ops_user)


def test_nothing_changed_writes_nothing(order_in, ops_user):
    order = order_in("allocated")
    result = order_edit(order_id=order.pk, data=body_of(order), by=ops_user)
    assert not result.changed
    assert not ChangeLog.objects.filter(object_id=order.pk, action="edit").exists()


def test_role_without_permission_refused(order_in, finance_user):
    order = order_in("allocated")
    with pytest.raises(DomainError):
        order_edit(order_id=order.pk, data=body_of(order, line1="x路1号"), by=finance_user)


def test_order_in_a_merged_parcel_is_taken_out_and_the_parcel_stays_for_the_other(make_order, ops_user, sku):
    """Two orders of one buyer to one address share a parcel (合单); editing one takes only its lines out."""
    first = services.order_allocate(order_id=make_order().pk)
    second = make_order()
    if second.status == "on_review":
        second = services.order_approve(order_id=second.pk, by=ops_user)
    second = services.order_allocate(order_id=second.pk)
    (parcel,) = shipments_create_for_order(order_id=first.pk)
    assert shipments_create_for_order(order_id=second.pk) == [parcel]  # merged into the pending parcel
    services.order_hold(order_id=first.pk, by=ops_user, reason="customer called")
    first.refresh_from_db()
    order_edit(order_id=first.pk, data=body_of(first, line1="新地址路8号"), by=ops_user, reason="new address")
    parcel.refresh_from_db()
    assert parcel.status == "pending" and parcel.order_id == second.pk
    assert list(parcel.lines.values_list("order_line__order_id", flat=True)) == [second.pk]
    assert interception_reason(parcel) is None  # the other order's parcel goes on as it is
    assert reserved(sku) == 4
