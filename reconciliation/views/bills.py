"""Supplier bill screens: upload, column mapping, matching, and resolving the differences found."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from oms.exceptions import DomainError
from reconciliation import selectors, services
from reconciliation.choices import BillStatus, MatchKind
from reconciliation.forms import BillUploadForm, MappingForm, ResolveForm
from reconciliation.models import BillMatch, SupplierBill
from reconciliation.views._common import PAGE, _bill, _refuse, _refuse_form, _statement
from reconciliation.views.statements import detail_context


class BillUploadView(PermissionRequiredMixin, View):
    """Upload the supplier's bill; with a saved column mapping that fits, matching starts at once."""

    permission_required = "reconciliation.add_supplierbill"

    def post(self, request, pk: int):
        statement = _statement(pk)
        form = BillUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            ctx = detail_context(request, statement, upload_form=form)
            return render(request, "reconciliation/statement_detail.html", ctx, status=400)
        try:
            bill = services.bill_upload(statement_id=pk, upload=form.cleaned_data["file"], by=request.user)
            if selectors.bill_mapping_fits(bill):
                bill = services.bill_match_start(bill_id=bill.pk, by=request.user)
                return redirect("job-detail", pk=bill.job_id)
        except DomainError as exc:
            _refuse(request, exc)
            form.add_error("file", exc.message)
            ctx = detail_context(request, statement, upload_form=form)
            return render(request, "reconciliation/statement_detail.html", ctx, status=exc.http_status)
        messages.info(
            request, _("Tell us which column of the bill holds what; it is remembered for this supplier.")
        )
        return redirect("reconciliation:bill-detail", pk=bill.pk)


def bill_context(request, bill: SupplierBill, **overrides) -> dict:
    """Everything the bill page shows: the results by kind (paged), the mapping form, what may be done."""
    kind = request.GET.get("kind", "")
    if kind not in MatchKind.values:
        kind = ""
    unresolved_only = request.GET.get("open") == "1"
    matches = selectors.bill_matches(bill_id=bill.pk, kind=kind, unresolved_only=unresolved_only)
    page = Paginator(matches, PAGE).get_page(request.GET.get("page"))
    mapping = selectors.bill_mapping(supplier_id=bill.statement.supplier_id)
    headers = bill.counts.get("headers", [])
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "bill": bill,
        "statement": bill.statement,
        "counts": selectors.bill_counts(bill_id=bill.pk) if bill.status == BillStatus.MATCHED else {},
        "kinds": MatchKind.choices,
        "kind": kind,
        "unresolved_only": unresolved_only,
        "page_obj": page,
        "is_paginated": page.has_other_pages(),
        "matches": page.object_list,
        "mapping_form": MappingForm(headers=headers, initial_mapping=mapping.columns() if mapping else None),
        "needs_mapping": bill.status in (BillStatus.UPLOADED, BillStatus.FAILED, BillStatus.INVALID),
        "can_resolve": bill.statement.is_draft and request.user.has_perm("reconciliation.change_billmatch"),
        "resolve_form": ResolveForm(),
        "resolve_errors": {},
        "querystring": query.urlencode(),
    }
    ctx.update(overrides)
    return ctx


class BillDetailView(PermissionRequiredMixin, View):
    permission_required = "reconciliation.view_supplierbill"

    def get(self, request, pk: int):
        return render(request, "reconciliation/bill_detail.html", bill_context(request, _bill(pk)))


class BillMappingView(PermissionRequiredMixin, View):
    """Save which column holds what for this supplier, then start matching."""

    permission_required = ("reconciliation.add_billcolumnmapping", "reconciliation.change_billcolumnmapping")

    def post(self, request, pk: int):
        bill = _bill(pk)
        form = MappingForm(request.POST, headers=bill.counts.get("headers", []))
        if form.is_valid():
            try:
                services.mapping_save(
                    supplier_id=bill.statement.supplier_id, columns=form.cleaned_data, by=request.user
                )
                bill = services.bill_match_start(bill_id=bill.pk, by=request.user)
                return redirect("job-detail", pk=bill.job_id)
            except DomainError as exc:
                _refuse_form(request, exc, form)
        return render(
            request,
            "reconciliation/bill_detail.html",
            bill_context(request, bill, mapping_form=form),
            status=400,
        )


class BillMatchView(PermissionRequiredMixin, View):
    """Match again, e.g. with the good rows only after the bill was refused for bad rows."""

    permission_required = "reconciliation.add_supplierbill"

    def post(self, request, pk: int):
        bill = _bill(pk)
        try:
            bill = services.bill_match_start(
                bill_id=bill.pk, skip_bad_rows=request.POST.get("skip_bad_rows") == "1", by=request.user
            )
        except DomainError as exc:
            _refuse(request, exc)
            return redirect("reconciliation:bill-detail", pk=pk)
        return redirect("job-detail", pk=bill.job_id)


class MatchResolveView(PermissionRequiredMixin, View):
    permission_required = "reconciliation.change_billmatch"

    def post(self, request, pk: int):
        match = get_object_or_404(BillMatch.objects.select_related("bill"), pk=pk)
        form = ResolveForm(request.POST)
        back = (
            reverse("reconciliation:bill-detail", args=[match.bill_id]) + "?" + request.POST.get("back", "")
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.bill_match_resolve(
                    match_id=pk,
                    resolution=data["resolution"],
                    note=data["note"],
                    amount=data["amount"],
                    by=request.user,
                )
            except DomainError as exc:
                _refuse_form(request, exc, form)
            else:
                messages.success(request, _("Difference %(ref)s resolved.") % {"ref": match.reference})
                return redirect(back)
        bill = _bill(match.bill_id)
        ctx = bill_context(request, bill, resolve_errors={pk: form})
        return render(request, "reconciliation/bill_detail.html", ctx, status=400)
