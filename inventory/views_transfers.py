"""Transfer screens: list and create, detail with ship / receive / cancel; in transit shown on both."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from inventory import selectors_purchasing as sel
from inventory import services
from inventory.forms_purchasing import TransferCreateForm, TransferFilterForm
from inventory.models import StockTransfer
from inventory.views import ExportMixin
from oms.audit import timeline_for
from oms.exceptions import DomainError
from oms.forms import form_add_domain_error

VIEW = "inventory.view_stocktransfer"
TRANSFER = "inventory.transfer_stock"


class TransferListView(PermissionRequiredMixin, ExportMixin, ListView):
    permission_required = VIEW
    template_name = "inventory/stocktransfer_list.html"
    export_name = "transfers"
    paginate_by = 50

    def get_queryset(self):
        self.filters = TransferFilterForm(self.request.GET or None)
        data = self.filters.cleaned_data if self.filters.is_valid() else {}
        return sel.transfers_list(
            status=data.get("status", ""),
            warehouse_id=data["warehouse"].pk if data.get("warehouse") else None,
        )

    def export_headers(self):
        return [
            _("Transfer number"),
            _("Status"),
            _("From"),
            _("To"),
            _("Lines"),
            _("Units"),
            _("Shipped"),
            _("Received"),
        ]

    def export_row(self, t):
        return [
            t.number,
            t.get_status_display(),
            t.from_warehouse.code,
            t.to_warehouse.code,
            t.line_count,
            t.units or 0,
            t.shipped_at.date() if t.shipped_at else "",
            t.received_at.date() if t.received_at else "",
        ]


class TransferCreateView(PermissionRequiredMixin, FormView):
    permission_required = TRANSFER
    template_name = "inventory/stocktransfer_form.html"
    form_class = TransferCreateForm

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            transfer = services.transfer_create(
                from_warehouse_id=data["from_warehouse"].pk,
                to_warehouse_id=data["to_warehouse"].pk,
                lines=[(sku.pk, qty) for sku, qty, _cost in data["lines"]],
                reference=data.get("reference", ""),
                by=self.request.user,
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
            return self.form_invalid(form)
        return redirect("inventory:transfer-detail", pk=transfer.pk)


class TransferDetailView(PermissionRequiredMixin, View):
    permission_required = VIEW

    def get(self, request, pk):
        transfer = get_object_or_404(
            StockTransfer.objects.select_related("from_warehouse", "to_warehouse"), pk=pk
        )
        return render(
            request,
            "inventory/stocktransfer_detail.html",
            {
                "transfer": transfer,
                "lines": sel.transfer_lines(transfer),
                "steps": {t.name for t in transfer.get_available_user_status_transitions(request.user)},
                "timeline": timeline_for(transfer),
            },
        )


class TransferStepView(PermissionRequiredMixin, View):
    permission_required = VIEW
    steps = {
        "ship": services.transfer_ship,
        "receive": services.transfer_receive,
        "cancel": services.transfer_cancel,
    }

    def post(self, request, pk, step):
        transfer = get_object_or_404(StockTransfer, pk=pk)
        action = self.steps.get(step)
        if action is not None:
            try:
                action(transfer_id=transfer.pk, by=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("%(number)s: done.") % {"number": transfer.number})
        return redirect("inventory:transfer-detail", pk=pk)
