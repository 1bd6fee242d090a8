"""Refund screens: recording a refund or compensation for a case, the refund list, large-refund decisions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from aftersales import selectors, services
from aftersales.choices import REFUND_BADGES, RefundStatus
from aftersales.forms import RefundForm
from aftersales.models import Refund
from aftersales.views._common import _apply_domain_error
from oms.bulk_views import BulkMixin
from oms.exceptions import DomainError
from oms.exports import ListExportMixin


class RefundCreateView(PermissionRequiredMixin, View):
    permission_required = "aftersales.add_refund"
    template_name = "aftersales/refund_form.html"

    def _ctx(self, case, form):
        refundable = selectors.refundable_for_order(case.order_id)
        return {
            "case": case,
            "form": form,
            "refundable": refundable,
            "large_amount": services.large_refund_amount(),
            "needs_approval_note": not self.request.user.has_perm("aftersales.approve_large_refund"),
        }

    def get(self, request, pk: int):
        case = get_object_or_404(selectors.cases_queryset(), pk=pk)
        form = RefundForm(initial={"amount": selectors.suggested_refund_amount(case)})
        return render(request, self.template_name, self._ctx(case, form))

    def post(self, request, pk: int):
        case = get_object_or_404(selectors.cases_queryset(), pk=pk)
        form = RefundForm(request.POST)
        if form.is_valid():
            try:
                refund = services.refund_record(case_id=pk, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                _apply_domain_error(form, exc)
            else:
                if refund.status == RefundStatus.AWAITING_APPROVAL:
                    messages.warning(
                        request,
                        _(
                            "The refund of %(amount)s is above %(limit)s: it waits for the finance manager's approval."
                        )
                        % {"amount": refund.amount, "limit": services.large_refund_amount()},
                    )
                else:
                    messages.success(
                        request,
                        _("Refund of %(amount)s recorded; the customer is notified.")
                        % {"amount": refund.amount},
                    )
                return redirect("aftersales:case-detail", pk=pk)
        return render(request, self.template_name, self._ctx(case, form), status=400)


class RefundListView(PermissionRequiredMixin, BulkMixin, ListExportMixin, ListView):
    permission_required = "aftersales.view_refund"
    template_name = "aftersales/refund_list.html"
    paginate_by = 50
    bulk_list_key = "refunds"
    export_name = "refunds"
    export_permission = "aftersales.view_refund"

    def export_headers(self) -> list:
        return [
            _("Recorded"),
            _("Case"),
            _("Order number"),
            _("Kind"),
            _("Amount"),
            _("Currency"),
            _("State"),
            _("Requested by"),
            _("Approved by"),
            _("Payment reference"),
            _("Reject reason"),
        ]

    def export_row(self, refund) -> list:
        return [
            timezone.localtime(refund.created_at).strftime("%Y-%m-%d %H:%M"),
            refund.case.number,
            refund.order.number,
            refund.get_kind_display(),
            refund.amount,
            refund.currency,
            refund.get_status_display(),
            refund.requested_by.username if refund.requested_by_id else "",
            refund.approved_by.username if refund.approved_by_id else "",
            refund.transaction_ref,
            refund.reject_reason,
        ]

    def get_queryset(self):
        status = self.request.GET.get("status", RefundStatus.AWAITING_APPROVAL)
        qs = selectors.refunds_queryset()
        if status in RefundStatus.values:
            qs = qs.filter(status=status)
        return qs.order_by("created_at" if status == RefundStatus.AWAITING_APPROVAL else "-created_at", "pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["statuses"] = RefundStatus.choices
        ctx["current_status"] = self.request.GET.get("status", RefundStatus.AWAITING_APPROVAL)
        ctx["badges"] = REFUND_BADGES
        ctx["can_approve"] = self.request.user.has_perm("aftersales.approve_large_refund")
        return ctx


class RefundDecisionView(PermissionRequiredMixin, View):
    permission_required = "aftersales.approve_large_refund"
    http_method_names = ["post"]

    def post(self, request, pk: int, decision: str):
        refund = get_object_or_404(Refund, pk=pk)
        try:
            if decision == "approve":
                services.refund_approve(refund_id=pk, by=request.user)
                messages.success(request, _("Refund of %(amount)s approved.") % {"amount": refund.amount})
            elif decision == "reject":
                services.refund_reject(
                    refund_id=pk, reason=request.POST.get("reject_reason", ""), by=request.user
                )
                messages.success(request, _("Refund of %(amount)s rejected.") % {"amount": refund.amount})
            else:
                raise Http404
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("aftersales:refund-approvals")
