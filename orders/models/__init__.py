"""Models of the orders app: channels and their API tokens, customers, orders, lines, payments, rules, invoices.

One module per sub-domain; this package re-exports every model so ``from orders.models import Order`` works.
"""

from orders.models.base import MONEY, S
from orders.models.channel import Channel, ChannelToken
from orders.models.customer import Address, Customer
from orders.models.invoice import Invoice
from orders.models.lines import OrderLine, OrderLineAllocation
from orders.models.order import Order
from orders.models.payment import Payment, RefundRecord
from orders.models.rule import OrderRule, Tag

__all__ = [
    "MONEY",
    "S",
    "Address",
    "Channel",
    "ChannelToken",
    "Customer",
    "Invoice",
    "Order",
    "OrderLine",
    "OrderLineAllocation",
    "OrderRule",
    "Payment",
    "RefundRecord",
    "Tag",
]
