"""Forms of the fulfillment screens: they validate input only; services do the writing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fulfillment.choices import ShipmentStatus
from fulfillment.models import Carrier, CarrierService
from inventory.selectors import active_warehouses, suppliers_by_code, warehouses_all
from oms.forms import StyledFormMixin


class StyledForm(StyledFormMixin, forms.Form):
    """A form whose widgets carry Bootstrap's classes (forms here are rendered field by field)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class WaveBuildForm(StyledForm):
    warehouse = forms.ModelChoiceField(active_warehouses(), label=_("Warehouse"))
    carrier = forms.ModelChoiceField(
        Carrier.objects.filter(is_active=True), label=_("Carrier"), required=False
    )
    cutoff_at = forms.DateTimeField(
        label=_("Cut-off"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    limit = forms.IntegerField(label=_("Max parcels"), min_value=1, max_value=2000, initial=200)


class ScanForm(StyledForm):
    code = forms.CharField(label=_("Scan"), max_length=100)


class PackDoneForm(StyledForm):
    # A barcode typed into the weight field by mistake is refused, not stored as grams (integer column).
    weight_g = forms.IntegerField(label=_("Weight (g)"), min_value=1, max_value=1_000_000, required=False)


class ShipForm(StyledForm):
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64, required=False)


class CarrierOverrideForm(StyledForm):
    carrier_service = forms.ModelChoiceField(
        CarrierService.objects.filter(is_active=True, carrier__is_active=True).select_related("carrier"),
        label=_("Carrier service"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class SupplierDispatchForm(StyledFormMixin, forms.Form):
    tracking_number = forms.CharField(label=_("Supplier's tracking number"), max_length=64)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"qty_{line.pk}"] = forms.IntegerField(
                label=f"{line.sku.code} ({_('ordered')} {line.quantity})", min_value=0, initial=line.quantity
            )
        self._style()  # after the quantity fields exist

    def quantities(self) -> dict[int, int]:
        return {line.pk: self.cleaned_data[f"qty_{line.pk}"] for line in self.lines}


class ShipmentFilterForm(StyledForm):
    q = forms.CharField(label=_("Number, order or tracking"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + ShipmentStatus.choices, required=False
    )
    warehouse = forms.ModelChoiceField(warehouses_all(), label=_("Warehouse"), required=False)
    supplier = forms.ModelChoiceField(suppliers_by_code(), label=_("Drop-ship supplier"), required=False)
    drop_ship = forms.BooleanField(label=_("Drop-ship only"), required=False)
    late = forms.BooleanField(label=_("Late only"), required=False)


class TrackingLookupForm(StyledForm):
    order_number = forms.CharField(label=_("Order number"), max_length=20)
    phone_last4 = forms.RegexField(label=_("Last 4 digits of the phone"), regex=r"^\d{4}$", max_length=4)
