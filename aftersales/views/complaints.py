"""Complaint and inquiry screens: the list, recording one, its page and resolving it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from aftersales import selectors, services
from aftersales.choices import ComplaintCategory, ComplaintKind, ComplaintStatus
from aftersales.forms import ComplaintForm, ResolveForm
from aftersales.views._common import _apply_domain_error
from oms.audit import timeline_for
from oms.bulk_views import BulkMixin
from oms.exceptions import DomainError
from oms.exports import ListExportMixin
from oms.privacy import can_view_personal_data, mask


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class ComplaintListView(PermissionRequiredMixin, BulkMixin, ListExportMixin, ListView):
    permission_required = "aftersales.view_complaint"
    template_name = "aftersales/complaint_list.html"
    paginate_by = 50
    bulk_list_key = "complaints"
    export_name = "complaints"
    export_permission = "aftersales.view_complaint"

    def export_headers(self) -> list:
        return [
            _("Recorded"),
            _("Kind"),
            _("Category"),
            _("State"),
            _("Subject"),
            _("Customer"),
            _("Order number"),
            _("Handler"),
            _("Resolved"),
        ]

    def export_row(self, c) -> list:
        return [
            _local(c.created_at),
            c.get_kind_display(),
            c.get_category_display(),
            c.get_status_display(),
            c.subject,
            # Exports leave the screen: personal data is masked in them.
            mask(c.customer.name, "name"),
            c.order.number if c.order_id else "",
            c.handler.username if c.handler_id else "",
            _local(c.resolved_at),
        ]

    def get_queryset(self):
        params = self.request.GET
        qs = selectors.complaints_queryset()
        status = params.get("status", ComplaintStatus.OPEN)
        if status in ComplaintStatus.values:
            qs = qs.filter(status=status)
        if params.get("kind") in ComplaintKind.values:
            qs = qs.filter(kind=params["kind"])
        if params.get("category") in ComplaintCategory.values:
            qs = qs.filter(category=params["category"])
        if params.get("handler") == "me":
            qs = qs.filter(handler=self.request.user)
        return qs.order_by("created_at" if status == ComplaintStatus.OPEN else "-created_at", "pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET
        ctx.update(
            {
                "statuses": ComplaintStatus.choices,
                "kinds": ComplaintKind.choices,
                "categories": ComplaintCategory.choices,
                "current_status": params.get("status", ComplaintStatus.OPEN),
                "current_kind": params.get("kind", ""),
                "current_category": params.get("category", ""),
                "mine": params.get("handler") == "me",
            }
        )
        return ctx


class ComplaintCreateView(PermissionRequiredMixin, View):
    permission_required = "aftersales.add_complaint"
    template_name = "aftersales/complaint_form.html"

    def get(self, request):
        form = ComplaintForm(
            initial={"handler": request.user.pk, "order_number": request.GET.get("order", "")}
        )
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = ComplaintForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                complaint = services.complaint_register(
                    kind=data["kind"],
                    category=data["category"],
                    customer_id=data["customer"].pk,
                    order_id=data["order"].pk if data["order"] else None,
                    subject=data["subject"],
                    description=data.get("description", ""),
                    handler_id=data["handler"].pk if data.get("handler") else None,
                    contact_phone=data.get("customer_phone", "") or data["customer"].phone,
                    by=request.user,
                )
            except DomainError as exc:
                _apply_domain_error(form, exc)
            else:
                messages.success(request, _("Recorded."))
                return redirect("aftersales:complaint-detail", pk=complaint.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class ComplaintDetailView(PermissionRequiredMixin, View):
    permission_required = "aftersales.view_complaint"
    template_name = "aftersales/complaint_detail.html"

    def _ctx(self, complaint, form):
        return {
            "complaint": complaint,
            "form": form,
            "timeline": timeline_for(complaint),
            "can_resolve": complaint.status == ComplaintStatus.OPEN
            and self.request.user.has_perm("aftersales.change_complaint"),
            "can_view_pii": can_view_personal_data(self.request.user),
        }

    def get(self, request, pk: int):
        complaint = get_object_or_404(selectors.complaints_queryset(), pk=pk)
        return render(request, self.template_name, self._ctx(complaint, ResolveForm()))

    def post(self, request, pk: int):
        if not request.user.has_perm("aftersales.change_complaint"):
            raise PermissionDenied
        complaint = get_object_or_404(selectors.complaints_queryset(), pk=pk)
        form = ResolveForm(request.POST)
        if form.is_valid():
            try:
                services.complaint_resolve(
                    complaint_id=pk, resolution=form.cleaned_data["resolution"], by=request.user
                )
            except DomainError as exc:
                _apply_domain_error(form, exc)
            else:
                messages.success(request, _("Resolved."))
                return redirect("aftersales:complaint-detail", pk=pk)
        return render(request, self.template_name, self._ctx(complaint, form), status=400)
