"""Forms of the money screens: the refunds-owed filters and the reference a payment or a payout is marked with."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oms.forms import style_fields
from orders.choices import RefundStatus
from orders.models import Channel


class RefundOwedFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All"))] + RefundStatus.choices,
        required=False,
        initial=RefundStatus.OPEN,
    )
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Channel.objects.none(), required=False)
    date_from = forms.DateField(
        label=_("Cancelled from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Cancelled to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_("Order or reference"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.order_by("name")
        style_fields(self.fields, small=True)


class ReferenceForm(forms.Form):
    reference = forms.CharField(
        label=_("Payment reference"),
        max_length=100,
        help_text=_("The bank or platform transaction number, as on the statement."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self.fields, errors=self.errors if self.is_bound else None, small=True)
