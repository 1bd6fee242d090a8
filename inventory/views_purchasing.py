"""Purchase order screens: list, create (by hand or from suggestions), detail with its steps, PDF, receive by scan.

Thin: the selectors read, the services write and refuse; a refusal is shown as a message, never a 500.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView

from inventory import selectors_purchasing as sel
from inventory import services
from inventory.choices import PO_OPEN_STATUSES, STATUS_BADGES
from inventory.forms_purchasing import (
    PurchaseOrderFilterForm,
    PurchaseOrderForm,
    ReasonForm,
    ScanForm,
    SuggestionsToPOForm,
)
from inventory.models import PurchaseOrder
from inventory.pdf import purchase_order_pdf
from inventory.views import ExportMixin
from oms.audit import timeline_for
from oms.exceptions import DomainError
from oms.forms import form_add_domain_error

VIEW = "inventory.view_purchaseorder"
MANAGE = "inventory.manage_purchaseorder"
RECEIVE = "inventory.receive_stock"


class PurchaseOrderListView(PermissionRequiredMixin, ExportMixin, ListView):
    permission_required = VIEW
    template_name = "inventory/purchaseorder_list.html"
    export_name = "purchase-orders"
    paginate_by = 50

    def get_queryset(self):
        self.filters = PurchaseOrderFilterForm(self.request.GET or None)
        data = self.filters.cleaned_data if self.filters.is_valid() else {}
        return sel.purchase_orders_list(
            q=data.get("q", ""),
            status=data.get("status", ""),
            supplier_id=data["supplier"].pk if data.get("supplier") else None,
            warehouse_id=data["warehouse"].pk if data.get("warehouse") else None,
        )

    def export_headers(self):
        return [
            _("PO number"),
            _("Status"),
            _("Supplier"),
            _("Deliver to"),
            _("Lines"),
            _("Ordered"),
            _("Received"),
            _("Total"),
            _("Created"),
            _("Sent"),
            _("Expected delivery"),
        ]

    def export_row(self, po):
        return [
            po.number,
            po.get_status_display(),
            po.supplier.name,
            po.warehouse.code,
            po.line_count,
            po.ordered or 0,
            po.received or 0,
            po.total or 0,
            po.created_at.date(),
            po.sent_at.date() if po.sent_at else "",
            po.expected_date or "",
        ]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "badges": STATUS_BADGES}


class PurchaseOrderCreateView(PermissionRequiredMixin, FormView):
    permission_required = MANAGE
    template_name = "inventory/purchaseorder_form.html"
    form_class = PurchaseOrderForm

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            po = services.purchase_order_create(
                supplier_id=data["supplier"].pk,
                warehouse_id=data["warehouse"].pk,
                lines=[
                    services.LineRequest(sku_id=sku.pk, quantity=qty, unit_cost=cost)
                    for sku, qty, cost in data["lines"]
                ],
                expected_date=data.get("expected_date"),
                note_text=data.get("note", ""),
                over_receipt_pct=data["over_receipt_pct"],
                by=self.request.user,
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Purchase order %(number)s created as a draft.") % {"number": po.number}
        )
        return redirect("inventory:po-detail", pk=po.pk)


class PurchaseOrdersFromSuggestionsView(PermissionRequiredMixin, View):
    """The replenishment page's ticked rows ("pick" = supplier_id:sku_id, "qty-…" its quantity) → drafts."""

    permission_required = MANAGE

    def post(self, request):
        form = SuggestionsToPOForm(request.POST)
        picks = []
        for value in request.POST.getlist("pick"):
            supplier_id, _sep, sku_id = value.partition(":")
            try:
                quantity = int(request.POST.get(f"qty-{supplier_id}-{sku_id}", ""))
                picks.append((int(supplier_id), int(sku_id), quantity))
            except ValueError:
                messages.error(request, _("Give a whole quantity for every ticked row."))
                return redirect("inventory:replenishment")
        if not form.is_valid():
            messages.error(request, _("Choose the warehouse to deliver to."))
            return redirect("inventory:replenishment")
        try:
            pos = services.purchase_orders_from_suggestions(
                warehouse_id=form.cleaned_data["warehouse"].pk, picks=picks, by=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("inventory:replenishment")
        messages.success(
            request,
            _("%(n)s draft purchase order(s) created: %(numbers)s.")
            % {"n": len(pos), "numbers": ", ".join(p.number for p in pos)},
        )
        return redirect(reverse("inventory:po-list") + "?status=draft")


def _po_or_404(pk: int) -> PurchaseOrder:
    return get_object_or_404(
        PurchaseOrder.objects.select_related("supplier", "warehouse", "created_by"), pk=pk
    )


class PurchaseOrderDetailView(PermissionRequiredMixin, View):
    permission_required = VIEW

    def get(self, request, pk):
        po = _po_or_404(pk)
        return render(request, "inventory/purchaseorder_detail.html", self.context(po, request))

    @staticmethod
    def context(po, request, reason_form=None):
        lines = sel.purchase_order_lines(po)
        steps = {t.name for t in po.get_available_user_status_transitions(request.user)}
        return {
            "po": po,
            "lines": lines,
            "total": sum((x.line_total for x in lines), 0),
            "steps": steps,
            "can_receive": po.status in PO_OPEN_STATUSES and request.user.has_perm(RECEIVE),
            "reason_form": reason_form or ReasonForm(),
            "timeline": timeline_for(po),
            "badges": STATUS_BADGES,
        }


class PurchaseOrderStepView(PermissionRequiredMixin, View):
    """POST send / close / cancel; a refusal comes back as a message on the detail page."""

    permission_required = VIEW
    steps = {
        "send": services.purchase_order_send,
        "close": services.purchase_order_close,
        "cancel": services.purchase_order_cancel,
    }

    def post(self, request, pk, step):
        po = _po_or_404(pk)
        action = self.steps.get(step)
        if action is None:
            return redirect("inventory:po-detail", pk=pk)
        kwargs = {"po_id": po.pk, "by": request.user}
        form = ReasonForm(request.POST)
        if step != "send":
            if not form.is_valid():
                messages.error(request, _("Say why."))
                ctx = PurchaseOrderDetailView.context(po, request, reason_form=form)
                return render(request, "inventory/purchaseorder_detail.html", ctx, status=400)
            kwargs["reason"] = form.cleaned_data["reason"]
        try:
            action(**kwargs)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("inventory:po-detail", pk=pk)
        messages.success(request, _("%(number)s: done.") % {"number": po.number})
        return redirect("inventory:po-detail", pk=pk)


class PurchaseOrderPdfView(PermissionRequiredMixin, View):
    permission_required = VIEW

    def get(self, request, pk):
        po = _po_or_404(pk)
        response = HttpResponse(purchase_order_pdf(po), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{po.number}.pdf"'
        return response


class PurchaseOrderReceiveView(PermissionRequiredMixin, View):
    """The receiving station: scan each item (or type a quantity) against the PO; the scan field is never redrawn."""

    permission_required = RECEIVE

    def get(self, request, pk):
        po = _po_or_404(pk)
        return render(request, "inventory/po_receive.html", self._context(po, outcome=None))

    def post(self, request, pk):
        po = _po_or_404(pk)
        form = ScanForm(request.POST)
        outcome = {"ok": False, "message": _("Scan a SKU or barcode."), "code": ""}
        if form.is_valid():
            code = form.cleaned_data["code"]
            try:
                result = services.purchase_order_receive(
                    po_id=po.pk, code=code, quantity=form.cleaned_data.get("quantity") or 1, by=request.user
                )
            except DomainError as exc:
                outcome = {"ok": False, "message": exc.message, "code": code}
            else:
                po = result.purchase_order
                outcome = {"ok": True, "over": result.over, "code": code, "message": self._said(result)}
        template = "inventory/inc/po_receive_state.html" if request.htmx else "inventory/po_receive.html"
        status = 200 if outcome["ok"] or request.htmx else 400
        return render(request, template, self._context(po, outcome=outcome), status=status)

    @staticmethod
    def _said(result) -> str:
        text = _("%(quantity)s × %(sku)s received (%(received)s of %(ordered)s).") % {
            "quantity": result.quantity,
            "sku": result.line.sku.code,
            "received": result.line.quantity_received,
            "ordered": result.line.quantity_ordered,
        }
        if result.over:
            text += " " + _("Over the order by %(n)s: within the tolerance, flagged.") % {"n": result.over}
        if result.complete:
            text += " " + _("Everything ordered has arrived.")
        return text

    @staticmethod
    def _context(po, *, outcome):
        return {"po": po, "lines": sel.purchase_order_lines(po), "outcome": outcome, "badges": STATUS_BADGES}
