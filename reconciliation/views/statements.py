"""Statement screens: supplier balances, statements by state, the approval queue, the statement builder,
state changes, payments, and the PDF / XLSX documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from inventory.selectors import suppliers_by_code
from oms.audit import timeline_for
from oms.exceptions import DomainError
from oms.exports import ListExportMixin, export_response
from reconciliation import selectors, services
from reconciliation.choices import ItemStatus, StatementStatus
from reconciliation.exports import statement_pdf, statement_xlsx
from reconciliation.forms import (
    BillUploadForm,
    ItemFilterForm,
    RejectForm,
    SettlementForm,
    StatementCreateForm,
    StatementFilterForm,
)
from reconciliation.models import SupplierStatement
from reconciliation.views._common import (
    APPROVE,
    EDIT,
    PAGE,
    VIEW,
    _form_errors,
    _refuse,
    _refuse_form,
    _statement,
)


class SupplierBalanceListView(PermissionRequiredMixin, ListExportMixin, ListView):
    """Each supplier with total, reconciled and remaining (reconciled + remaining = total)."""

    permission_required = "reconciliation.view_reconcilableitem"
    template_name = "reconciliation/supplier_list.html"
    paginate_by = PAGE
    export_name = "supplier-balances"
    export_permission = "reconciliation.view_reconcilableitem"

    def export_headers(self) -> list:
        return [
            _("Code"),
            _("Supplier"),
            _("Total"),
            _("Reconciled"),
            _("Remaining"),
            _("Open items"),
            _("Paid"),
        ]

    def export_rows(self, qs, fmt: str) -> HttpResponse:
        balances = selectors.supplier_balances(list(qs[: self.export_limit]))
        rows = (
            [b.supplier.code, b.supplier.name, b.total, b.reconciled, b.remaining, b.open_items, b.paid]
            for b in balances
        )
        return export_response(name=self.export_name, fmt=fmt, headers=self.export_headers(), rows=rows)

    def get_queryset(self):
        return suppliers_by_code()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["balances"] = selectors.supplier_balances(list(ctx["page_obj"].object_list))
        return ctx


class StatementListView(PermissionRequiredMixin, ListExportMixin, ListView):
    permission_required = VIEW
    template_name = "reconciliation/statement_list.html"
    paginate_by = PAGE
    export_name = "statements"
    export_permission = VIEW

    def export_headers(self) -> list:
        return [
            _("Statement"),
            _("Supplier"),
            _("Period from"),
            _("Period to"),
            _("State"),
            _("Lines"),
            _("Total"),
            _("Created by"),
            _("Reconciled on"),
        ]

    def export_row(self, s) -> list:
        return [
            s.number,
            s.supplier.name,
            s.period_start,
            s.period_end,
            s.get_status_display(),
            s.line_count,
            s.total,
            str(s.created_by or ""),
            s.reconciled_on,
        ]

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
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
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
        # The builder opens filtered to the statement's period.
        url = reverse("reconciliation:statement-detail", args=[statement.pk])
        query = {k: v for k, v in (("date_from", data["period_start"]), ("date_to", data["period_end"])) if v}
        if query:
            url += "?" + "&".join(f"{k}={v.isoformat()}" for k, v in query.items())
        return redirect(url)


def _items_tab(request, statement: SupplierStatement, item_filter) -> tuple[str, object]:
    """The builder's tab (a draft's open items, or the statement's lines) and the items it lists."""
    tab = request.GET.get("tab") or ("open" if statement.is_draft else "lines")
    if tab == "open" and statement.is_draft:
        return tab, selectors.open_items(supplier_id=statement.supplier_id, filters=item_filter)
    return "lines", selectors.statement_items(statement_id=statement.pk, filters=item_filter)


