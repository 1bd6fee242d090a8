"""The COD reconciliation screen: per carrier, the cash collected on delivery, remitted and still owed; the
remittances recorded (filter, page, export) and the form to record a new one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fulfillment.selectors_cod import carrier_choices, cod_balances, cod_remittances_for_list
from fulfillment.services import cod_remittance_record
from oms.exceptions import DomainError
from oms.exports import export_response
from oms.forms import form_add_domain_error, style_fields

PAGE_SIZE = 50


class RemittanceForm(forms.Form):
    carrier = forms.TypedChoiceField(label=gettext_lazy("Carrier"), coerce=int)
    amount = forms.CharField(label=gettext_lazy("Amount remitted"), max_length=20)
    remitted_on = forms.DateField(
        label=gettext_lazy("Remitted on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label=gettext_lazy("Statement or transfer reference"), max_length=100)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = [("", "—")] + carrier_choices()
        self.fields["remitted_on"].initial = timezone.localdate()
        style_fields(self.fields, errors=self.errors if self.is_bound else None, small=True)


class RemittanceFilterForm(forms.Form):
    carrier = forms.TypedChoiceField(
        label=gettext_lazy("Carrier"), coerce=int, required=False, empty_value=None
    )
    date_from = forms.DateField(
        label=gettext_lazy("Remitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("Remitted to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = [("", _("All"))] + carrier_choices()
        style_fields(self.fields, small=True)


def _page(qs, request) -> dict:
    try:
        number = min(max(1, int(request.GET.get("page", 1))), 100_000)
    except ValueError:
        number = 1
    rows = list(qs[(number - 1) * PAGE_SIZE : number * PAGE_SIZE + 1])
    return {
        "rows": rows[:PAGE_SIZE],
        "number": number,
        "has_next": len(rows) > PAGE_SIZE,
        "has_previous": number > 1,
    }


def _remittances(request, form: RemittanceFilterForm):
    qs = cod_remittances_for_list()
    if form.is_valid():
        cd = form.cleaned_data
        if cd.get("carrier"):
            qs = qs.filter(carrier_id=cd["carrier"])
        if cd.get("date_from"):
            qs = qs.filter(remitted_on__gte=cd["date_from"])
        if cd.get("date_to"):
            qs = qs.filter(remitted_on__lte=cd["date_to"])
    return qs


EXPORT_HEADERS = [
    gettext_lazy("Carrier"),
    gettext_lazy("Cash collected"),
    gettext_lazy("Remitted"),
    gettext_lazy("Outstanding"),
    gettext_lazy("Orders"),
    gettext_lazy("Remittances"),
]


def _export(fmt: str) -> HttpResponse:
    rows = ([b.name, b.collected, b.remitted, b.outstanding, b.orders, b.remittances] for b in cod_balances())
    return export_response(name="cod-reconciliation", fmt=fmt, headers=EXPORT_HEADERS, rows=rows)


class CodReconciliationView(PermissionRequiredMixin, View):
    permission_required = "fulfillment.view_codremittance"
    template_name = "fulfillment/cod_reconciliation.html"

    def _render(self, request, form: RemittanceForm, status: int = 200):
        filters = RemittanceFilterForm(request.GET or None)
        balances = cod_balances()
        return render(
            request,
            self.template_name,
            {
                "balances": balances,
                "outstanding": sum((b.outstanding for b in balances), start=0),
                "form": form,
                "filters": filters,
                "page": _page(_remittances(request, filters), request),
                "can_record": request.user.has_perm("fulfillment.add_codremittance"),
            },
            status=status,
        )

    def get(self, request):
        if request.GET.get("export") in ("csv", "xlsx"):
            return _export(request.GET["export"])
        return self._render(request, RemittanceForm())

    def post(self, request):
        if not request.user.has_perm("fulfillment.add_codremittance"):
            raise PermissionDenied
        form = RemittanceForm(request.POST)
        if form.is_valid():
            try:
                remittance = cod_remittance_record(
                    by=request.user, carrier_id=form.cleaned_data.pop("carrier"), **form.cleaned_data
                )
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Remittance %(reference)s of %(amount)s from %(carrier)s recorded.")
                    % {
                        "reference": remittance.reference,
                        "amount": remittance.amount,
                        "carrier": remittance.carrier.name,
                    },
                )
                return HttpResponseRedirect(reverse("fulfillment:cod"))
        style_fields(form.fields, errors=form.errors, small=True)
        return self._render(request, form, status=400)
