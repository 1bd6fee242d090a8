"""Forms of purchase orders, stock counts and transfers: filters, the create forms (lines typed or pasted), scans."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from inventory.choices import PurchaseOrderStatus, StockCountStatus, TransferStatus
from inventory.forms import _StockForm
from inventory.models import Supplier, Warehouse
from inventory.selectors import sku_by_code_or_barcode

_SPLIT = re.compile(r"[\s,;，；\t]+")


_WAREHOUSE = _("Warehouse")


def _warehouses(*, active: bool = True, empty: str | None = None, required: bool = True, label=_WAREHOUSE):
    qs = Warehouse.objects.filter(is_active=True) if active else Warehouse.objects.all()
    return forms.ModelChoiceField(label=label, queryset=qs, required=required, empty_label=empty)


def parse_lines(text: str, *, with_cost: bool) -> tuple[list[tuple], list[str]]:
    """Rows "SKU-or-barcode quantity [unit cost]" → ([(sku, quantity, cost|None)], problems row by row)."""
    rows, problems = [], []
    for n, raw in enumerate((text or "").splitlines(), start=1):
        parts = [p for p in _SPLIT.split(raw.strip()) if p]
        if not parts:
            continue
        sku = sku_by_code_or_barcode(parts[0])
        if sku is None:
            problems.append(gettext("Line %(n)s: no SKU “%(code)s”.") % {"n": n, "code": parts[0]})
            continue
        try:
            quantity = int(parts[1]) if len(parts) > 1 else 0
        except ValueError:
            quantity = 0
        if quantity <= 0:
            problems.append(gettext("Line %(n)s: give a whole quantity above zero.") % {"n": n})
            continue
        cost = None
        if with_cost and len(parts) > 2:
            try:
                cost = Decimal(parts[2].lstrip("¥"))
            except InvalidOperation:
                problems.append(
                    gettext("Line %(n)s: “%(cost)s” is not a price.") % {"n": n, "cost": parts[2]}
                )
                continue
        rows.append((sku, quantity, cost))
    if not rows and not problems:
        problems.append(gettext("Enter at least one line."))
    return rows, problems


class _LinesMixin:
    with_cost = False

    def clean_lines(self):
        rows, problems = parse_lines(self.cleaned_data.get("lines", ""), with_cost=self.with_cost)
        if problems:
            raise forms.ValidationError(problems)
        return rows


class PurchaseOrderForm(_LinesMixin, _StockForm):
    with_cost = True
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.filter(is_active=True))
    warehouse = _warehouses(label=_("Deliver to"))
    expected_date = forms.DateField(
        label=_("Expected delivery"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    over_receipt_pct = forms.IntegerField(
        label=_("Over-receipt tolerance (%)"), min_value=0, max_value=100, initial=0
    )
    note = forms.CharField(label=_("Note to the supplier"), max_length=300, required=False)
    lines = forms.CharField(
        label=_("Lines"),
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "TEA-250G 100 35.50\n6901234567892 24"}),
        help_text=_("One line each: SKU or barcode, quantity, and a unit cost if not the agreed one."),
    )


class SuggestionsToPOForm(_StockForm):
    warehouse = _warehouses(label=_("Deliver to"))


class ReasonForm(_StockForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ScanForm(forms.Form):
    code = forms.CharField(max_length=64)
    quantity = forms.IntegerField(min_value=1, max_value=100_000, required=False)


class PurchaseOrderFilterForm(_StockForm):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *PurchaseOrderStatus.choices], required=False
    )
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), queryset=Supplier.objects.all(), required=False, empty_label=_("All suppliers")
    )
    warehouse = _warehouses(active=False, empty=_("All warehouses"), required=False)


class CountStartForm(_StockForm):
    warehouse = _warehouses()
    zone = forms.CharField(
        label=_("Zone (bin prefix)"),
        max_length=32,
        required=False,
        help_text=_("Blank: the whole warehouse."),
    )


class CountFilterForm(_StockForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *StockCountStatus.choices], required=False
    )
    warehouse = _warehouses(active=False, empty=_("All warehouses"), required=False)


class TransferCreateForm(_LinesMixin, _StockForm):
    from_warehouse = _warehouses(label=_("From"))
    to_warehouse = _warehouses(label=_("To"))
    reference = forms.CharField(label=_("Carrier / truck reference"), max_length=100, required=False)
    lines = forms.CharField(
        label=_("Lines"),
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "TEA-250G 20"}),
        help_text=_("One line each: SKU or barcode, quantity."),
    )

    def clean(self):
        data = super().clean()
        if data.get("from_warehouse") and data.get("from_warehouse") == data.get("to_warehouse"):
            self.add_error("to_warehouse", _("Choose a different warehouse than the source."))
        return data


class TransferFilterForm(_StockForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *TransferStatus.choices], required=False
    )
    warehouse = _warehouses(active=False, empty=_("All warehouses"), required=False)
