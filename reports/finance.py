"""Journal lines for the finance system (double entry): revenue of completed orders, after-sales refunds and
compensations paid out, and refunds of cancelled paid orders paid out. Each entry balances on its own, so the
journal of any period balances (debits = credits).

- Completed order (SALES): Dr receivable (what the customer paid), Dr platform receivable (the platform's
  coupon, which the platform pays), Dr sales discounts (the seller's discount, shop coupon and points);
  Cr sales revenue (the goods at list price), Cr shipping income.
- After-sales refund (REFUND): Dr sales returns; Cr bank. A compensation: Dr compensation expense; Cr bank.
- Refund of a cancelled paid order (REFUND): Dr customer advances (the money was never revenue); Cr bank.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from django.utils import timezone

from aftersales.choices import RefundKind
from aftersales.selectors_reports import refunds_completed_between
from orders.selectors_reports import orders_completed_between, refunds_done_between
from reports.summaries import _bounds

ZERO = Decimal("0.00")
ACCOUNTS = {
    "bank": "1002 Bank deposits",
    "receivable": "1122 Accounts receivable",
    "platform": "1221 Platform coupon receivable",
    "advances": "2203 Customer advances",
    "sales": "6001 Sales revenue",
    "discounts": "6001.1 Sales discounts",
    "returns": "6001.9 Sales returns and refunds",
    "shipping": "6051 Shipping income",
    "compensation": "6711 Compensation to customers",
}


def journal_lines(*, date_from: date, date_to: date, channel: int | None = None) -> Iterator[dict]:
    """Balanced lines (debits = credits per reference), sales then refunds, each oldest first; streamed."""
    start, end = _bounds(date_from, date_to)
    orders = orders_completed_between(start=start, end=end, channel_id=channel)
    for order in orders.iterator(chunk_size=2000):
        yield from _sale_lines(order)
    refunds = refunds_completed_between(start=start, end=end, channel_id=channel)
    for refund in refunds.iterator(chunk_size=2000):
        yield from _aftersales_refund_lines(refund)
    cancellations = refunds_done_between(start=start, end=end, channel_id=channel)
    for refund in cancellations.iterator(chunk_size=2000):
        yield from _cancellation_refund_lines(refund)


def _entry(common: dict, rows: list[tuple[str, Decimal, Decimal, str]]) -> Iterator[dict]:
    """The entry's lines, leaving out the zero ones."""
    for account, debit, credit, description in rows:
        if debit or credit:
            yield {
                **common,
                "account": ACCOUNTS[account],
                "debit": debit,
                "credit": credit,
                "description": description,
            }


def _sale_lines(order) -> Iterator[dict]:
    common = {
        "date": timezone.localtime(order.completed_at).date().isoformat(),
        "journal": "SALES",
        "reference": order.number,
        "currency": order.currency,
        "channel": order.channel.name,
    }
    platform = order.platform_coupon_amount
    yield from _entry(
        common,
        [
            ("receivable", order.total, ZERO, f"Order {order.number} completed: paid by the customer"),
            ("platform", platform, ZERO, "Platform coupon, paid by the platform"),
            ("discounts", order.discount - platform, ZERO, "Discount, shop coupon and points"),
            ("sales", ZERO, order.subtotal, "Goods at list price"),
            ("shipping", ZERO, order.shipping_fee, "Shipping charged"),
        ],
    )


def _aftersales_refund_lines(refund) -> Iterator[dict]:
    compensation = refund.kind == RefundKind.COMPENSATION
    common = {
        "date": timezone.localtime(refund.completed_at).date().isoformat(),
        "journal": "REFUND",
        "reference": f"{refund.order.number}/{refund.case.number or refund.case_id}/R{refund.pk}",
        "currency": refund.currency,
        "channel": refund.order.channel.name,
    }
    yield from _entry(
        common,
        [
            (
                "compensation" if compensation else "returns",
                refund.amount,
                ZERO,
                f"{'Compensation' if compensation else 'Refund'} of after-sales case {refund.case.number}",
            ),
            ("bank", ZERO, refund.amount, f"Paid to the customer {refund.transaction_ref}".strip()),
        ],
    )


def _cancellation_refund_lines(refund) -> Iterator[dict]:
    common = {
        "date": timezone.localtime(refund.paid_at).date().isoformat(),
        "journal": "REFUND",
        "reference": f"{refund.order.number}/C{refund.pk}",
        "currency": refund.order.currency,
        "channel": refund.order.channel.name,
    }
    yield from _entry(
        common,
        [
            ("advances", refund.amount, ZERO, f"Order {refund.order.number} cancelled: payment returned"),
            ("bank", ZERO, refund.amount, f"Paid to the customer {refund.paid_reference}".strip()),
        ],
    )
