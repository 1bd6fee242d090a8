"""Forms of the reconciliation screens; they validate input and never write (services do)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.selectors import active_suppliers
from oms.forms import StyledFormMixin
from reconciliation.choices import ItemKind, Resolution, StatementStatus
from reconciliation.selectors import ItemFilter

# <input type="date"> takes only ISO dates, whatever the language of the page.
ISO_DATE = "%Y-%m-%d"


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)


class _StyledForm(StyledFormMixin, forms.Form):
    """Widgets styled by the shared helper once the fields are final (``small_widgets`` for compact forms)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class StatementCreateForm(_StyledForm):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=active_suppliers())
    period_start = forms.DateField(label=_("From"), required=False, widget=_date_input())
    period_end = forms.DateField(label=_("To"), required=False, widget=_date_input())
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", _("The period ends before it starts."))
        return data


class ItemFilterForm(_StyledForm):
    small_widgets = True

    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *ItemKind.choices]
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=_date_input())
    date_to = forms.DateField(label=_("To"), required=False, widget=_date_input())
    q = forms.CharField(
        label=_("Reference or SKU"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Shipment, order, receipt or SKU")}),
    )

    def to_filter(self) -> ItemFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return ItemFilter(
            kind=data.get("kind") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            q=(data.get("q") or "").strip(),
        )


class StatementFilterForm(_StyledForm):
    small_widgets = True

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All states")), *StatementStatus.choices]
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Statement or supplier")}),
    )


class RejectForm(_StyledForm):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class SettlementForm(_StyledForm):
    small_widgets = True

    paid_on = forms.DateField(label=_("Paid on"), widget=_date_input())
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.01"})
    )
    reference = forms.CharField(label=_("Payment reference"), max_length=100)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class BillUploadForm(_StyledForm):
    small_widgets = True

    file = forms.FileField(
        label=_("Supplier's bill (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )


class MappingForm(StyledFormMixin, forms.Form):
    """Which column holds what; the choices are the headers of the uploaded bill."""

    small_widgets = True

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
        self._style()


class ResolveForm(_StyledForm):
    small_widgets = True

    resolution = forms.ChoiceField(
        label=_("Resolution"),
        choices=[("", _("Choose…")), *[c for c in Resolution.choices if c[0]]],
        error_messages={"required": _("Choose how to resolve the difference.")},
    )
    amount = forms.DecimalField(
        label=_("Adjustment amount"),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
