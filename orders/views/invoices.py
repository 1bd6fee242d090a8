"""Invoice screens: the request, the list and its XLSX export, the invoice page and its actions.

The request starts from the order page; the export is for the tax system; the actions are issue, send, void.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.audit import timeline_for
from oms.exceptions import DomainError
from oms.exports import export_response
from oms.privacy import can_view_personal_data, mask
from orders import services
from orders.choices import INVOICE_BADGES, InvoiceStatus, InvoiceType
from orders.forms import InvoiceFilterForm, InvoiceIssueForm, InvoiceRequestForm, InvoiceVoidForm
from orders.models import Invoice, Order
from orders.selectors import invoice_detail, invoices_for_list
from orders.views._common import EXPORT_LIMIT, page_of


class InvoiceRequestView(PermissionRequiredMixin, View):
    permission_required = "orders.request_invoice"
    template_name = "orders/invoice_request.html"

    def _ctx(self, order, form) -> dict:
        return {"order": order, "form": form, "invoiceable": services.order_invoiceable(order_id=order.pk)}

    def get(self, request, pk: int):
        order = get_object_or_404(Order.objects.select_related("channel", "customer"), pk=pk)
        return render(request, self.template_name, self._ctx(order, InvoiceRequestForm()))

    def post(self, request, pk: int):
        order = get_object_or_404(Order.objects.select_related("channel", "customer"), pk=pk)
        form = InvoiceRequestForm(request.POST)
        if form.is_valid():
            try:
                invoice = services.invoice_request(order_id=order.pk, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.put_domain_error(exc)
            else:
                messages.success(
                    request,
                    _("Invoice requested for order %(number)s; finance issues it.")
                    % {"number": order.number},
                )
                return HttpResponseRedirect(reverse("orders:invoice-detail", args=[invoice.pk]))
        form._style()
        return render(request, self.template_name, self._ctx(order, form), status=400)


INVOICE_SORTS = {
    "-created": ("-created_at", "-pk"),
    "issued": ("-issued_on", "-pk"),
    "amount": ("-amount", "-pk"),
}


class InvoiceListView(PermissionRequiredMixin, View):
    permission_required = "orders.view_invoice"

    def get(self, request):
        form = InvoiceFilterForm(request.GET or None)
        qs = invoices_for_list()
        if form.is_bound and form.is_valid():
            qs = _filtered(qs, form.cleaned_data)
        elif form.is_bound:
            messages.error(request, _("Some filters were not understood; showing everything."))
        qs = qs.order_by(*INVOICE_SORTS.get(request.GET.get("sort", ""), INVOICE_SORTS["-created"]))
        if request.GET.get("export") == "xlsx":
            if not request.user.has_perm("orders.export_invoice"):
                raise PermissionDenied
            return export_invoices(qs)
        return render(
            request,
            "orders/invoice_list.html",
            {"form": form, "page": page_of(qs, request), "badges": INVOICE_BADGES},
        )


def _filtered(qs, cd: dict):
    if cd["status"]:
        qs = qs.filter(status=cd["status"])
    if cd["invoice_type"]:
        qs = qs.filter(invoice_type=cd["invoice_type"])
    if cd["date_from"]:
        qs = qs.filter(issued_on__gte=cd["date_from"])
    if cd["date_to"]:
        qs = qs.filter(issued_on__lte=cd["date_to"])
    q = cd["q"].strip()
    if q:
        qs = qs.filter(Q(number=q) | Q(order__number=q.upper()) | Q(title__startswith=q))
    return qs


INVOICE_EXPORT_HEADERS = [
    gettext_lazy("Invoice number"),
    gettext_lazy("Invoice date"),
    gettext_lazy("Type"),
    gettext_lazy("Invoice title"),
    gettext_lazy("Taxpayer id"),
    gettext_lazy("Amount"),
    gettext_lazy("Currency"),
    gettext_lazy("Status"),
    gettext_lazy("Order number"),
    gettext_lazy("Channel"),
    gettext_lazy("Red-letter invoice number"),
    gettext_lazy("Void reason"),
    gettext_lazy("E-mail"),
]
INVOICE_EXPORT_COLUMNS = (
    "number",
    "issued_on",
    "invoice_type",
    "title",
    "taxpayer_id",
    "amount",
    "currency",
    "status",
    "order__number",
    "order__channel__name",
    "red_letter_number",
    "void_reason",
    "email",
)


def export_invoices(qs) -> HttpResponse:
    """The invoices for the tax system, one row each; the e-mail (personal data) is masked."""
    types, statuses = dict(InvoiceType.choices), dict(InvoiceStatus.choices)

    def row(values) -> list:
        values = list(values)
        values[1] = values[1].isoformat() if values[1] else ""
        values[2] = str(types.get(values[2], values[2]))
        # The tax system reads the amount as text, as it always has.
        values[5] = str(values[5]) if values[5] is not None else ""
        values[7] = str(statuses.get(values[7], values[7]))
        values[12] = mask(values[12], "email")
        return values

    values = qs.values_list(*INVOICE_EXPORT_COLUMNS)[:EXPORT_LIMIT].iterator(chunk_size=2000)
    return export_response(
        name="invoices", fmt="xlsx", headers=INVOICE_EXPORT_HEADERS, rows=(row(v) for v in values)
    )


INVOICE_ACTIONS = ("issue", "send", "void")


class InvoiceDetailView(PermissionRequiredMixin, View):
    permission_required = "orders.view_invoice"
    template_name = "orders/invoice_detail.html"

    @staticmethod
    def context(request, invoice, forms: dict | None = None) -> dict:
        forms = forms or {}
        allowed = {t.name for t in invoice.get_available_user_status_transitions(request.user)}
        due = services.order_invoiceable(order_id=invoice.order_id)
        actions = {}
        if "issue" in allowed:
            actions["issue"] = forms.get("issue") or InvoiceIssueForm(
                initial={"amount": due.amount, "issued_on": timezone.localdate()}
            )
        if "send" in allowed:
            actions["send"] = True
        if "void" in allowed:
            actions["void"] = forms.get("void") or InvoiceVoidForm()
        return {
            "invoice": invoice,
            "order": invoice.order,
            "badge": INVOICE_BADGES.get(invoice.status, "secondary"),
            "actions": actions,
            "invoiceable": due,
            "timeline": timeline_for(invoice),
            "can_see_pii": can_view_personal_data(request.user),
        }

    def get(self, request, pk: int):
        try:
            invoice = invoice_detail(pk=pk)
        except Invoice.DoesNotExist as exc:
            raise Http404(_("No such invoice.")) from exc
        return render(request, self.template_name, self.context(request, invoice))


class InvoiceActionView(PermissionRequiredMixin, View):
    permission_required = "orders.issue_invoice"

    def post(self, request, pk: int, action: str):
        if action not in INVOICE_ACTIONS:
            raise Http404
        invoice = get_object_or_404(Invoice.objects.only("pk"), pk=pk)
        form = None
        try:
            if action == "issue":
                form = InvoiceIssueForm(request.POST)
                if form.is_valid():
                    invoice = services.invoice_issue(invoice_id=pk, by=request.user, **form.cleaned_data)
                    messages.success(request, _("Invoice %(number)s issued.") % {"number": invoice.number})
            elif action == "send":
                invoice = services.invoice_send(invoice_id=pk, by=request.user)
                messages.success(
                    request,
                    _("Invoice %(number)s queued for e-mail to the customer.") % {"number": invoice.number},
                )
            else:
                form = InvoiceVoidForm(request.POST)
                if form.is_valid():
                    invoice = services.invoice_void(invoice_id=pk, by=request.user, **form.cleaned_data)
                    messages.success(request, _("Invoice %(invoice)s voided.") % {"invoice": str(invoice)})
        except DomainError as exc:
            if form is None:
                messages.error(request, exc.message)
                return HttpResponseRedirect(reverse("orders:invoice-detail", args=[pk]))
            form.put_domain_error(exc)
        if form is not None and form.errors:
            form._style()
            ctx = InvoiceDetailView.context(request, invoice_detail(pk=pk), {action: form})
            return render(request, InvoiceDetailView.template_name, ctx, status=400)
        return HttpResponseRedirect(reverse("orders:invoice-detail", args=[pk]))