def _permissions(user, statement: SupplierStatement) -> dict:
    """Which actions the page offers: only those the user may take in the statement's state."""
    status = statement.status
    return {
        "can_edit": statement.is_draft and user.has_perm(EDIT),
        "can_submit": statement.is_draft and user.has_perm(EDIT),
        "can_reopen": status == StatementStatus.REJECTED and user.has_perm(EDIT),
        "can_approve": status == StatementStatus.SUBMITTED and user.has_perm(APPROVE),
        "can_settle": status == StatementStatus.APPROVED and user.has_perm("reconciliation.add_settlement"),
        "can_upload": statement.is_draft and user.has_perm("reconciliation.add_supplierbill"),
    }


def detail_context(request, statement: SupplierStatement, **overrides) -> dict:
    """Everything the statement page shows; a fixed number of queries whatever the number of items."""
    filters = ItemFilterForm(request.GET or None)
    tab, items = _items_tab(request, statement, filters.to_filter())
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
        "settlements": selectors.statement_settlements(statement),
        "querystring": query.urlencode(),
        **_permissions(request.user, statement),
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
        status = 200
        try:
            self._change(request, statement)
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

    def _change(self, request, statement: SupplierStatement) -> None:
        action = request.POST.get("action", "select")
        ids = [
            int(i) for i in (request.POST.getlist("toggle") or request.POST.getlist("item")) if i.isdigit()
        ]
        service = services.statement_select if action == "select" else services.statement_deselect
        if request.POST.get("scope", "ids") == "filter":
            filters = ItemFilterForm(request.POST).to_filter()
            totals = service(statement_id=statement.pk, filters=filters, by=request.user)
        elif ids:
            totals = service(statement_id=statement.pk, item_ids=ids, by=request.user)
        else:
            if not request.htmx:
                messages.warning(request, _("Tick the items first, or use “select all matching”."))
            return
        if not request.htmx:
            verb = _("added to") if action == "select" else _("taken off")
            messages.success(
                request,
                _("%(count)d items %(verb)s the statement; total now %(total)s in %(lines)d lines.")
                % {"count": totals.changed, "verb": verb, "total": totals.total, "lines": totals.line_count},
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
        try:
            steps = {"submit": self._submit, "approve": self._approve, "reject": self._reject}
            text = steps.get(action, self._reopen)(request, pk)
        except DomainError as exc:
            _refuse(request, exc)
            statement.refresh_from_db()
            ctx = detail_context(request, statement)
            if action == "reject":
                form = RejectForm(request.POST)
                form.is_valid()
                _form_errors(exc, form)
                ctx["reject_form"] = form
            return render(request, "reconciliation/statement_detail.html", ctx, status=exc.http_status)
        messages.success(request, text)
        return redirect("reconciliation:statement-detail", pk=pk)

    def _submit(self, request, pk: int) -> str:
        services.statement_submit(statement_id=pk, by=request.user, note=request.POST.get("note", ""))
        return _("Submitted: the finance manager has been notified.")

    def _approve(self, request, pk: int) -> str:
        services.statement_approve(statement_id=pk, by=request.user, note=request.POST.get("note", ""))
        return _("Approved: every item on the statement is reconciled today.")

    def _reject(self, request, pk: int) -> str:
        form = RejectForm(request.POST)
        services.statement_reject(statement_id=pk, reason=form.data.get("reason", ""), by=request.user)
        return _(
            "Rejected: its items are open again (other statements may take them) and the clerk "
            "sees your reason on the statement."
        )

    def _reopen(self, request, pk: int) -> str:
        reopened = services.statement_reopen(statement_id=pk, by=request.user)
        if reopened.restored == reopened.released:
            text = _("The statement is a draft again with its %(count)d items: correct it and submit it.")
        else:
            text = _(
                "The statement is a draft again with %(restored)d of the %(count)d items it held "
                "(the others went on another statement meanwhile): correct it and submit it."
            )
        return text % {"restored": reopened.restored, "count": reopened.released}


class SettlementCreateView(PermissionRequiredMixin, View):
    permission_required = "reconciliation.add_settlement"

    def post(self, request, pk: int):
        statement = _statement(pk)
        form = SettlementForm(request.POST)
        if form.is_valid():
            try:
                services.settlement_record(statement_id=pk, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                _refuse_form(request, exc, form)
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
