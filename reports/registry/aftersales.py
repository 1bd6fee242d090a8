"""After-sales reports: cases, units, compensation and after-sales rate per SKU, supplier, channel, reason."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aftersales.selectors_reports import cases_by
from fulfillment.selectors_reports import units_shipped_by
from reports.registry.base import Filters, Report, ReportResult, register
from reports.summaries import _bounds

# The label of each breakdown's first column; the groups with units shipped have an after-sales rate.
AFTERSALES_GROUPS = {
    "sku": _("SKU"),
    "supplier": _("Supplier"),
    "channel": _("Channel"),
    "reason": _("Reason"),
}
RATED_GROUPS = {"sku", "channel", "supplier"}


def _aftersales_table(rows: list[tuple], shipped: dict) -> list[list]:
    table = []
    for key, cases, units, returns, compensation in rows:
        base = shipped.get(key)
        rate = (Decimal(units) * 100 / base).quantize(Decimal("0.01")) if base else "—"
        table.append(
            [
                key,
                cases,
                units,
                returns,
                Decimal(compensation).quantize(Decimal("0.01")),
                base if base is not None else "—",
                rate,
            ]
        )
    return table


def _aftersales_by(group: str):
    label = AFTERSALES_GROUPS[group]

    def compute(f: Filters) -> ReportResult:
        start, end = _bounds(f.date_from, f.date_to)
        rows = cases_by(group=group, start=start, end=end, channel_id=f.channel)
        shipped = (
            units_shipped_by(group=group, start=start, end=end, channel_id=f.channel)
            if group in RATED_GROUPS
            else {}
        )
        if group == "reason":  # the starting reason names are catalogue messages: shown translated
            rows = [(gettext(key) if key else key, *rest) for key, *rest in rows]
        table = _aftersales_table(rows, shipped)
        return ReportResult(
            columns=[
                label,
                _("Cases"),
                _("Units"),
                _("Returns and exchanges"),
                _("Compensation"),
                _("Units shipped"),
                _("After-sales rate %"),
            ],
            rows=table,
            chart={
                "type": "bar",
                "labels": [str(r[0]) for r in table[:20]],
                "datasets": [{"label": str(_("Cases")), "data": [r[1] for r in table[:20]]}],
            },
        )

    return compute


register(
    Report(
        "aftersales-sku",
        _("After-sales by SKU"),
        _("Cases, units and after-sales rate per SKU"),
        _aftersales_by("sku"),
    ),
    Report(
        "aftersales-supplier",
        _("After-sales by supplier"),
        _("Cases, units and after-sales rate per supplier"),
        _aftersales_by("supplier"),
    ),
    Report(
        "aftersales-channel",
        _("After-sales by channel"),
        _("Cases, units and after-sales rate per channel"),
        _aftersales_by("channel"),
    ),
    Report(
        "aftersales-reason",
        _("After-sales reasons"),
        _("Cases and units per reason"),
        _aftersales_by("reason"),
    ),
    extra=True,
)
