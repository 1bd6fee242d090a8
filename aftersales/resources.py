"""Export of after-sales cases (CSV / XLSX, written by ``oms.exports``): the columns and one row per case."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from aftersales.models import AftersalesCase

CASE_EXPORT_HEADERS = (
    "case",
    "type",
    "status",
    "order",
    "store",
    "reason",
    "supplier",
    "handler",
    "lines",
    "registered_on",
    "supplier_share",
    "platform_share",
    "compensation_total",
    "return_tracking",
)


def case_export_rows(cases: Iterable[AftersalesCase]) -> Iterator[tuple]:
    """One row per case under ``CASE_EXPORT_HEADERS`` (cases from ``selectors.cases_queryset``)."""
    for case in cases:
        yield (
            case.number,
            str(case.get_case_type_display()),
            str(case.get_status_display()),
            case.order.number,
            case.channel.name,
            case.reason.label,
            case.supplier.name if case.supplier else "",
            case.handler.username if case.handler else "",
            "; ".join(f"{line.quantity} × {line.sku.code}" for line in case.lines.all()),
            case.registered_on,
            case.supplier_share,
            case.platform_share,
            case.compensation_total,
            case.return_tracking_number,
        )
