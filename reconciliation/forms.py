"""Forms of the reconciliation screens; they validate input and never write (services do)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.models import Supplier
from reconciliation.choices import ItemKind, Resolution, StatementStatus
from reconciliation.selectors import ItemFilter

# <input type="date"> takes only ISO dates, whatever the language of the page.
ISO_DATE = "%Y-%m-%d"
DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format=ISO_DATE)
SMALL = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}


class StatementCreateForm(forms.Form):
    supplier = forms.ModelChoiceField(
        label=_("Supplier"),
        queryset=Supplier.objects.filter(is_active=True).order_by("code"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    period_start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format=ISO_DATE),
    )
    period_end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format=ISO_DATE),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The period ends before it starts."))
        return data


class ItemFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *ItemKind.choices],
        widget=forms.Select(attrs=SELECT),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)
    q = forms.CharField(
        label=_("Reference or SKU"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={**SMALL, "placeholder": _("Shipment, order, receipt or SKU")}),
    )

    def to_filter(self) -> ItemFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return ItemFilter(
            kind=data.get("kind") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=(data.get("q") or "").strip(),
        )


class StatementFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All states")), *StatementStatus.choices],
        widget=forms.Select(attrs=SELECT),
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={**SMALL, "placeholder": _("Statement or supplier")}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )


class SettlementForm(forms.Form):
    paid_on = forms.DateField(
        label=_("Paid on"),
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control form-control-sm"}, format=ISO_DATE
        ),
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**SMALL, "step": "0.01"}),
    )
    reference = forms.CharField(
        label=_("Payment reference"), max_length=100, widget=forms.TextInput(attrs=SMALL)
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=300, widget=forms.TextInput(attrs=SMALL)
    )


class BillUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Supplier's bill (CSV or XLSX)"),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control form-control-sm", "accept": ".csv,.xlsx,.txt"}
        ),
    )


class MappingForm(forms.Form):
    """Which column holds what; the choices are the headers of the uploaded bill."""

    reference = forms.ChoiceField(label=_("Shipment / order number"))
    sku = forms.ChoiceField(label=_("SKU"), required=False)
    quantity = forms.ChoiceField(label=_("Quantity"), required=False)
    amount = forms.ChoiceField(label=_("Amount"))
    date = forms.ChoiceField(label=_("Date"), required=False)

    GUESSES = {
        "reference": ("发货单号", "订单号", "单号", "shipment", "order", "reference"),
        "sku": ("sku", "商品编码", "货号", "编码"),
        "quantity": ("数量", "qty", "quantity"),
        "amount": ("金额", "amount", "total", "小计"),
        "date": ("日期", "发货日期", "date"),
    }

    def __init__(self, *args, headers: list[str], initial_mapping: dict[str, str] | None = None, **kwargs):
        initial = dict(kwargs.pop("initial", None) or {})
        for name, guesses in self.GUESSES.items():
            saved = (initial_mapping or {}).get(name)
            if saved in headers:
                initial.setdefault(name, saved)
                continue
            for header in headers:
                if any(g.lower() in header.lower() for g in guesses):
                    initial.setdefault(name, header)
                    break
        super().__init__(*args, initial=initial, **kwargs)
        choices = [("", "—"), *[(h, h) for h in headers]]
        for field in self.fields.values():
            field.choices = choices
            field.widget.attrs["class"] = "form-select form-select-sm"


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Resolution"),
        choices=[("", _("Choose…")), *[c for c in Resolution.choices if c[0]]],
        error_messages={"required": _("Choose how to resolve the difference.")},
        widget=forms.Select(attrs=SELECT),
    )
    amount = forms.DecimalField(
        label=_("Adjustment amount"),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**SMALL, "step": "0.01"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=300, widget=forms.TextInput(attrs=SMALL)
    )
