"""Finance screens of supplier reconciliation: balances, statements by state, the statement builder,
bill matching and resolutions, the approval queue, PDF / XLSX. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from inventory.models import Supplier
from oms.audit import timeline_for
from oms.exceptions import DomainError
from reconciliation import selectors, services
from reconciliation.choices import BillStatus, ItemStatus, MatchKind, StatementStatus
from reconciliation.exports import statement_pdf, statement_xlsx
from reconciliation.forms import (
    BillUploadForm,
    ItemFilterForm,
    MappingForm,
    RejectForm,
    ResolveForm,
    SettlementForm,
    StatementCreateForm,
    StatementFilterForm,
)
from reconciliation.models import BillColumnMapping, BillMatch, SupplierBill, SupplierStatement

VIEW = "reconciliation.view_supplierstatement"
EDIT = "reconciliation.change_supplierstatement"
APPROVE = "reconciliation.approve_statement"
PAGE = 50


def _refuse(request, exc: DomainError) -> None:
    messages.error(request, exc.message)


class SupplierBalanceListView(PermissionRequiredMixin, ListView):
    """Each supplier with total, reconciled and remaining (reconciled + remaining = total)."""

    permission_required = "reconciliation.view_reconcilableitem"
    template_name = "reconciliation/supplier_list.html"
    paginate_by = PAGE

    def get_queryset(self):
        return Supplier.objects.order_by("code")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["balances"] = selectors.supplier_balances(list(ctx["page_obj"].object_list))
        return ctx


class StatementListView(PermissionRequiredMixin, ListView):
    permission_required = VIEW
    template_name = "reconciliation/statement_list.html"
    paginate_by = PAGE

    def get_queryset(self):
        self.filters = StatementFilterForm(self.request.GET or None)
        data = self.filters.cleaned_data if self.filters.is_valid() else {}
        supplier = self.request.GET.get("supplier")
        return selectors.statements(
            status=data.get("status", ""),
            supplier_id=int(supplier) if supplier and supplier.isdigit() else None,
            q=data.get("q", ""),
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filters"] = self.filters
        ctx["states"] = StatementStatus.choices
        ctx["current_status"] = self.request.GET.get("status", "")
        return ctx


class ApprovalQueueView(PermissionRequiredMixin, ListView):
    permission_required = APPROVE
    template_name = "reconciliation/approval_queue.html"
    paginate_by = PAGE

    def get_queryset(self):
        return selectors.approval_queue()


class StatementCreateView(PermissionRequiredMixin, View):
    permission_required = "reconciliation.add_supplierstatement"
    template_name = "reconciliation/statement_form.html"

    def get(self, request):
        initial = {}
        if request.GET.get("supplier", "").isdigit():
            initial["supplier"] = int(request.GET["supplier"])
        return render(request, self.template_name, {"form": StatementCreateForm(initial=initial)})

    def post(self, request):
        form = StatementCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            statement = services.statement_create(
                supplier_id=data["supplier"].pk,
                period_start=data["period_start"],
                period_end=data["period_end"],
                note=data["note"],
                by=request.user,
            )
            messages.success(
                request,
                _("Draft %(number)s created: select the items to reconcile.") % {"number": statement.number},
            )
            url = reverse("reconciliation:statement-detail", args=[statement.pk])
            query = {
                k: v for k, v in (("date_from", data["period_start"]), ("date_to", data["period_end"])) if v
            }
            if query:
                url += "?" + "&".join(f"{k}={v.isoformat()}" for k, v in query.items())
            return redirect(url)
        return render(request, self.template_name, {"form": form}, status=400)


def _statement(pk: int) -> SupplierStatement:
    return get_object_or_404(
        SupplierStatement.objects.select_related("supplier", "created_by", "approved_by"), pk=pk
    )


def detail_context(request, statement: SupplierStatement, **overrides) -> dict:
    """Everything the statement page shows; a fixed number of queries whatever the number of items."""
    user = request.user
    filters = ItemFilterForm(request.GET or None)
    item_filter = filters.to_filter()
    tab = request.GET.get("tab") or ("open" if statement.is_draft else "lines")
    if tab == "open" and statement.is_draft:
        items = selectors.open_items(supplier_id=statement.supplier_id, filters=item_filter)
    else:
        tab = "lines"
        items = selectors.statement_items(statement_id=statement.pk, filters=item_filter)
    page = Paginator(items, PAGE).get_page(request.GET.get("page"))
    bill = selectors.current_bill(statement_id=statement.pk)
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "statement": statement,
        "breakdown": selectors.statement_breakdown(statement_id=statement.pk),
        "filters": filters,
        "tab": tab,
        "page_obj": page,
        "is_paginated": page.has_other_pages(),
        "items": page.object_list,
        "matching": selectors.items_summary(items) if statement.is_draft else None,
        "bill": bill,
        "unresolved": selectors.unresolved_differences(statement_id=statement.pk) if bill else 0,
        "timeline": timeline_for(statement),
        "settlements": list(statement.settlements.select_related("by"))
        if statement.status in (StatementStatus.APPROVED, StatementStatus.SETTLED)
        else [],
        "querystring": query.urlencode(),
        "can_edit": statement.is_draft and user.has_perm(EDIT),
        "can_submit": statement.is_draft and user.has_perm(EDIT),
        "can_reopen": statement.status == StatementStatus.REJECTED and user.has_perm(EDIT),
        "can_approve": statement.status == StatementStatus.SUBMITTED and user.has_perm(APPROVE),
        "can_settle": statement.status == StatementStatus.APPROVED
        and user.has_perm("reconciliation.add_settlement"),
        "can_upload": statement.is_draft and user.has_perm("reconciliation.add_supplierbill"),
        "reject_form": RejectForm(),
        "settlement_form": SettlementForm(initial={"amount": statement.total}),
        "upload_form": BillUploadForm(),
        "ItemStatus": ItemStatus,
    }
    ctx.update(overrides)
    return ctx


class StatementDetailView(PermissionRequiredMixin, View):
    """The statement; for a draft, the builder: filter, select (one by one, the page, or all matching)."""

    permission_required = VIEW

    def get(self, request, pk: int):
        statement = _statement(pk)
        return render(request, "reconciliation/statement_detail.html", detail_context(request, statement))


class StatementSelectView(PermissionRequiredMixin, View):
    """Change a draft's selection: ids (a checkbox, the checked rows) or every item matching the filter.

    With HTMX the answer is the totals fragment; without, back to the builder with the same filter.
    """

    permission_required = EDIT

    def post(self, request, pk: int):
        statement = _statement(pk)
        action = request.POST.get("action", "select")
        scope = request.POST.get("scope", "ids")
        filters = ItemFilterForm(request.POST).to_filter()
        ids = [
            int(i) for i in (request.POST.getlist("toggle") or request.POST.getlist("item")) if i.isdigit()
        ]
        service = services.statement_select if action == "select" else services.statement_deselect
        status = 200
        try:
            if scope == "filter":
                totals = service(statement_id=statement.pk, filters=filters, by=request.user)
            elif ids:
                totals = service(statement_id=statement.pk, item_ids=ids, by=request.user)
            else:
                totals = None
                if not request.htmx:
                    messages.warning(request, _("Tick the items first, or use “select all matching”."))
            if totals is not None and not request.htmx:
                verb = _("added to") if action == "select" else _("taken off")
                messages.success(
                    request,
                    _("%(count)d items %(verb)s the statement; total now %(total)s in %(lines)d lines.")
                    % {
                        "count": totals.changed,
                        "verb": verb,
                        "total": totals.total,
                        "lines": totals.line_count,
                    },
                )
        except DomainError as exc:
            status = exc.http_status
            _refuse(request, exc)
        if request.htmx:
            statement.refresh_from_db()
            ctx = {
                "statement": statement,
                "breakdown": selectors.statement_breakdown(statement_id=statement.pk),
                "oob": False,
            }
            return render(request, "reconciliation/inc/totals.html", ctx, status=status)
        return redirect(
            reverse("reconciliation:statement-detail", args=[pk]) + "?" + request.POST.get("back", "")
        )


class StatementActionView(PermissionRequiredMixin, View):
    """Submit, approve, reject or reopen; each refusal says what to do next and changes nothing."""

    ACTIONS = {"submit": EDIT, "reopen": EDIT, "approve": APPROVE, "reject": APPROVE}

    def get_permission_required(self):
        action = self.kwargs.get("action")
        if action not in self.ACTIONS:
            raise Http404
        return [self.ACTIONS[action]]

    def post(self, request, pk: int, action: str):
        statement = _statement(pk)
        note = request.POST.get("note", "")
        try:
            if action == "submit":
                services.statement_submit(statement_id=pk, by=request.user, note=note)
                messages.success(request, _("Submitted: the finance manager has been notified."))
            elif action == "approve":
                services.statement_approve(statement_id=pk, by=request.user, note=note)
                messages.success(request, _("Approved: every item on the statement is reconciled today."))
            elif action == "reject":
                form = RejectForm(request.POST)
                services.statement_reject(
                    statement_id=pk, reason=form.data.get("reason", ""), by=request.user
                )
                messages.success(
                    request,
                    _(
                        "Rejected: its items are open again (other statements may take them) and the clerk "
                        "sees your reason on the statement."
                    ),
                )
            else:
                reopened = services.statement_reopen(statement_id=pk, by=request.user)
                if reopened.restored == reopened.released:
                    text = _(
                        "The statement is a draft again with its %(count)d items: correct it and submit it."
                    )
                else:
                    text = _(
                        "The statement is a draft again with %(restored)d of the %(count)d items it held "
                        "(the others went on another statement meanwhile): correct it and submit it."
                    )
                messages.success(request, text % {"restored": reopened.restored, "count": reopened.released})
        except DomainError as exc:
            _refuse(request, exc)
            statement.refresh_from_db()
            ctx = detail_context(request, statement)
            if action == "reject":
                form = RejectForm(request.POST)
                form.is_valid()
                for field, errors in exc.field_errors.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
                ctx["reject_form"] = form
            return render(request, "reconciliation/statement_detail.html", ctx, status=exc.http_status)
        return redirect("reconciliation:statement-detail", pk=pk)


class SettlementCreateView(PermissionRequiredMixin, View):
    permission_required = "reconciliation.add_settlement"

    def post(self, request, pk: int):
        statement = _statement(pk)
        form = SettlementForm(request.POST)
        if form.is_valid():
            try:
                services.settlement_record(statement_id=pk, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                _refuse(request, exc)
                for field, errors in exc.field_errors.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Payment recorded."))
                return redirect("reconciliation:statement-detail", pk=pk)
        ctx = detail_context(request, statement, settlement_form=form)
        return render(request, "reconciliation/statement_detail.html", ctx, status=400)


class StatementPdfView(PermissionRequiredMixin, View):
    permission_required = VIEW

    def get(self, request, pk: int):
        statement = _statement(pk)
        response = HttpResponse(statement_pdf(statement), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{statement.number}.pdf"'
        return response


class StatementXlsxView(PermissionRequiredMixin, View):
    permission_required = VIEW

    def get(self, request, pk: int):
        statement = _statement(pk)
        response = HttpResponse(
            statement_xlsx(statement),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{statement.number}.xlsx"'
        return response


# --- supplier bills ----------------------------------------------------------------------------


def _mapping_fits(bill: SupplierBill) -> bool:
    mapping = BillColumnMapping.objects.filter(supplier_id=bill.statement.supplier_id).first()
    if mapping is None:
        return False
    headers = set(bill.counts.get("headers", []))
    return all(col in headers for col in mapping.columns().values() if col)


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
            if _mapping_fits(bill):
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


def _bill(pk: int) -> SupplierBill:
    return get_object_or_404(SupplierBill.objects.select_related("statement", "statement__supplier"), pk=pk)


def bill_context(request, bill: SupplierBill, **overrides) -> dict:
    kind = request.GET.get("kind", "")
    if kind not in MatchKind.values:
        kind = ""
    unresolved_only = request.GET.get("open") == "1"
    matches = selectors.bill_matches(bill_id=bill.pk, kind=kind, unresolved_only=unresolved_only)
    page = Paginator(matches, PAGE).get_page(request.GET.get("page"))
    mapping = BillColumnMapping.objects.filter(supplier_id=bill.statement.supplier_id).first()
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
                _refuse(request, exc)
                for field, errors in exc.field_errors.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
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
                _refuse(request, exc)
                for field, errors in exc.field_errors.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Difference %(ref)s resolved.") % {"ref": match.reference})
                return redirect(back)
        bill = _bill(match.bill_id)
        ctx = bill_context(request, bill, resolve_errors={pk: form})
        return render(request, "reconciliation/bill_detail.html", ctx, status=400)
