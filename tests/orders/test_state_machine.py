"""Order state machine through the services: review, finance review, hold/resume, cancel, allocation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import Reservation, StockLevel
from oms.exceptions import DomainError, IllegalTransition, PermissionRefused
from oms.models import OutboxMessage
from oms.notes import render_note
from orders import services
from orders.models import Order, OrderLineAllocation, OrderRule, RefundRecord
from orders.tasks import allocate_backorders_task, cancel_unpaid_orders_task
from tests.factories import ProductFactory, SKUFactory, stock_in

pytestmark = pytest.mark.django_db


def reserved(sku) -> int:
    return sum(StockLevel.objects.filter(sku=sku).values_list("reserved", flat=True))


def test_a_clean_paid_order_is_auto_approved_with_its_priority(make_order):
    order = make_order(flags={"urgent": True, "promotion": "double11"})
    assert order.status == "approved"
    assert order.priority == 120
    assert order.priority_reasons == ["Urgent", "Promotion order"]
    assert sorted(order.tags.values_list("name", flat=True)) == ["promotion", "urgent"]
    assert order.paid_at is not None


def test_an_unpaid_order_waits_for_payment_then_is_routed(make_order):
    order = make_order(paid=False)
    assert order.status == "pending_payment"
    order = services.order_mark_paid(order_id=order.pk, transaction_id="ALI-9")
    assert order.status == "approved"
    assert order.payments.get().status == "paid"


def test_review_reasons_are_recorded_and_the_order_waits(make_order):
    order = make_order(note="请周末送货", lines=[{"sku": "SKU-0001", "quantity": 100, "unit_price": "59.90"}])
    assert order.status == "on_review"
    assert order.review_reasons == ["Amount above the review limit", "Buyer left a remark"]
    assert order.priority_reasons == ["Large order"]


def test_risk_score_and_its_reasons(make_order):
    # given a new customer paying 3000+ cash on delivery
    body_payment = {"method": "cod", "status": "paid", "amount": "3500.00", "transaction_id": ""}
    order = make_order(
        lines=[{"sku": "SKU-0001", "quantity": 1, "unit_price": "3500.00"}], payment=body_payment
    )
    assert order.risk_score == 70
    assert [r["reason"] for r in order.risk_reasons] == [
        "New customer with a large amount",
        "Cash on delivery above the limit",
    ]
    assert order.status == "on_review"
    assert "Risk score above the threshold" in order.review_reasons


def test_many_orders_to_one_address_raise_the_risk(make_order):
    orders = [make_order() for _ in range(3)]
    assert [o.risk_score for o in orders] == [0, 0, 60]  # the third: same address and same phone in 24h
    assert orders[2].status == "on_review"


def test_approve_then_allocate(order_in, ops_user, sku):
    order = order_in("on_review")
    order = services.order_approve(order_id=order.pk, by=ops_user, note="checked with buyer")
    assert order.status == "approved"
    order = services.order_allocate(order_id=order.pk)
    assert order.status == "allocated"
    allocation = OrderLineAllocation.objects.get(line__order=order)
    assert (allocation.warehouse.code, allocation.quantity) == ("SH", 2)
    assert (
        Reservation.objects.get(pk=allocation.reservation_id).demand_ref == f"order-line:{allocation.line_id}"
    )
    assert reserved(sku) == 2
    assert order.allocation_explanation != {}


def test_finance_review_above_the_limit(order_in, ops_user, finance_user):
    order = order_in("finance_review")
    assert order.status == "finance_review"
    # operations may not do the finance review
    with pytest.raises(PermissionRefused):
        services.order_approve(order_id=order.pk, by=ops_user)
    assert Order.objects.get(pk=order.pk).status == "finance_review"
    order = services.order_approve(order_id=order.pk, by=finance_user)
    assert order.status == "approved"


def test_reject_needs_a_reason_and_opens_a_refund(order_in, ops_user, django_capture_on_commit_callbacks):
    order = order_in("on_review")
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(DomainError):
        services.order_reject(order_id=order.pk, by=ops_user, reason="  ")
    assert callbacks == []
    assert Order.objects.get(pk=order.pk).status == "on_review"
    order = services.order_reject(order_id=order.pk, by=ops_user, reason="fraud suspected")
    assert order.status == "cancelled"
    assert order.cancel_reason == "fraud suspected"
    assert RefundRecord.objects.get(order=order).amount == Decimal("119.80")
    assert OutboxMessage.objects.filter(event="order.cancelled").count() == 1


def test_hold_and_resume_return_to_the_held_state(order_in, ops_user, sku):
    order = order_in("allocated")
    order = services.order_hold(order_id=order.pk, by=ops_user, reason="new address")
    assert (order.status, order.held_from_status, order.hold_reason) == (
        "on_hold",
        "allocated",
        "new address",
    )
    assert reserved(sku) == 2  # still held for it
    order = services.order_resume(order_id=order.pk, by=ops_user)
    assert (order.status, order.held_from_status, order.hold_reason) == ("allocated", "", "")


def test_cancel_an_allocated_order_releases_stock_and_opens_a_refund(order_in, ops_user, sku):
    order = order_in("allocated")
    assert reserved(sku) == 2
    order = services.order_cancel(order_id=order.pk, by=ops_user, reason="customer changed mind")
    assert order.status == "cancelled"
    assert reserved(sku) == 0
    assert Reservation.objects.get().status == "released"
    assert OrderLineAllocation.objects.get().released_at is not None
    assert RefundRecord.objects.get().amount == Decimal("119.80")


def test_cancel_an_unpaid_order_opens_no_refund(order_in, ops_user):
    order = order_in("pending_payment")
    services.order_cancel(order_id=order.pk, by=ops_user, reason="duplicate")
    assert RefundRecord.objects.count() == 0


def test_short_stock_backorders_with_restock_date_and_suggestions(make_order, sku, warehouse):
    restock = timezone.localdate() + timedelta(days=10)  # a date already past is stale: not promised
    sku.expected_restock_date = restock
    sku.save()
    sibling = SKUFactory(product=sku.product, code="SKU-0001-B", name="500g")
    stock_in(sibling, warehouse, 7)
    other = SKUFactory(product=ProductFactory(code="P-GREEN", category="tea"), code="SKU-TEA-2")
    stock_in(other, warehouse, 3)
    SKUFactory(
        product=ProductFactory(code="P-EMPTY", category="tea"), code="SKU-TEA-0"
    )  # no stock: not suggested
    order = make_order(lines=[{"sku": "SKU-0001", "quantity": 150, "unit_price": "1.00"}])
    order = services.order_allocate(order_id=order.pk)
    assert order.status == "backordered"
    assert order.backorder_info == {
        "short": [
            {
                "sku_id": sku.pk,
                "code": "SKU-0001",
                "name": "龙井茶 250g",
                "missing": 50,
                "expected_restock_date": restock.isoformat(),
                "suggestions": [
                    {"code": "SKU-0001-B", "name": "龙井茶 500g", "available": 7, "same_product": True},
                    {
                        "code": "SKU-TEA-2",
                        "name": f"{other.product.name}",
                        "available": 3,
                        "same_product": False,
                    },
                ],
            }
        ]
    }
    assert reserved(sku) == 0
    # when stock arrives, the backorder task allocates it
    stock_in(sku, warehouse, 60)
    allocate_backorders_task(sku_ids=[sku.pk])
    order.refresh_from_db()
    assert order.status == "allocated"
    assert order.backorder_info == {}
    assert reserved(sku) == 150


def test_backorders_are_allocated_in_priority_order(make_order, sku, warehouse):
    OrderRule.objects.filter(kind="risk").update(
        is_active=False
    )  # same buyer three times: not the point here
    low = services.order_allocate(
        order_id=make_order(lines=[{"sku": "SKU-0001", "quantity": 80, "unit_price": "1"}]).pk
    )
    high = services.order_allocate(
        order_id=make_order(
            lines=[{"sku": "SKU-0001", "quantity": 80, "unit_price": "1"}], flags={"urgent": True}
        ).pk
    )
    assert (low.status, high.status) == ("allocated", "backordered")
    low2 = services.order_allocate(
        order_id=make_order(lines=[{"sku": "SKU-0001", "quantity": 50, "unit_price": "1"}]).pk
    )
    assert low2.status == "backordered"
    stock_in(sku, warehouse, 70)  # enough for one of them: the urgent one goes first
    assert allocate_backorders_task(sku_ids=[sku.pk]) == {"allocated": 1, "backordered": 1, "skipped": 0}
    assert Order.objects.get(pk=high.pk).status == "allocated"
    assert Order.objects.get(pk=low2.pk).status == "backordered"


def test_reallocate_releases_and_allocates_again(order_in, ops_user, sku):
    order = order_in("allocated")
    first = OrderLineAllocation.objects.get()
    order = services.order_reallocate(order_id=order.pk, by=ops_user)
    assert order.status == "allocated"
    assert reserved(sku) == 2
    assert OrderLineAllocation.objects.filter(released_at__isnull=True).exclude(pk=first.pk).count() == 1
    assert OrderLineAllocation.objects.get(pk=first.pk).released_at is not None


def test_unpaid_orders_are_cancelled_after_the_configured_time(make_order, settings):
    settings.OMS_UNPAID_CANCEL_MINUTES = 30
    old = make_order(paid=False, placed_at=(timezone.now() - timedelta(minutes=31)).isoformat())
    fresh = make_order(paid=False, placed_at=(timezone.now() - timedelta(minutes=5)).isoformat())
    assert cancel_unpaid_orders_task() == 1
    assert Order.objects.get(pk=old.pk).status == "cancelled"
    assert render_note(Order.objects.get(pk=old.pk).cancel_reason) == "Not paid within 30 minutes"
    assert Order.objects.get(pk=fresh.pk).status == "pending_payment"


def test_fulfilment_marks_and_notifications_in_the_customers_language(order_in):
    order = order_in("delivered")
    assert order.status == "delivered"
    events = list(
        OutboxMessage.objects.order_by("pk").values_list("event", "language", "recipient", "subject")
    )
    assert events == [
        ("order.paid", "zh-hans", "13812345678", events[0][3]),
        ("order.shipped", "zh-hans", "13812345678", events[1][3]),
        ("order.delivered", "zh-hans", "13812345678", events[2][3]),
    ]
    assert order.number in events[0][3]


ACTIONS = {
    "approve": lambda o, u: services.order_approve(order_id=o.pk, by=u),
    "reject": lambda o, u: services.order_reject(order_id=o.pk, by=u, reason="no"),
    "hold": lambda o, u: services.order_hold(order_id=o.pk, by=u, reason="why"),
    "resume": lambda o, u: services.order_resume(order_id=o.pk, by=u),
    "cancel": lambda o, u: services.order_cancel(order_id=o.pk, by=u, reason="why"),
    "allocate": lambda o, u: services.order_allocate(order_id=o.pk, by=u),
    "reallocate": lambda o, u: services.order_reallocate(order_id=o.pk, by=u),
    "pay": lambda o, u: services.order_mark_paid(order_id=o.pk, by=u),
    "release": lambda o, u: services.order_mark_released(order_id=o.pk, by=u),
    "ship": lambda o, u: services.order_mark_shipped(order_id=o.pk, by=u),
    "deliver": lambda o, u: services.order_mark_delivered(order_id=o.pk, by=u),
}
ALLOWED = {
    "pending_payment": {"hold", "cancel", "pay"},
    "on_review": {"approve", "reject", "hold", "cancel"},
    "approved": {"hold", "cancel", "allocate"},
    "backordered": {"hold", "cancel", "allocate", "reallocate"},
    "allocated": {"hold", "cancel", "reallocate", "release"},
    "on_hold": {"resume", "cancel"},
    "in_fulfillment": {"hold", "cancel", "ship"},
    "shipped": {"deliver"},
    "delivered": set(),
}


@pytest.mark.parametrize(
    ("status", "action"),
    [(s, a) for s, allowed in ALLOWED.items() for a in ACTIONS if a not in allowed],
)
def test_every_illegal_action_is_refused_and_changes_nothing(
    order_in, ops_user, status, action, django_capture_on_commit_callbacks
):
    order = order_in(status)
    before = Order.objects.filter(pk=order.pk).values().get()
    outbox = OutboxMessage.objects.count()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(IllegalTransition) as refused:
        ACTIONS[action](order, ops_user)
    assert "is not possible now" in refused.value.message or "Only" in refused.value.message
    assert Order.objects.filter(pk=order.pk).values().get() == before
    assert OutboxMessage.objects.count() == outbox
    assert callbacks == []


def test_batch_allocation_decides_in_priority_order_like_one_by_one(make_order, sku, warehouse):
    OrderRule.objects.filter(kind="risk").update(is_active=False)  # same buyer several times: not the point
    normal = make_order(lines=[{"sku": "SKU-0001", "quantity": 60, "unit_price": "1"}])
    urgent = make_order(
        lines=[{"sku": "SKU-0001", "quantity": 60, "unit_price": "1"}], flags={"urgent": True}
    )
    small = make_order(lines=[{"sku": "SKU-0001", "quantity": 30, "unit_price": "1"}])
    assert {o.status for o in (normal, urgent, small)} == {"approved"}

    counts = services.orders_allocate_pending(batch_size=2)

    assert counts == {"allocated": 2, "backordered": 1, "skipped": 0}
    status = dict(Order.objects.values_list("pk", "status"))
    # 100 units: the urgent order first (60), then the normal one does not fit (60 > 40), the small one does
    assert (status[urgent.pk], status[normal.pk], status[small.pk]) == (
        "allocated",
        "backordered",
        "allocated",
    )
    assert reserved(sku) == 90
    assert sorted(OrderLineAllocation.objects.values_list("line__order_id", "quantity")) == sorted(
        [(urgent.pk, 60), (small.pk, 30)]
    )
    assert Order.objects.get(pk=normal.pk).backorder_info["short"][0]["missing"] == 20
    assert Order.objects.get(pk=urgent.pk).allocation_explanation["decision"]


def test_a_reship_is_a_free_copy_of_the_shipped_orders_lines_to_the_same_address(order_in, ops_user):
    from orders import services

    original = order_in("shipped")
    copy = services.order_reship(order_id=original.pk, by=ops_user, reason="包裹破损，补发")
    assert copy.reship_of_id == original.pk
    assert copy.source == "reship"
    assert copy.total == 0
    assert [(line.sku_code, line.quantity, line.unit_price) for line in copy.lines.order_by("line_no")] == [
        (line.sku_code, line.quantity, 0) for line in original.lines.order_by("line_no")
    ]
    assert copy.shipping_address.line1 == original.shipping_address.line1
    assert copy.customer_id == original.customer_id
