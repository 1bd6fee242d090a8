"""Manual split of an order and merge of one buyer's orders: lines, money to the cent, reservations, timeline."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fulfillment.services import shipments_create_for_order
from inventory.models import Reservation
from oms.audit import timeline_for
from oms.exceptions import DomainError, IllegalTransition
from orders import services
from orders.models import Order
from orders.services.split_merge import mergeable_orders, order_split, orders_merge
from tests.inventory.helpers import assert_invariants

pytestmark = pytest.mark.django_db

TWO_LINES = [
    {"sku": "SKU-0001", "quantity": 3, "unit_price": "59.90"},
    {"sku": "SKU-0002", "quantity": 1, "unit_price": "20.00"},
]


def active(order) -> dict[str, int]:
    out = {}
    for line in order.lines.all():
        for r in Reservation.objects.filter(demand_ref=line.demand_ref, status="active"):
            out[line.sku_code] = out.get(line.sku_code, 0) + r.quantity
    return out


def approved(order, by):
    """Orders of one buyer in a row may go to review (same-phone rule): approve them as operations would."""
    if order.status == "on_review":
        order = services.order_approve(order_id=order.pk, by=by)
    return order


def paid(order) -> Decimal:
    return sum((p.amount for p in order.payments.all()), Decimal("0.00"))


def test_split_moves_part_of_a_line_and_a_whole_line_with_money_and_stock(order_in, ops_user, sku2):
    # 3 × 59.90 + 1 × 20.00 = 199.70, shipping 10.00, discount 9.99 → total 199.71, paid in full
    order = order_in("allocated", lines=TWO_LINES, shipping_fee="10.00", discount="9.99")
    first, second = order.lines.order_by("line_no")
    new = order_split(
        order_id=order.pk, quantities={first.pk: 1, second.pk: 1}, by=ops_user, reason="two parcels"
    )
    order.refresh_from_db()
    new.refresh_from_db()
    assert [(ln.sku_code, ln.quantity) for ln in order.lines.all()] == [("SKU-0001", 2)]
    assert [(ln.sku_code, ln.quantity) for ln in new.lines.all()] == [("SKU-0001", 1), ("SKU-0002", 1)]
    # discount follows the moved subtotal (79.90 / 199.70 of 9.99 = 4.00 rounded to the cent)
    assert (new.subtotal, new.shipping_fee, new.discount, new.total) == (
        Decimal("79.90"),
        Decimal("0.00"),
        Decimal("4.00"),
        Decimal("75.90"),
    )
    assert (order.subtotal, order.shipping_fee, order.discount, order.total) == (
        Decimal("119.80"),
        Decimal("10.00"),
        Decimal("5.99"),
        Decimal("123.81"),
    )
    assert paid(new) == new.total and paid(order) == order.total  # payments follow, to the cent
    assert paid(new) + paid(order) == Decimal("199.71")
    assert (order.status, new.status) == ("allocated", "allocated")
    assert active(order) == {"SKU-0001": 2} and active(new) == {"SKU-0001": 1, "SKU-0002": 1}
    assert new.split_from_id == order.pk and new.source == "split" and new.customer_id == order.customer_id
    assert any(new.number in e.note for e in timeline_for(order))
    assert any(order.number in e.note for e in timeline_for(new))
    assert_invariants()


def test_split_refusals(order_in, ops_user):
    order = order_in("allocated")
    line = order.lines.get()
    with pytest.raises(DomainError) as exc:
        order_split(order_id=order.pk, quantities={line.pk: 2}, by=ops_user)
    assert exc.value.field_errors == {"lines": ["Leave at least one unit on this order: move fewer units."]}
    with pytest.raises(DomainError) as exc:
        order_split(order_id=order.pk, quantities={line.pk: 5}, by=ops_user)
    assert exc.value.field_errors == {f"move-{line.pk}": ["Enter 0 to 2."]}
    with pytest.raises(DomainError):
        order_split(order_id=order.pk, quantities={line.pk: 0}, by=ops_user)
    shipments_create_for_order(order_id=order.pk)
    with pytest.raises(IllegalTransition, match="hold it first"):
        order_split(order_id=order.pk, quantities={line.pk: 1}, by=ops_user)
    assert Order.objects.count() == 1


def test_split_of_held_released_order_intercepts_parcel(order_in, ops_user):
    order = order_in("allocated")
    (parcel,) = shipments_create_for_order(order_id=order.pk)
    services.order_hold(order_id=order.pk, by=ops_user, reason="split in two parcels")
    new = order_split(order_id=order.pk, quantities={order.lines.get().pk: 1}, by=ops_user)
    parcel.refresh_from_db()
    order.refresh_from_db()
    assert parcel.status == "cancelled"
    assert (order.status, order.held_from_status) == ("on_hold", "allocated")
    assert (new.status, new.held_from_status) == ("on_hold", "allocated")
    assert active(order) == {"SKU-0001": 1} and active(new) == {"SKU-0001": 1}
    assert_invariants()


def test_merge_same_buyer_and_address(make_order, ops_user, sku, sku2):
    a = services.order_allocate(order_id=make_order().pk)
    b = make_order(lines=[{"sku": "SKU-0002", "quantity": 2, "unit_price": "20.00"}], shipping_fee="8.00")
    b = approved(b, ops_user)
    c = services.order_allocate(order_id=approved(make_order(), ops_user).pk)
    assert mergeable_orders(a) == [b, c]
    kept = orders_merge(keep_id=a.pk, order_ids=[b.pk, c.pk], by=ops_user)
    for o in (a, b, c):
        o.refresh_from_db()
    assert kept.pk == a.pk and a.status == "allocated"
    assert [(ln.line_no, ln.sku_code, ln.quantity) for ln in a.lines.all()] == [
        (1, "SKU-0001", 2),
        (2, "SKU-0002", 2),
        (3, "SKU-0001", 2),
    ]
    assert a.total == Decimal("119.80") + Decimal("48.00") + Decimal("119.80") and paid(a) == a.total
    assert active(a) == {"SKU-0001": 4, "SKU-0002": 2}
    for o in (b, c):
        assert (o.status, o.merged_into_id, o.total) == ("cancelled", a.pk, Decimal("0.00"))
        assert not o.lines.exists() and not o.payments.exists() and not o.refunds.exists()
        assert any(a.number in e.note for e in timeline_for(o))
    assert any(b.number in e.note and c.number in e.note for e in timeline_for(a))
    assert_invariants()


def test_merge_refused_for_other_address_or_released(make_order, ops_user, sku):
    a = services.order_allocate(order_id=make_order().pk)
    body_other = {
        "province": "上海",
        "city": "上海市",
        "district": "徐汇区",
        "line1": "漕溪北路1号",
        "postcode": "",
    }
    b = approved(make_order(shipping_address=body_other), ops_user)
    c = services.order_allocate(order_id=approved(make_order(), ops_user).pk)
    shipments_create_for_order(order_id=c.pk)
    assert mergeable_orders(a) == []
    with pytest.raises(IllegalTransition) as exc:
        orders_merge(keep_id=a.pk, order_ids=[b.pk, c.pk], by=ops_user)
    assert f"{b.number} goes to another address." in exc.value.message
    assert f"{c.number} is In fulfillment" in exc.value.message
    a.refresh_from_db()
    assert a.lines.count() == 1 and a.total == Decimal("119.80")
