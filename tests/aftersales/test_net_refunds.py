"""Refunds of part of an order give back the line's net amount (after its share of discounts and coupons), and
the payment shows what went back (partly refunded, then refunded)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.selectors import suggested_refund_amount
from aftersales.services import LineRequest, case_approve, case_register, refund_record
from tests.factories import SKUFactory, order_through_services

D = Decimal
pytestmark = pytest.mark.django_db


def refund_only(order, user, reason, line, units):
    case = case_register(
        order_id=order.pk,
        case_type="refund_only",
        lines=[LineRequest(order_line_id=line.pk, quantity=units)],
        reason_id=reason.pk,
        by=user,
    )
    return case_approve(case_id=case.pk, by=user)


def test_partial_refunds_take_back_the_allocated_net_to_the_cent(
    warehouse, sku, ops_user, finance_user, late
):
    cup = SKUFactory(code="SKU-CUP", price="33.33")
    # 3 × ¥100.00 + 1 × ¥33.33 = ¥333.33 of goods; ¥10 discount, ¥5 shop coupon, ¥3.33 platform coupon.
    order = order_through_services(
        lines=[(sku, 3, "100.00"), (cup, 1, "33.33")],
        warehouse=warehouse,
        deductions={"discount": "10.00", "coupon_amount": "5.00", "platform_coupon_amount": "3.33"},
    )
    tea, mug = order.lines.order_by("line_no")
    assert (tea.net_amount, mug.net_amount) == (D("283.50"), D("31.50"))
    assert tea.net_amount + mug.net_amount == order.total - order.shipping_fee == D("315.00")

    # One unit, then the other two: 94.50 + 189.00 = the line's net exactly (not 3 × the unit price).
    first = refund_only(order, ops_user, late, tea, 1)
    assert suggested_refund_amount(first) == D("94.50")
    refund_record(case_id=first.pk, amount=suggested_refund_amount(first), by=finance_user)
    payment = order.payments.get()
    assert (payment.status, payment.refunded_amount) == ("partially_refunded", D("94.50"))

    rest = refund_only(order, ops_user, late, tea, 2)
    assert suggested_refund_amount(rest) == D("189.00")
    refund_record(case_id=rest.pk, amount=D("189.00"), by=finance_user)
    mug_case = refund_only(order, ops_user, late, mug, 1)
    assert suggested_refund_amount(mug_case) == D("31.50")
    refund_record(case_id=mug_case.pk, amount=D("31.50"), by=finance_user)

    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == ("refunded", D("315.00"))


def test_thirds_of_a_line_add_up_to_its_net(warehouse, sku, ops_user, late):
    # ¥100.00 net for 3 units: 33.33 + 33.34 + 33.33, never 99.99 or 100.02.
    order = order_through_services(
        lines=[(sku, 3, "35.00")], warehouse=warehouse, deductions={"coupon_amount": "5.00"}
    )
    line = order.lines.get()
    values = [suggested_refund_amount(refund_only(order, ops_user, late, line, 1)) for _ in range(3)]
    assert sum(values) == line.net_amount == D("100.00")
    assert sorted(values) == [D("33.33"), D("33.33"), D("33.34")]
