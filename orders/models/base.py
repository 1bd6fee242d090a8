"""Shared field settings of the orders models."""

from orders.choices import OrderStatus

S = OrderStatus
MONEY = {"max_digits": 12, "decimal_places": 2}
