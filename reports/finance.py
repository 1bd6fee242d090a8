"""Journal lines for the finance system: revenue of completed orders, and refunds paid out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from orders.selectors_reports import orders_completed_between, refunds_done_between
from reports.summaries import _bounds

ACCOUNTS = {
    "receivable": "1122 Accounts receivable",
    "sales": "6001 Sales revenue",
    "shipping": "6051 Shipping income",
    "returns": "6001.9 Sales returns and refunds",
}


def journal_lines(*, date_from: date, date_to: date, channel: int | None = None) -> Iterator[dict]:
    """Balanced lines (debits = credits per reference), oldest first; streamed, not held in memory."""
    start, end = _bounds(date_from, date_to)
    orders = orders_completed_between(start=start, end=end, channel_id=channel)
    for order in orders.iterator(chunk_size=2000):
        yield from _sale_lines(order)
    refunds = refunds_done_between(start=start, end=end, channel_id=channel)
    for refund in refunds.iterator(chunk_size=2000):
        yield from _refund_lines(refund)


def _sale_lines(order) -> Iterator[dict]:
    """A completed order: receivable debited, goods (net of discount) and shipping charged credited."""
    common = {
        "date": order.completed_at.date().isoformat(),
        "journal": "SALES",
        "reference": order.number,
        "currency": order.currency,
        "channel": order.channel.name,
    }
    net_goods = order.subtotal - order.discount
    yield {
        **common,
        "account": ACCOUNTS["receivable"],
        "debit": order.total,
        "credit": Decimal("0.00"),
        "description": f"Order {order.number} completed",
    }
    yield {
        **common,
        "account": ACCOUNTS["sales"],
        "debit": Decimal("0.00"),
        "credit": net_goods,
        "description": "Goods, net of discount",
    }
    if order.shipping_fee:
        yield {
            **common,
            "account": ACCOUNTS["shipping"],
            "debit": Decimal("0.00"),
            "credit": order.shipping_fee,
            "description": "Shipping charged",
        }


def _refund_lines(refund) -> Iterator[dict]:
    """A refund paid out: returns debited, receivable credited."""
    common = {
        "date": refund.created_at.date().isoformat(),
        "journal": "REFUND",
        "reference": f"{refund.order.number}/R{refund.pk}",
        "currency": refund.order.currency,
        "channel": refund.order.channel.name,
    }
    yield {
        **common,
        "account": ACCOUNTS["returns"],
        "debit": refund.amount,
        "credit": Decimal("0.00"),
        "description": refund.reason or "Refund",
    }
    yield {
        **common,
        "account": ACCOUNTS["receivable"],
        "debit": Decimal("0.00"),
        "credit": refund.amount,
        "description": f"Refund paid for {refund.order.number}",
    }
