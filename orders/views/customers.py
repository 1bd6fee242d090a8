"""Customer screens: the list, the profile, preferences, merging a duplicate and anonymising on request."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
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
from orders.choices import BADGE_COLOURS
from orders.forms import CustomerAnonymiseForm, CustomerEditForm, CustomerMergeForm, CustomerSearchForm
from orders.models import Customer
from orders.panels import customer_panels
from orders.selectors import customer_duplicates, customer_orders, customer_summary, customers_for_list
from orders.views._common import EXPORT_LIMIT, page_of


def _customer_or_404(pk: int) -> Customer:
    try:
        return Customer.objects.select_related("merged_into").get(pk=pk)
    except Customer.DoesNotExist as exc:
        raise Http404(_("No such customer.")) from exc


CUSTOMER_EXPORT_HEADERS = [
    gettext_lazy("Customer"),
    gettext_lazy("Name"),
    gettext_lazy("Phone"),
    gettext_lazy("E-mail"),
    gettext_lazy("VIP"),
    gettext_lazy("Blacklisted"),
    gettext_lazy("Orders"),
    gettext_lazy("Last order"),
]


def _customer_export_row(c) -> list:
    # Exports leave the screen: personal data is always masked in them.
    anonymised = bool(c.anonymised_at)
    return [
        c.pk,
        "" if anonymised else mask(c.name, "name"),
        "" if anonymised else mask(c.phone, "phone"),
        "" if anonymised else mask(c.email, "email"),
        bool(c.is_vip),
        bool(c.is_blacklisted),
        c.order_count,
        timezone.localtime(c.last_order_at).strftime("%Y-%m-%d %H:%M") if c.last_order_at else "",
    ]


class CustomerListView(PermissionRequiredMixin, View):
    permission_required = "orders.view_customer"

    def get(self, request):
        form = CustomerSearchForm(request.GET or None)
        q = form.cleaned_data["q"] if form.is_valid() else ""
        fmt = request.GET.get("export")
        if fmt in ("csv", "xlsx"):
            if not request.user.has_perm("orders.export_order"):
                raise PermissionDenied
            rows = (_customer_export_row(c) for c in customers_for_list(q=q)[:EXPORT_LIMIT].iterator(2000))
            return export_response(name="customers", fmt=fmt, headers=CUSTOMER_EXPORT_HEADERS, rows=rows)
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
