"""Shared bits of the aftersales models: money field arguments and the zero amount."""

from decimal import Decimal

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")
