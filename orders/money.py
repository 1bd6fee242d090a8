"""Order money arithmetic without the database: order-level deductions allocated to lines, exact to the cent.

An order's deductions (the seller's discount, the shop coupon, the platform coupon, the points) are spread
over its lines by value with the largest-remainder method, so that every kind sums exactly to what the order
says, every line's shares sum to at most its value, and partial refunds take back exactly the line's net.
A deduction larger than the goods (a discount that also covers the shipping) leaves the excess on the
shipping: the lines then carry their whole value and no more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The kinds of deduction, in the order they are stored and shown.
KINDS = ("discount", "coupon", "platform_coupon", "points")


def _cents(amount: Decimal) -> int:
    return int((Decimal(amount) / CENT).to_integral_value())


def _money(cents: int) -> Decimal:
    return (Decimal(cents) * CENT).quantize(CENT)


def split_cents(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` cents split in proportion to ``weights`` (largest remainder; ties to the earlier weight).

    The parts sum to ``total`` exactly; a zero weight gets nothing (all zero: everything on the first part).
    With ``0 ≤ total ≤ sum(weights)`` no part exceeds its weight.
    """
    if not weights:
        return []
    whole = sum(weights)
    if whole <= 0:
        return [total] + [0] * (len(weights) - 1)
    floors = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    rest = total - sum(floors)
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:rest]:
        floors[i] += 1
    return floors


@dataclass(frozen=True)
class LineShare:
    """One line's part of each deduction, and what the line is worth after them."""

    line_total: Decimal
    discount: Decimal
    coupon: Decimal
    platform_coupon: Decimal
    points: Decimal

    @property
    def deducted(self) -> Decimal:
        return self.discount + self.coupon + self.platform_coupon + self.points

    @property
    def net(self) -> Decimal:
        return self.line_total - self.deducted


def allocate_deductions(*, line_totals: Sequence[Decimal], deductions: dict[str, Decimal]) -> list[LineShare]:
    """Each line's share of each deduction kind (``KINDS``), allocated by line value, exact to the cent.

    Guarantees: for every kind the lines' shares sum to that kind's amount when the deductions fit in the goods
    (else to its pro-rata part of the goods' value); every line's shares sum to at most its value; no share is
    negative.
    """
    if not any(deductions.get(kind) for kind in KINDS):  # most orders: nothing to spread
        return [LineShare(Decimal(v).quantize(CENT), ZERO, ZERO, ZERO, ZERO) for v in line_totals]
    weights = [_cents(v) for v in line_totals]
    amounts = {kind: _cents(deductions.get(kind) or ZERO) for kind in KINDS}
    goods = sum(weights)
    wanted = sum(amounts.values())
    on_lines = min(wanted, goods)
    # How much of each kind falls on the lines (all of it, unless the deductions exceed the goods).
    per_kind = dict(zip(KINDS, split_cents(on_lines, [amounts[k] for k in KINDS]), strict=True))
    per_line = split_cents(on_lines, weights)  # each ≤ its line's value (on_lines ≤ goods)
    matrix = _fill(per_line, [per_kind[k] for k in KINDS])
    return [
        LineShare(line_total=_money(weights[i]), **{k: _money(matrix[i][j]) for j, k in enumerate(KINDS)})
        for i in range(len(weights))
    ]


def _fill(rows: list[int], columns: list[int]) -> list[list[int]]:
    """A non-negative integer matrix with the given row and column sums (both sum to the same total), each cell
    the floor of its proportional value plus the cents needed: largest fractions first, then wherever room is."""
    total = sum(rows)
    if total == 0:
        return [[0] * len(columns) for _ in rows]
    cells = [[r * c // total for c in columns] for r in rows]
    fractions = [(r * c % total, i, j) for i, r in enumerate(rows) for j, c in enumerate(columns)]
    row_left = [r - sum(cells[i]) for i, r in enumerate(rows)]
    col_left = [c - sum(cells[i][j] for i in range(len(rows))) for j, c in enumerate(columns)]
    for _fraction, i, j in sorted(fractions, key=lambda f: (-f[0], f[1], f[2])):
        if row_left[i] > 0 and col_left[j] > 0:
            cells[i][j] += 1
            row_left[i] -= 1
            col_left[j] -= 1
    for i in range(len(rows)):
        for j in range(len(columns)):
            step = min(row_left[i], col_left[j])
            if step > 0:
                cells[i][j] += step
                row_left[i] -= step
                col_left[j] -= step
    return cells


def units_value(*, net: Decimal, quantity: int, before: int, units: int) -> Decimal:
    """What ``units`` units of a line worth ``net`` for ``quantity`` units are worth, after ``before`` units
    were already taken back: cumulative rounding, so taking back every unit, in any steps, gives exactly
    ``net``."""
    if quantity <= 0 or units <= 0:
        return ZERO
    cents = _cents(net)
    upto = min(before + units, quantity)
    start = min(before, quantity)
    return _money(_round_half_up(cents * upto, quantity) - _round_half_up(cents * start, quantity))


def _round_half_up(numerator: int, denominator: int) -> int:
    return int((Decimal(numerator) / Decimal(denominator) + Decimal("0.5")).to_integral_value(ROUND_FLOOR))
