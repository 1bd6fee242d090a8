"""Each order line's share of the order's discount, coupons and points (allocated by ``orders.money``)."""

from __future__ import annotations

from orders.models import Order, OrderLine
from orders.money import LineShare, allocate_deductions

SHARE_FIELDS = ["discount_share", "coupon_share", "platform_coupon_share", "points_share", "net_total"]


def line_share_fields(share: LineShare) -> dict:
    """The OrderLine field values of one allocated share."""
    return {
        "discount_share": share.discount,
        "coupon_share": share.coupon,
        "platform_coupon_share": share.platform_coupon,
        "points_share": share.points,
        "net_total": share.net,
    }


def order_lines_allocate_deductions(*, order: Order) -> list[OrderLine]:
    """Spread ``order``'s deductions over its lines again (after its lines or amounts changed); the caller holds
    the order's lock. Returns the lines, saved."""
    lines = list(order.lines.order_by("line_no"))
    shares = allocate_deductions(
        line_totals=[line.line_total for line in lines], deductions=order.deductions()
    )
    for line, share in zip(lines, shares, strict=True):
        for name, value in line_share_fields(share).items():
            setattr(line, name, value)
    OrderLine.objects.bulk_update(lines, SHARE_FIELDS)
    return lines
