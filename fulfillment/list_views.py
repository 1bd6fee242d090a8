"""The parcel list with its bulk bar and its CSV / XLSX export (the filter applied); the waves' export."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulfillment.forms import ShipmentFilterForm
from fulfillment.selectors import shipments_filtered, waves_today
from fulfillment.views import ShipmentListView, WaveListView
from oms.bulk_views import BulkMixin
from oms.exports import ListExportMixin, export_response


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class ShipmentBulkListView(BulkMixin, ListExportMixin, ShipmentListView):
    bulk_list_key = "shipments"
    export_name = "parcels"
    export_permission = "fulfillment.view_shipment"

    def filtered(self, params):
        form = ShipmentFilterForm(params or None)
        if not form.is_bound:
            return shipments_filtered()
        if not form.is_valid():
            return None
        data = form.cleaned_data
        return shipments_filtered(
            q=data["q"], status=data["status"], warehouse=data["warehouse"], late=data["late"]
        )

    def bulk_queryset(self, params):
        return self.filtered(params)

    def export_headers(self) -> list:
        return [
            _("Parcel"),
            _("Order number"),
            _("Status"),
            _("Warehouse"),
            _("Supplier"),
            _("Carrier"),
            _("Tracking number"),
            _("Units"),
            _("Created"),
            _("Shipped"),
        ]

    def export_row(self, s) -> list:
        return [
            s.number,
            s.order.number if s.order_id else "",
            s.get_status_display(),
            s.warehouse.code if s.warehouse_id else "",
            s.supplier.name if s.supplier_id else "",
            str(s.carrier_service) if s.carrier_service_id else "",
            s.tracking_number,
            s.units or 0,
            _local(s.created_at),
            _local(getattr(s, "shipped_at", None)),
        ]


WAVE_HEADERS = [
    gettext_lazy("Wave"),
    gettext_lazy("Warehouse"),
    gettext_lazy("Carrier"),
    gettext_lazy("Cut-off"),
    gettext_lazy("State"),
    gettext_lazy("Parcels"),
    gettext_lazy("Intercepted"),
    gettext_lazy("Created"),
]


class WaveExportListView(WaveListView):
    """Today's waves; ``?export=csv|xlsx`` downloads them (``?warehouse=<id>``: one warehouse's)."""

    def get(self, request, form=None):
        fmt = request.GET.get("export")
        if fmt not in ("csv", "xlsx"):
            return super().get(request, form=form)
        warehouse = request.GET.get("warehouse", "")
        waves = waves_today(warehouse_id=int(warehouse) if warehouse.isdigit() else None).order_by("pk")
        rows = (
            [
                w.number,
                w.warehouse.code,
                str(w.carrier or ""),
                _local(w.cutoff_at),
                w.get_status_display(),
                w.parcels,
                w.intercepted,
                _local(w.created_at),
            ]
            for w in waves
        )
        return export_response(name="waves", fmt=fmt, headers=WAVE_HEADERS, rows=rows)
