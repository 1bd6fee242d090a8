"""Forms of the warehouse screens: receive, adjust, count, transfer, and the list filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.choices import MovementKind
from inventory.models import Supplier, Warehouse
from inventory.selectors import sku_by_code_or_barcode
from oms.forms import StyledFormMixin


class SKUCodeField(forms.CharField):
    """Type or scan a SKU code or barcode; cleans to the SKU."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("SKU or barcode"))
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autofocus": True, "autocomplete": "off", "inputmode": "text"})

    def clean(self, value):
        code = super().clean(value)
        sku = sku_by_code_or_barcode(code)
        if sku is None:
            raise forms.ValidationError(
                _("No SKU with code or barcode “%(code)s”. Check the label, or ask an admin to create it."),
                params={"code": code},
            )
        return sku


class _StockForm(StyledFormMixin, forms.Form):
    """Bootstrap-styled on creation (a bound form is validated then, so invalid fields are marked)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()

    def _style(self) -> None:
        super()._style()
        if self.is_bound:
            # The templates render each field's errors under the id "<name>-errors"; point readers at it.
            for name in self.errors:
                if name in self.fields:
                    self.fields[name].widget.attrs["aria-describedby"] = f"{name}-errors"


def _warehouse_field():
    return forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.filter(is_active=True), empty_label=None
    )


class ReceiveForm(_StockForm):
    sku = SKUCodeField()
    warehouse = _warehouse_field()
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000)
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=Supplier.objects.filter(is_active=True), required=False
    )
    reference = forms.CharField(
        label=_("Reference"), max_length=100, required=False, help_text=_("Purchase order or delivery note")
    )
    unit_cost = forms.DecimalField(
        label=_("Unit cost"), max_digits=12, decimal_places=2, min_value=0, required=False
    )


class AdjustForm(_StockForm):
    sku = SKUCodeField()
    warehouse = _warehouse_field()
    quantity = forms.IntegerField(
        label=_("Change"), help_text=_("Positive: found; negative: lost or broken"), min_value=-1_000_000
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity == 0:
            raise forms.ValidationError(_("Enter a change other than zero."))
        return quantity


class CountForm(_StockForm):
    sku = SKUCodeField()
    warehouse = _warehouse_field()
    counted = forms.IntegerField(label=_("Counted quantity"), min_value=0, max_value=1_000_000)
    reference = forms.CharField(
        label=_("Reference"), max_length=100, required=False, help_text=_("Count sheet")
    )


class TransferForm(_StockForm):
    sku = SKUCodeField()
    from_warehouse = forms.ModelChoiceField(
        label=_("From"), queryset=Warehouse.objects.filter(is_active=True)
    )
    to_warehouse = forms.ModelChoiceField(label=_("To"), queryset=Warehouse.objects.filter(is_active=True))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)

    def clean(self):
        data = super().clean()
        if data.get("from_warehouse") and data.get("from_warehouse") == data.get("to_warehouse"):
            self.add_error("to_warehouse", _("Choose a different warehouse than the source."))
        return data


class _StockFilterForm(_StockForm):
    """What the stock and ledger filters share: a search box and a warehouse (any by default)."""

    q = forms.CharField(label=_("Search"), required=False)
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.all(),
        required=False,
        empty_label=_("All warehouses"),
    )


class AlertFilterForm(_StockFilterForm):
    """The low-stock list's filter: a SKU code or product name, a warehouse."""


class StockFilterForm(_StockFilterForm):
    category = forms.CharField(label=_("Category"), required=False)
    low = forms.BooleanField(label=_("Low stock only"), required=False)


class MovementFilterForm(_StockFilterForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *MovementKind.choices], required=False
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ReplenishmentFilterForm(_StockForm):
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=Supplier.objects.all(), required=False, empty_label=_("All suppliers")
    )
    all = forms.BooleanField(label=_("Show SKUs that need nothing"), required=False)
