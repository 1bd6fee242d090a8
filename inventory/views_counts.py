"""Stock count (盘点) screens: list and start, the count page (scan while counting, review, approve)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from inventory import selectors_purchasing as sel
from inventory import services
from inventory.choices import StockCountStatus
from inventory.forms_purchasing import CountFilterForm, CountStartForm, ScanForm
from inventory.models import StockCount
from inventory.views import ExportMixin
from oms.audit import timeline_for
from oms.exceptions import DomainError
from oms.exports import export_response
from oms.forms import form_add_domain_error

VIEW = "inventory.view_stockcount"
COUNT = "inventory.count_stock"


class StockCountListView(PermissionRequiredMixin, ExportMixin, ListView):
    permission_required = VIEW
    template_name = "inventory/stockcount_list.html"
    export_name = "stock-counts"
    paginate_by = 50

    def get_queryset(self):
        self.filters = CountFilterForm(self.request.GET or None)
        data = self.filters.cleaned_data if self.filters.is_valid() else {}
        return sel.stock_counts_list(
            status=data.get("status", ""),
            warehouse_id=data["warehouse"].pk if data.get("warehouse") else None,
        )

    def export_headers(self):
        return [
            _("Count number"),
            _("Status"),
            _("Warehouse"),
            _("Zone"),
            _("Lines"),
            _("Lines with a variance"),
            _("Started"),
            _("Started by"),
            _("Approved by"),
        ]

    def export_row(self, c):
        return [
            c.number,
            c.get_status_display(),
            c.warehouse.code,
            c.zone,
            c.line_count,
            c.varied,
            c.created_at.date(),
            str(c.created_by or ""),
            str(c.approved_by or ""),
        ]

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "start_form": kwargs.get("start_form") or CountStartForm(),
        }

    def post(self, request):
        """Start a count; a refusal shows on the form above the list, with what was typed."""
        if not request.user.has_perm(COUNT):
            return self.handle_no_permission()
        form = CountStartForm(request.POST)
        if form.is_valid():
            try:
                count = services.stock_count_start(
                    warehouse_id=form.cleaned_data["warehouse"].pk,
                    zone=form.cleaned_data["zone"],
                    by=request.user,
                )
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                return redirect("inventory:count-detail", pk=count.pk)
        self.object_list = self.get_queryset()
        return render(request, self.template_name, self.get_context_data(start_form=form), status=400)


def _count_or_404(pk: int) -> StockCount:
    return get_object_or_404(
        StockCount.objects.select_related("warehouse", "created_by", "approved_by"), pk=pk
    )


class StockCountDetailView(PermissionRequiredMixin, View):
    """The count: scan area while counting; expected, counted, variance and its value; the steps."""

    permission_required = VIEW

    def get(self, request, pk):
        count = _count_or_404(pk)
        fmt = request.GET.get("export")
        if fmt in ("csv", "xlsx"):
            if not request.user.has_perm("inventory.export_stock"):
                raise PermissionDenied
            return export_response(
                name=f"count-{count.number}",
                fmt=fmt,
                headers=[
                    _("SKU"),
                    _("Product"),
                    _("Expected"),
                    _("Counted"),
                    _("Variance"),
                    _("Unit cost"),
                    _("Value"),
                ],
                rows=(
                    [
                        x.sku.code,
                        x.sku.product.name,
                        x.expected,
                        x.counted,
                        x.variance,
                        x.unit_cost,
                        x.variance_value,
                    ]
                    for x in sel.stock_count_lines(count)
                ),
            )
        return render(request, "inventory/stockcount_detail.html", context(count, request))


def context(count: StockCount, request, *, outcome=None) -> dict:
    only_varied = request.GET.get("varied") == "1"
    lines = list(sel.stock_count_lines(count, only_varied=only_varied))
    steps = {t.name for t in count.get_available_user_status_transitions(request.user)}
    return {
        "count": count,
        "lines": lines,
        "only_varied": only_varied,
        "value": sum((x.variance_value for x in lines if x.variance), 0),
        "steps": steps,
        "counting": count.status == StockCountStatus.COUNTING and request.user.has_perm(COUNT),
        "outcome": outcome,
        "timeline": timeline_for(count),
        "can_export": request.user.has_perm("inventory.export_stock"),
    }


class StockCountScanView(PermissionRequiredMixin, View):
    permission_required = COUNT

    def post(self, request, pk):
        count = _count_or_404(pk)
        form = ScanForm(request.POST)
        outcome = {"ok": False, "message": _("Scan a SKU or barcode.")}
        if form.is_valid():
            try:
                line = services.stock_count_scan(
                    count_id=count.pk,
                    code=form.cleaned_data["code"],
                    quantity=form.cleaned_data.get("quantity") or 1,
                    by=request.user,
                )
            except DomainError as exc:
                outcome = {"ok": False, "message": exc.message}
            else:
                outcome = {
                    "ok": True,
                    "message": _("%(sku)s: %(counted)s counted.")
                    % {"sku": line.sku.code, "counted": line.counted},
                }
        template = "inventory/inc/count_state.html" if request.htmx else "inventory/stockcount_detail.html"
        return render(
            request,
            template,
            context(count, request, outcome=outcome),
            status=200 if outcome["ok"] or request.htmx else 400,
        )


class StockCountStepView(PermissionRequiredMixin, View):
    permission_required = VIEW
    steps = {
        "submit": services.stock_count_submit,
        "reopen": services.stock_count_reopen,
        "approve": services.stock_count_approve,
        "cancel": services.stock_count_cancel,
    }

    def post(self, request, pk, step):
        count = _count_or_404(pk)
        action = self.steps.get(step)
        if action is not None:
            try:
                action(count_id=count.pk, by=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("%(number)s: done.") % {"number": count.number})
        return redirect("inventory:count-detail", pk=pk)
