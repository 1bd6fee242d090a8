"""Screens of the orders app: lists and queues, the order page and its actions, the manual form, import;
customers (list, profile, preferences, merge, anonymise) and invoices (request, list, export, detail).

Views stay thin: a selector and a filterset to read, a service to write; refusals become messages.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

import tablib
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from oms.audit import timeline_for
from oms.exceptions import DomainError
from oms.privacy import can_view_personal_data, mask
from orders import services
from orders.choices import BADGE_COLOURS, INVOICE_BADGES, InvoiceStatus, InvoiceType, OrderSource, OrderStatus
from orders.filters import OrderFilter
from orders.forms import (
    LINE_PATH,
    BulkReviewForm,
    CustomerAnonymiseForm,
    CustomerEditForm,
    CustomerMergeForm,
    CustomerSearchForm,
    ImportUploadForm,
    InvoiceFilterForm,
    InvoiceIssueForm,
    InvoiceRequestForm,
    InvoiceVoidForm,
    LineFormSet,
    ManualOrderForm,
    ReasonForm,
)
from orders.models import Customer, Invoice, Order
from orders.panels import customer_panels, order_panels
from orders.rules import reason_label
from orders.selectors import (
    customer_duplicates,
    customer_history,
    customer_orders,
    customer_summary,
    customers_for_list,
    exception_counts,
    invoice_detail,
    invoices_for_list,
    order_detail,
    orders_awaiting_review,
    orders_exceptions,
    orders_for_list,
)
from orders.validation import sku_lookup

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


def page_of(qs, request, size: int = PAGE_SIZE):
    """Offset page without COUNT(*): fetch one row more to know whether a next page exists."""
    try:
        page = min(max(1, int(request.GET.get("page", 1))), 1_000_000)
    except ValueError:
        page = 1
    start = (page - 1) * size
    # Skip rows on the order table alone (its queue index), then load the page with its joins:
    # joining 50,000 skipped rows is what makes deep offsets slow.
    ids = list(qs.values_list("pk", flat=True)[start : start + size + 1])
    by_pk = {o.pk: o for o in qs.order_by().filter(pk__in=ids)} if ids else {}
    rows = [by_pk[pk] for pk in ids if pk in by_pk]
    return {"rows": rows[:size], "number": page, "has_next": len(rows) > size, "has_previous": page > 1}


def badge(status: str) -> str:
    return BADGE_COLOURS.get(status, "secondary")


# --------------------------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------------------------


class OrderListView(PermissionRequiredMixin, View):
    permission_required = "orders.view_order"
    template_name = "orders/order_list.html"
    title = _("Orders")

    def base_queryset(self):
        return orders_for_list()

    def get(self, request):
        filterset = OrderFilter(request.GET or None, queryset=self.base_queryset())
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else self.base_queryset()
        if filterset.is_bound and not filterset.is_valid():
            messages.error(request, _("Some filters were not understood; showing everything."))
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            if not request.user.has_perm("orders.export_order"):
                raise PermissionDenied
            return export_orders(qs, export)
        return render(request, self.template_name, self.context(request, filterset, page_of(qs, request)))

    def context(self, request, filterset, page) -> dict:
        return {"filter": filterset, "page": page, "title": self.title, "badge_colours": BADGE_COLOURS}


def export_orders(qs, fmt: str) -> HttpResponse:
    headers = [
        _("Order number"),
        _("Channel"),
        _("Channel order id"),
        _("Status"),
        _("Priority"),
        _("Customer"),
        _("Phone"),
        _("Province"),
        _("Total"),
        _("Currency"),
        _("Placed"),
        _("Paid"),
    ]
    labels = dict(OrderStatus.choices)
    rows = (
        qs.prefetch_related(None)
        .values_list(
            "number",
            "channel__name",
            "external_id",
            "status",
            "priority",
            "customer__name",
            "contact_phone",
            "province",
            "total",
            "currency",
            "placed_at",
            "paid_at",
        )[:EXPORT_LIMIT]
        .iterator(chunk_size=2000)
    )

    def row(values):
        values = list(values)
        values[3] = str(labels.get(values[3], values[3]))
        # Exports leave the screen: personal data is always masked in them (full views go through the
        # logged reveal on the order page, one record at a time).
        values[5] = mask(values[5], "name")
        values[6] = mask(values[6], "phone")
        values[10] = timezone.localtime(values[10]).strftime("%Y-%m-%d %H:%M") if values[10] else ""
        values[11] = timezone.localtime(values[11]).strftime("%Y-%m-%d %H:%M") if values[11] else ""
        return values

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":

        def stream():
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            buffer.write("\ufeff")  # Excel opens UTF-8 Chinese correctly with a BOM
            writer.writerow([str(h) for h in headers])
            for values in rows:
                writer.writerow(row(values))
                if buffer.tell() > 65536:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue()

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
        return response
    data = tablib.Dataset(headers=[str(h) for h in headers])
    for values in rows:
        data.append([str(v) if isinstance(v, Decimal) else v for v in row(values)])
    response = HttpResponse(
        data.export("xlsx"), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.xlsx"'
    return response


class ReviewQueueView(OrderListView):
    template_name = "orders/review_queue.html"
    title = _("Review queue")

    def base_queryset(self):
        user = self.request.user
        finance_only = user.has_perm("orders.finance_review_order") and not user.has_perm(
            "orders.review_order"
        )
        return orders_awaiting_review(finance_only=finance_only)

    def context(self, request, filterset, page) -> dict:
        ctx = super().context(request, filterset, page)
        ctx["can_bulk"] = request.user.has_perm("orders.review_order") or request.user.has_perm(
            "orders.finance_review_order"
        )
        for order in page["rows"]:
            order.reasons = [reason_label(r) for r in order.review_reasons]
        return ctx


class ExceptionQueueView(OrderListView):
    template_name = "orders/exception_queue.html"
    title = _("Exceptions")

    def base_queryset(self):
        return orders_exceptions(kind=self.request.GET.get("kind", ""))

    def context(self, request, filterset, page) -> dict:
        ctx = super().context(request, filterset, page)
        ctx["counts"] = exception_counts()
        ctx["kind"] = request.GET.get("kind", "")
        now = timezone.now()
        for order in page["rows"]:
            order.is_late = bool(
                order.paid_at
                and order.status not in (OrderStatus.ON_HOLD, OrderStatus.BACKORDERED)
                and (now - order.paid_at).total_seconds() > order.channel.sla_hours * 3600
            )
        return ctx


class BulkApproveView(PermissionRequiredMixin, View):
    def has_permission(self):
        user = self.request.user
        return user.has_perm("orders.review_order") or user.has_perm("orders.finance_review_order")

    def post(self, request):
        ids = request.POST.getlist("orders")
        form = BulkReviewForm(request.POST, ids=ids)
        if not form.is_valid():
            messages.error(request, _("Select at least one order to approve."))
            return HttpResponseRedirect(reverse("orders:review"))
        approved, refused = services.orders_bulk_approve(
            order_ids=form.cleaned_data["orders"], by=request.user, note=form.cleaned_data["note"]
        )
        if approved:
            messages.success(
                request,
                _("%(n)s orders approved: %(numbers)s")
                % {"n": len(approved), "numbers": ", ".join(o.number for o in approved)},
            )
        for message in refused.values():
            messages.error(request, message)
        return HttpResponseRedirect(reverse("orders:review"))


# --------------------------------------------------------------------------------------------
# The order page and its actions
# --------------------------------------------------------------------------------------------

# transition name -> the action on the page
TRANSITION_ACTIONS = {
    "approve": "approve",
    "send_to_finance": "approve",
    "finance_approve": "approve",
    "reject": "reject",
    "finance_reject": "reject",
    "hold": "hold",
    "resume": "resume",
    "cancel": "cancel",
    "allocate": "allocate",
    "deallocate": "reallocate",
}
ACTIONS = {
    # action: (label, needs a reason, button colour, permissions (any of))
    "approve": (_("Approve"), False, "success", ("orders.review_order", "orders.finance_review_order")),
    "reject": (_("Reject"), True, "danger", ("orders.review_order", "orders.finance_review_order")),
    "hold": (_("Hold"), True, "warning", ("orders.hold_order",)),
    "resume": (_("Resume"), False, "primary", ("orders.hold_order",)),
    "cancel": (_("Cancel order"), True, "outline-danger", ("orders.cancel_order",)),
    "allocate": (_("Allocate now"), False, "primary", ("orders.allocate_order",)),
    "reallocate": (_("Re-allocate"), False, "outline-primary", ("orders.allocate_order",)),
    "reship": (_("Reship (copy)"), True, "outline-secondary", ("orders.add_order",)),
}
ACTION_ORDER = list(ACTIONS)


def actions_for(order: Order, user) -> list[dict]:
    names = {
        TRANSITION_ACTIONS[t.name]
        for t in order.get_available_user_status_transitions(user)
        if t.name in TRANSITION_ACTIONS
    }
    if order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED) and user.has_perm(
        "orders.add_order"
    ):
        names.add("reship")
    out = []
    for name in ACTION_ORDER:
        if name in names:
            label, needs_reason, colour, _perms = ACTIONS[name]
            out.append({"name": name, "label": label, "needs_reason": needs_reason, "colour": colour})
    return out


class OrderDetailView(PermissionRequiredMixin, View):
    permission_required = "orders.view_order"

    def get(self, request, pk: int):
        try:
            order = order_detail(pk=pk)
        except Order.DoesNotExist as exc:
            raise Http404(_("No such order.")) from exc
        explanation = order.allocation_explanation or {}
        return render(
            request,
            "orders/order_detail.html",
            {
                "order": order,
                "badge": badge(order.status),
                "actions": actions_for(order, request.user),
                "timeline": timeline_for(order),
                "history": customer_history(order.customer_id),
                "risk_reasons": [
                    {**r, "label": reason_label(r.get("reason", ""))}
                    for r in order.risk_reasons
                    if isinstance(r, dict)
                ],
                "review_reasons": [reason_label(r) for r in order.review_reasons],
                "priority_reasons": [reason_label(r) for r in order.priority_reasons],
                "explanation": explanation,
                "can_see_pii": can_view_personal_data(request.user),
                "panels": order_panels(order, request),
            },
        )


class OrderActionView(PermissionRequiredMixin, View):
    def has_permission(self):
        action = self.kwargs["action"]
        if action not in ACTIONS:
            raise Http404
        return any(self.request.user.has_perm(p) for p in ACTIONS[action][3])

    def post(self, request, pk: int, action: str):
        order = get_object_or_404(Order.objects.only("pk", "number"), pk=pk)
        form = ReasonForm(request.POST)
        reason = form.data.get("reason", "").strip()[:300] if form.is_valid() else ""
        try:
            result = self.run(action, order.pk, request.user, reason)
        except DomainError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse("orders:detail", args=[order.pk]))
        if action == "reship":
            messages.success(request, _("Reship order %(number)s created.") % {"number": result.number})
            return HttpResponseRedirect(reverse("orders:detail", args=[result.pk]))
        messages.success(
            request,
            _("%(number)s: %(action)s done, now %(status)s.")
            % {"number": result.number, "action": ACTIONS[action][0], "status": result.get_status_display()},
        )
        return HttpResponseRedirect(request.POST.get("next") or reverse("orders:detail", args=[order.pk]))

    @staticmethod
    def run(action: str, order_id: int, user, reason: str) -> Order:
        if action == "approve":
            return services.order_approve(order_id=order_id, by=user, note=reason)
        if action == "reject":
            return services.order_reject(order_id=order_id, by=user, reason=reason)
        if action == "hold":
            return services.order_hold(order_id=order_id, by=user, reason=reason)
        if action == "resume":
            return services.order_resume(order_id=order_id, by=user, note=reason)
        if action == "cancel":
            return services.order_cancel(order_id=order_id, by=user, reason=reason)
        if action == "allocate":
            return services.order_allocate(order_id=order_id, by=user)
        if action == "reallocate":
            return services.order_reallocate(order_id=order_id, by=user)
        if action == "reship":
            return services.order_reship(order_id=order_id, by=user, reason=reason)
        raise Http404


# --------------------------------------------------------------------------------------------
# Manual (phone) order
# --------------------------------------------------------------------------------------------


class ManualOrderView(PermissionRequiredMixin, View):
    permission_required = "orders.add_order"
    template_name = "orders/order_form.html"

    def get(self, request):
        return render(
            request, self.template_name, {"form": ManualOrderForm(), "formset": LineFormSet(prefix="lines")}
        )

    def post(self, request):
        form = ManualOrderForm(request.POST)
        formset = LineFormSet(request.POST, prefix="lines")
        if not (form.is_valid() and formset.is_valid()):
            return self.refuse(form, formset)
        data, line_forms = self.order_data(form.cleaned_data, formset)
        result = services.order_intake(
            channel=form.cleaned_data["channel"], data=data, by=request.user, source=OrderSource.MANUAL
        )
        if result.errors:
            self.put_errors(result.errors, form, formset, line_forms)
            return self.refuse(form, formset)
        order = result.order
        if not result.created:
            messages.warning(
                request, _("This channel order id already exists: %(number)s.") % {"number": order.number}
            )
        else:
            messages.success(
                request,
                _("Order %(number)s created: %(status)s.")
                % {"number": order.number, "status": order.get_status_display()},
            )
        return HttpResponseRedirect(reverse("orders:detail", args=[order.pk]))

    def refuse(self, form, formset):
        form.restyle()
        for line_form in formset.forms:
            line_form._style()
        messages.error(self.request, _("The order was not saved: correct the fields marked in red."))
        return render(self.request, self.template_name, {"form": form, "formset": formset}, status=400)

    @staticmethod
    def order_data(cd: dict, formset) -> tuple[dict, list]:
        line_forms = [f for f in formset.forms if not f.is_blank()]
        prices = sku_lookup((f.cleaned_data.get("sku") or "").strip() for f in line_forms)
        lines = []
        for f in line_forms:
            code = (f.cleaned_data.get("sku") or "").strip()
            price = (f.cleaned_data.get("unit_price") or "").strip()
            if not price and code in prices:
                price = str(prices[code].price)
            lines.append(
                {"sku": code, "quantity": (f.cleaned_data.get("quantity") or "").strip(), "unit_price": price}
            )
        amount = (cd.get("payment_amount") or "").strip()
        if not amount:
            try:
                total = sum(
                    (Decimal(line["unit_price"]) * int(line["quantity"]) for line in lines), Decimal("0")
                )
                amount = str(
                    total + Decimal(cd.get("shipping_fee") or "0") - Decimal(cd.get("discount") or "0")
                )
            except (InvalidOperation, ValueError, ArithmeticError):
                amount = ""  # the intake names the field at fault
        data = {
            "external_id": cd.get("external_id", ""),
            "customer": {
                "name": cd["customer_name"],
                "phone": cd["customer_phone"],
                "email": cd["customer_email"],
            },
            "shipping_address": {
                "name": cd["address_name"],
                "phone": cd["address_phone"],
                "province": cd["province"],
                "city": cd["city"],
                "district": cd["district"],
                "line1": cd["line1"],
                "postcode": cd["postcode"],
            },
            "lines": lines,
            "shipping_fee": cd.get("shipping_fee") or "0.00",
            "discount": cd.get("discount") or "0.00",
            "payment": {
                "method": cd["payment_method"],
                "status": cd["payment_status"],
                "amount": amount,
                "transaction_id": cd.get("transaction_id", ""),
            },
            "flags": {"urgent": bool(cd.get("urgent")), "promotion": cd.get("promotion", "")},
            "note": cd.get("note", ""),
        }
        return data, line_forms

    @staticmethod
    def put_errors(errors: dict, form, formset, line_forms) -> None:
        for path, messages_ in errors.items():
            match = LINE_PATH.match(path)
            if match and int(match.group(1)) < len(line_forms):
                target, name = line_forms[int(match.group(1))], match.group(2)
                for message in messages_:
                    target.add_error(name if name in target.fields else None, message)
            elif path in ManualOrderForm.PATHS:
                for message in messages_:
                    form.add_error(ManualOrderForm.PATHS[path], message)
            elif path == "lines":
                for message in messages_:
                    form.add_error(None, message)
            else:
                for message in messages_:
                    form.add_error(None, f"{path}: {message}")


# --------------------------------------------------------------------------------------------
# Import: upload, preview (dry run), import the good rows
# --------------------------------------------------------------------------------------------


class ImportView(PermissionRequiredMixin, View):
    permission_required = "orders.import_order"
    template_name = "orders/import.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ImportUploadForm()})

    def post(self, request):
        from orders.importers import import_preview_store

        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        channel = form.cleaned_data["channel"]
        upload = form.cleaned_data["file"]
        token = import_preview_store(
            upload=upload, channel_id=channel.pk if channel else None, user=request.user
        )
        return HttpResponseRedirect(reverse("orders:import-preview", args=[token]))


class ImportPreviewView(PermissionRequiredMixin, View):
    permission_required = "orders.import_order"
    template_name = "orders/import_preview.html"

    def get(self, request, token: str):
        from orders.importers import ImportNotFound, import_preview_load

        try:
            stored = import_preview_load(token=token, user=request.user)
        except ImportNotFound as exc:
            raise Http404(str(exc)) from exc
        report = stored.check()
        if request.GET.get("download") == "bad":
            return bad_rows_csv(report)
        return render(request, self.template_name, {"report": report, "token": token})

    def post(self, request, token: str):
        from orders.importers import ImportNotFound, import_preview_load

        try:
            stored = import_preview_load(token=token, user=request.user)
        except ImportNotFound as exc:
            raise Http404(str(exc)) from exc
        report = stored.run(by=request.user, good_rows_only=True)
        messages.success(
            request,
            _("%(written)s orders imported, %(existing)s already there, %(bad)s bad rows left out.")
            % {"written": report.written, "existing": report.existing, "bad": len(report.errors)},
        )
        stored.delete()
        return HttpResponseRedirect(reverse("orders:list") + "?status=&q=")


def bad_rows_csv(report) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="bad-rows.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("row"), _("reason"), *report.headers])
    for row in report.bad_rows:
        writer.writerow([row["row"], row["message"], *row["values"]])
    return response


# --------------------------------------------------------------------------------------------
# Customers: list, profile, preferences, merge, anonymise
# --------------------------------------------------------------------------------------------


def _customer_or_404(pk: int) -> Customer:
    try:
        return Customer.objects.select_related("merged_into").get(pk=pk)
    except Customer.DoesNotExist as exc:
        raise Http404(_("No such customer.")) from exc


class CustomerListView(PermissionRequiredMixin, View):
    permission_required = "orders.view_customer"

    def get(self, request):
        form = CustomerSearchForm(request.GET or None)
        q = form.cleaned_data["q"] if form.is_valid() else ""
        page = page_of(customers_for_list(q=q), request)
        return render(request, "orders/customer_list.html", {"form": form, "q": q, "page": page})


class CustomerDetailView(PermissionRequiredMixin, View):
    permission_required = "orders.view_customer"

    def get(self, request, pk: int):
        customer = _customer_or_404(pk)
        if customer.merged_into_id:
            messages.info(
                request,
                _("Customer #%(pk)s was merged into this customer.") % {"pk": customer.pk},
            )
            return HttpResponseRedirect(reverse("orders:customer-detail", args=[customer.merged_into_id]))
        user = request.user
        return render(
            request,
            "orders/customer_detail.html",
            {
                "customer": customer,
                "summary": customer_summary(customer),
                "orders": customer_orders(customer),
                "addresses": list(customer.addresses.order_by("-pk")[:20]),
                "merged": list(customer.merged_duplicates.order_by("pk")),
                "duplicates": list(customer_duplicates(customer))
                if user.has_perm("orders.merge_customer") and not customer.anonymised_at
                else [],
                "badge_colours": BADGE_COLOURS,
                "can_see_pii": can_view_personal_data(user) and not customer.anonymised_at,
                "panels": customer_panels(customer, request),
                "timeline": timeline_for(customer),
            },
        )


class CustomerEditView(PermissionRequiredMixin, View):
    permission_required = "orders.change_customer"
    template_name = "orders/customer_form.html"

    def get(self, request, pk: int):
        customer = _customer_or_404(pk)
        form = CustomerEditForm(initial={f: getattr(customer, f) for f in services.CUSTOMER_EDITABLE})
        return render(request, self.template_name, {"customer": customer, "form": form})

    def post(self, request, pk: int):
        customer = _customer_or_404(pk)
        form = CustomerEditForm(request.POST)
        if form.is_valid():
            try:
                services.customer_update(customer_id=customer.pk, data=form.cleaned_data, by=request.user)
            except DomainError as exc:
                form.put_domain_error(exc)
            else:
                messages.success(request, _("Customer saved."))
                return HttpResponseRedirect(reverse("orders:customer-detail", args=[customer.pk]))
        form._style()
        return render(request, self.template_name, {"customer": customer, "form": form}, status=400)


class CustomerMergeView(PermissionRequiredMixin, View):
    """Step 1: choose the duplicate (suggested or by number); step 2: compare both and confirm."""

    permission_required = "orders.merge_customer"
    template_name = "orders/customer_merge.html"

    def _ctx(self, customer, form, duplicate=None) -> dict:
        return {
            "customer": customer,
            "form": form,
            "duplicate": duplicate,
            "candidates": list(customer_duplicates(customer)),
            "keep_summary": customer_summary(customer),
            "duplicate_summary": customer_summary(duplicate) if duplicate else None,
        }

    def get(self, request, pk: int):
        customer = _customer_or_404(pk)
        initial = (
            {"duplicate": request.GET.get("duplicate")} if request.GET.get("duplicate", "").isdigit() else {}
        )
        return render(request, self.template_name, self._ctx(customer, CustomerMergeForm(initial=initial)))

    def post(self, request, pk: int):
        customer = _customer_or_404(pk)
        form = CustomerMergeForm(request.POST)
        if not form.is_valid():
            form._style()
            return render(request, self.template_name, self._ctx(customer, form), status=400)
        duplicate = Customer.objects.filter(pk=form.cleaned_data["duplicate"]).first()
        if duplicate is None:
            form.add_error("duplicate", _("No customer has this number: check it on the customer's page."))
            form._style()
            return render(request, self.template_name, self._ctx(customer, form), status=400)
        if not form.cleaned_data["confirm"]:
            # The comparison step: the user sees both records and confirms.
            return render(request, self.template_name, self._ctx(customer, form, duplicate))
        try:
            result = services.customer_merge(keep_id=customer.pk, duplicate_id=duplicate.pk, by=request.user)
        except DomainError as exc:
            form.put_domain_error(exc)
            return render(request, self.template_name, self._ctx(customer, form, duplicate), status=400)
        messages.success(
            request,
            _("Customer #%(dup)s merged into this customer: %(n)s orders moved.")
            % {"dup": duplicate.pk, "n": result.orders_moved},
        )
        return HttpResponseRedirect(reverse("orders:customer-detail", args=[customer.pk]))


class CustomerAnonymiseView(PermissionRequiredMixin, View):
    permission_required = "orders.anonymise_customer"
    template_name = "orders/customer_anonymise.html"

    def _ctx(self, customer, form) -> dict:
        return {"customer": customer, "form": form, "summary": customer_summary(customer)}

    def get(self, request, pk: int):
        customer = _customer_or_404(pk)
        return render(request, self.template_name, self._ctx(customer, CustomerAnonymiseForm()))

    def post(self, request, pk: int):
        customer = _customer_or_404(pk)
        form = CustomerAnonymiseForm(request.POST)
        if form.is_valid():
            try:
                services.customer_anonymise(
                    customer_id=customer.pk,
                    reason=form.cleaned_data["reason"],
                    confirm=form.cleaned_data["confirm"],
                    by=request.user,
                )
            except DomainError as exc:
                form.put_domain_error(exc)
            else:
                messages.success(
                    request, _("The customer's personal data was erased; orders and money are kept.")
                )
                return HttpResponseRedirect(reverse("orders:customer-detail", args=[customer.pk]))
        form._style()
        return render(request, self.template_name, self._ctx(customer, form), status=400)


# --------------------------------------------------------------------------------------------
# Invoices: request (from the order page), list and XLSX export, detail with its actions
# --------------------------------------------------------------------------------------------


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
            cd = form.cleaned_data
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


def export_invoices(qs) -> HttpResponse:
    """The invoices for the tax system, one row each; the e-mail (personal data) is masked."""
    headers = [
        _("Invoice number"),
        _("Invoice date"),
        _("Type"),
        _("Invoice title"),
        _("Taxpayer id"),
        _("Amount"),
        _("Currency"),
        _("Status"),
        _("Order number"),
        _("Channel"),
        _("Red-letter invoice number"),
        _("Void reason"),
        _("E-mail"),
    ]
    types, statuses = dict(InvoiceType.choices), dict(InvoiceStatus.choices)
    data = tablib.Dataset(headers=[str(h) for h in headers])
    rows = qs.values_list(
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
    )[:EXPORT_LIMIT]
    for values in rows.iterator(chunk_size=2000):
        values = list(values)
        values[1] = values[1].isoformat() if values[1] else ""
        values[2] = str(types.get(values[2], values[2]))
        values[5] = str(values[5]) if values[5] is not None else ""
        values[7] = str(statuses.get(values[7], values[7]))
        values[12] = mask(values[12], "email")
        data.append([v if v is not None else "" for v in values])
    response = HttpResponse(
        data.export("xlsx"), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="invoices-{stamp}.xlsx"'
    return response


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
