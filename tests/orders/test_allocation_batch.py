"""Batch allocation of approved orders: each decision recorded as one-by-one allocation records it, in bulk."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_fsm_log.models import StateLog

from inventory.models import Reservation
from oms.notes import render_note
from orders import services
from orders.models import Order, OrderLineAllocation, OrderRule
from tests.inventory.helpers import assert_invariants

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(make_order, sku, sku2):
    OrderRule.objects.filter(kind="risk").update(is_active=False)  # same buyer several times: not the point

    def make(*lines: tuple[str, int]) -> Order:
        order = make_order(lines=[{"sku": code, "quantity": qty, "unit_price": "1"} for code, qty in lines])
        assert order.status == "approved"
        return order

    return make


def _logs(order: Order) -> list[tuple]:
    return list(
        StateLog.objects.filter(content_type=ContentType.objects.get_for_model(Order), object_id=order.pk)
        .exclude(source_state__in=["pending_payment", "paid", "on_review"])
        .values_list("source_state", "state", "transition", "by_id", "description")
    )


def test_a_batch_records_each_decision_its_lines_and_its_logged_transition(approved, ops_user):
    # given three approved orders; SKU-0002 has 5 units, so the third order is short by 2
    first = approved(("SKU-0001", 10))
    second = approved(("SKU-0002", 4), ("SKU-0001", 1))
    third = approved(("SKU-0002", 3))
    stamped = dict(Order.objects.values_list("pk", "updated_at"))

    # when
    counts = services.orders_allocate_batch(order_ids=[first.pk, second.pk, third.pk], by=ops_user)

    # then
    assert counts == {"allocated": 2, "backordered": 1, "skipped": 0}
    orders = Order.objects.in_bulk([first.pk, second.pk, third.pk])
    assert [orders[o.pk].status for o in (first, second, third)] == ["allocated", "allocated", "backordered"]
    assert _logs(first) == [("approved", "allocated", "allocate", ops_user.pk, None)]
    assert _logs(second) == [("approved", "allocated", "allocate", ops_user.pk, None)]
    assert [(*row[:4], render_note(row[4])) for row in _logs(third)] == [
        ("approved", "backordered", "backorder", ops_user.pk, "Short: SKU-0002 short by 2")
    ]
    assert orders[first.pk].allocation_explanation["decision"] == "single_warehouse"
    assert orders[first.pk].allocation_explanation["chosen"] == ["SH"]
    assert orders[third.pk].allocation_explanation["decision"] == "backorder"
    short = orders[third.pk].backorder_info["short"]
    assert [(s["code"], s["missing"]) for s in short] == [("SKU-0002", 2)]
    assert orders[first.pk].backorder_info == {}
    assert orders[first.pk].allocated_at is not None and orders[third.pk].allocated_at is None
    assert all(orders[pk].updated_at > stamped[pk] for pk in orders)
    recorded = sorted(
        OrderLineAllocation.objects.values_list("line__order_id", "line__sku_code", "quantity", "demand_ref")
    )
    assert recorded == sorted(
        [
            (first.pk, "SKU-0001", 10, first.lines.get().demand_ref),
            (second.pk, "SKU-0002", 4, second.lines.get(sku_code="SKU-0002").demand_ref),
            (second.pk, "SKU-0001", 1, second.lines.get(sku_code="SKU-0001").demand_ref),
        ]
    )
    for allocation in OrderLineAllocation.objects.all():
        reservation = Reservation.objects.get(pk=allocation.reservation_id)
        assert (reservation.demand_ref, reservation.quantity, reservation.status) == (
            allocation.demand_ref,
            allocation.quantity,
            "active",
        )
    assert_invariants()


def test_running_a_batch_twice_allocates_nothing_twice(approved):
    order = approved(("SKU-0001", 2))
    services.orders_allocate_batch(order_ids=[order.pk])

    again = services.orders_allocate_batch(order_ids=[order.pk])

    assert again == {"allocated": 0, "backordered": 0, "skipped": 1}
    assert OrderLineAllocation.objects.count() == 1
    assert Reservation.objects.filter(status="active").count() == 1
    assert len(_logs(order)) == 1
    assert_invariants()


def test_a_batch_costs_the_same_queries_for_2_orders_as_for_6(approved):
    orders = [
        approved(("SKU-0001", 1), ("SKU-0002", 1)) if n < 4 else approved(("SKU-0001", 2)) for n in range(8)
    ]

    def queries(batch: list[Order]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            counts = services.orders_allocate_batch(order_ids=[o.pk for o in batch])
        assert counts["allocated"] == len(batch)
        return len(ctx.captured_queries)

    assert queries(orders[:2]) == queries(orders[2:])
    assert Order.objects.filter(status="allocated").count() == 8
    assert_invariants()
