"""The parcel list with its bulk bar and its CSV / XLSX export (the filter applied)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from fulfillment.forms import ShipmentFilterForm
from fulfillment.selectors import shipments_filtered
from fulfillment.views import ShipmentListView
from oms.bulk_views import BulkMixin
from oms.exports import ListExportMixin


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

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["bulk"] = self.bulk_context(self.object_list)
        return ctx

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
