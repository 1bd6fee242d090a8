"""The reports: each computes a table (and the chart drawn from it) for the shared filters.

Each family module registers its reports into ``base`` when imported; the imports below fix the menu order.
"""

from __future__ import annotations

from reports.registry.base import EXTRA_REPORTS, REPORTS, Filters, Report, ReportResult

# Each family registers its reports when imported, so the order of these imports is the menu order.
# isort: off
from reports.registry import sales, stock  # noqa: E402, F401
from reports.registry import fulfilment, aftersales, suppliers  # noqa: E402, F401
# isort: on

__all__ = ["REPORTS", "Filters", "Report", "ReportResult", "all_reports", "extra_reports", "get_report"]


def extra_reports() -> list[Report]:
    """Reports over fulfilment, after-sales and suppliers."""
    return list(EXTRA_REPORTS)


def all_reports() -> list[Report]:
    return REPORTS + extra_reports()


def get_report(key: str) -> Report | None:
    return next((r for r in all_reports() if r.key == key), None)
