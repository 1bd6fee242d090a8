"""An open after-sales case holds a delivered order back from completing (aftersales' completion blocker hook)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales.choices import CaseStatus
from aftersales.selectors import open_cases_blocking_completion
from aftersales.services import (
    LineRequest,
    case_approve,
    case_close,
    case_register,
    case_reject,
    refund_record,
)
from orders.choices import OrderStatus
from orders.hooks import completion_blocked
from orders.models import Order
from orders.services import order_mark_delivered
from orders.tasks import complete_delivered_orders_task

pytestmark = pytest.mark.django_db


def delivered_days_ago(order, days: int) -> Order:
    return order_mark_delivered(order_id=order.pk, delivered_at=timezone.now() - timedelta(days=days))


def refund_case(order, user, reason):
    line = order.lines.get()
    return case_register(
        order_id=order.pk,
        case_type="refund_only",
        lines=[LineRequest(order_line_id=line.pk, quantity=1)],
        reason_id=reason.pk,
        by=user,
    )


def status_of(order) -> str:
    return Order.objects.values_list("status", flat=True).get(pk=order.pk)


def test_aftersales_registers_its_blocker_at_start_up(shipped_order, ops_user, late):
    case = refund_case(shipped_order, ops_user, late)
    assert completion_blocked([shipped_order.pk]) == {
        shipped_order.pk: f"After-sales case {case.number} is open."
    }
    assert open_cases_blocking_completion([shipped_order.pk]) == {
        shipped_order.pk: f"After-sales case {case.number} is open."
    }


def test_an_open_case_keeps_the_order_delivered_until_it_closes(shipped_order, ops_user, finance_user, late):
    order = delivered_days_ago(shipped_order, 20)
    case = refund_case(order, ops_user, late)

    assert complete_delivered_orders_task() == {"completed": 0, "blocked": 1, "skipped": 0}
    assert status_of(order) == OrderStatus.DELIVERED

    case_approve(case_id=case.pk, by=ops_user)
    refund_record(case_id=case.pk, amount="199.00", by=finance_user)
    case.refresh_from_db()
    assert case.status == CaseStatus.REFUNDED  # still open: the case is not closed yet
    assert complete_delivered_orders_task()["completed"] == 0
    assert status_of(order) == OrderStatus.DELIVERED

    case_close(case_id=case.pk, by=ops_user)
    assert complete_delivered_orders_task()["completed"] == 1
    assert status_of(order) == OrderStatus.COMPLETED


def test_a_rejected_case_does_not_block(shipped_order, ops_user, late):
    order = delivered_days_ago(shipped_order, 16)
    case = refund_case(order, ops_user, late)
    case_reject(case_id=case.pk, reason="outside policy", by=ops_user)

    assert complete_delivered_orders_task()["completed"] == 1
    assert status_of(order) == OrderStatus.COMPLETED


def test_only_the_order_with_the_open_case_waits(sku, warehouse, ops_user, late):
    from tests.factories import order_through_services

    with_case = order_through_services(lines=[(sku, 1, "199.00")], warehouse=warehouse, phone="13800000001")
    without = order_through_services(lines=[(sku, 1, "199.00")], warehouse=warehouse, phone="13800000002")
    for order in (with_case, without):
        delivered_days_ago(order, 16)
    refund_case(with_case, ops_user, late)

    assert complete_delivered_orders_task() == {"completed": 1, "blocked": 1, "skipped": 0}
    assert (status_of(with_case), status_of(without)) == (OrderStatus.DELIVERED, OrderStatus.COMPLETED)
