"""The supplier performance report: drop-ship lead time and share of after-sales per supplier."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from aftersales.selectors_reports import supplier_performance_rows
from reports.registry.base import Filters, Report, ReportResult, _hours, register
from reports.summaries import _bounds


def supplier_performance(f: Filters) -> ReportResult:
    """Per supplier: drop-ship parcels and lead time (approved → shipped), and its share of after-sales."""
    start, end = _bounds(f.date_from, f.date_to)
    rows = supplier_performance_rows(start=start, end=end)
    table = [
        [
            r[0],
            r[1],
            _hours(r[2]),
            _hours(r[3]),
            r[4],
            Decimal(str(r[5])).quantize(Decimal("0.1")) if r[5] is not None else "—",
            Decimal(r[6]).quantize(Decimal("0.01")),
        ]
        for r in rows
    ]
    return ReportResult(
        columns=[
            _("Supplier"),
            _("Drop-ship parcels"),
            _("Lead time, median h"),
            _("p90 h"),
            _("After-sales cases"),
            _("Share of cases %"),
            _("Supplier's compensation share"),
        ],
        rows=table,
        chart={
            "type": "bar",
            "labels": [r[0] for r in table],
            "datasets": [{"label": str(_("After-sales cases")), "data": [r[4] for r in table]}],
        },
    )


register(
    Report(
        "suppliers",
        _("Supplier performance"),
        _("Drop-ship lead time and share of after-sales per supplier"),
        supplier_performance,
    ),
    extra=True,
)
