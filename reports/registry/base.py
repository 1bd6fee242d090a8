"""The report types and the registry each report family registers into, with the shared cell formatting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

ZERO = Decimal("0.00")


@dataclass
class ReportResult:
    columns: list[str]
    rows: list[list[Any]]
    chart: dict | None = None
    notes: list[str] = field(default_factory=list)
    uses_summary: bool = False


@dataclass(frozen=True)
class Filters:
    date_from: date
    date_to: date
    channel: int | None = None
    warehouse: int | None = None
    granularity: str = "day"


@dataclass(frozen=True)
class Report:
    key: str
    title: Any
    description: Any
    compute: Any
    uses_warehouse: bool = False
    uses_granularity: bool = False


# The order and stock reports, then those over fulfilment, after-sales and suppliers (in menu order).
REPORTS: list[Report] = []
EXTRA_REPORTS: list[Report] = []


def register(*reports: Report, extra: bool = False) -> None:
    (EXTRA_REPORTS if extra else REPORTS).extend(reports)


def _aov(amount: Decimal, orders: int) -> Decimal:
    return (amount / orders).quantize(Decimal("0.01")) if orders else ZERO


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal("0.0")


def _hours(value) -> Decimal | str:
    return Decimal(str(value)).quantize(Decimal("0.1")) if value is not None else "—"
