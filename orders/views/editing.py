"""Order edit, split and merge screens: the edit form with its lines (HTMX adds a row, looks a SKU up by code),
the split page, the merge action on the order page. Views stay thin: the services validate and write.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import View

from oms.exceptions import DomainError
from orders import services
from orders.choices import OrderStatus
from orders.forms_edit import (
    EditLineForm,
    EditLineFormSet,
    MergeForm,
    OrderEditForm,
    SplitForm,
    edit_data,
    put_edit_errors,
)
from orders.models import Order
from orders.selectors import order_detail
from orders.validation import sku_lookup

MAX_ROWS = 200


def _order(pk: int) -> Order:
    try:
        return order_detail(pk=pk)
    except Order.DoesNotExist as exc:
        raise Http404(_("No such order.")) from exc


def _money(amount) -> str:
    return number_format(amount, 2, force_grouping=True)


def change_context(order: Order, user) -> dict:
    """What the order page offers for changing the order: edit and split (or why not), the merge candidates."""
    if not user.has_perm("orders.edit_order"):
        return {}
    refusal = services.order_change_refusal(order)
    units = sum(line.quantity for line in order.lines.all())
    candidates = services.mergeable_orders(order)
    return {
        "can_edit": refusal is None,
        "can_split": refusal is None and units > 1,
        # Only the refusals that say what to do next (hold first, parcel packed) are worth showing.
        "change_hint": refusal
        if refusal and order.status in (OrderStatus.IN_FULFILLMENT, OrderStatus.ON_HOLD)
        else "",
        "merge_form": MergeForm(candidates=candidates) if candidates else None,
        "merge_candidates": candidates,
    }


def _wire(form: EditLineForm, order: Order) -> EditLineForm:
    """The SKU box looks the code up as the user leaves it (HTMX); the answer shows under it."""
    form.fields["sku"].widget.attrs.update(
        {
            "hx-get": reverse("orders:edit-sku", args=[order.pk]),
            "hx-trigger": "change",
            "hx-target": f"#sku-info-{form.prefix}",
        }
    )
    if "DELETE" in form.fields:
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"
    return form


class OrderEditView(PermissionRequiredMixin, View):
    permission_required = "orders.edit_order"
    template_name = "orders/order_edit.html"

    def get(self, request, pk: int):
        order = _order(pk)
        refusal = services.order_change_refusal(order)
        if refusal:
            messages.error(request, refusal)
            return HttpResponseRedirect(reverse("orders:detail", args=[pk]))
        form = OrderEditForm(initial=OrderEditForm.initial_for(order))
        formset = EditLineFormSet(
            prefix="lines",
            initial=[
                {"id": ln.pk, "sku": ln.sku_code, "quantity": ln.quantity, "unit_price": ln.unit_price}
                for ln in order.lines.all()
            ],
        )
        return self.page(order, form, formset)

    def post(self, request, pk: int):
        order = _order(pk)
        form = OrderEditForm(request.POST)
        formset = EditLineFormSet(request.POST, prefix="lines")
        if not (form.is_valid() and formset.is_valid()):
            put_edit_errors(
                {}, form, list(formset.forms), _("The order was not changed: correct the fields marked.")
            )
            return self.page(order, form, formset, status=400)
        data, line_forms = edit_data(form, formset)
        try:
            result = services.order_edit(
                order_id=pk, data=data, by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            put_edit_errors(exc.field_errors, form, line_forms, exc.message)
            if exc.field_errors:
                messages.error(request, exc.message)
            return self.page(order, form, formset, status=400)
        self.report(result)
        return HttpResponseRedirect(reverse("orders:detail", args=[pk]))

    def report(self, result) -> None:
        number = result.order.number
        if not result.changed:
            messages.info(self.request, _("%(number)s: nothing was changed.") % {"number": number})
            return
        messages.success(self.request, _("%(number)s changed.") % {"number": number})
        if result.parcels:
            messages.info(
                self.request,
                _("Parcel %(numbers)s was intercepted; a new parcel is made when the order is resumed.")
                % {"numbers": ", ".join(result.parcels)},
            )
        if result.payment_due:
            messages.warning(
                self.request,
                _("The new total is higher: the order is on hold until the customer pays %(due)s more.")
                % {"due": _money(result.payment_due)},
            )
        if result.refund:
            messages.warning(
                self.request,
                _("The new total is lower: a refund of %(amount)s is recorded for finance.")
                % {"amount": _money(result.refund)},
            )

    def page(self, order, form, formset, status: int = 200):
        for line_form in formset.forms:
            _wire(line_form, order)
        ctx = {"order": order, "form": form, "formset": formset, "next_index": formset.total_form_count()}
        return render(self.request, self.template_name, ctx, status=status)


class EditLineRowView(PermissionRequiredMixin, View):
    """HTMX: one more empty line row, the form count and the add button moved on (out of band)."""

    permission_required = "orders.edit_order"

    def get(self, request, pk: int):
        try:
            index = int(request.GET.get("index", "0"))
        except ValueError:
            index = -1
        if not 0 <= index < MAX_ROWS:
            return HttpResponse(_("At most %(n)s lines.") % {"n": MAX_ROWS}, status=400)
        order = get_object_or_404(Order.objects.only("pk"), pk=pk)
        formset = EditLineFormSet(prefix="lines")
        form = formset.form(
            prefix=formset.add_prefix(index), empty_permitted=True, use_required_attribute=False
        )
        formset.add_fields(form, index)
        ctx = {"order": order, "line": _wire(form, order), "next_index": index + 1, "oob": True}
        return render(request, "orders/inc/edit_line_row.html", ctx)


class EditSkuLookupView(PermissionRequiredMixin, View):
    """HTMX: the item and list price of the SKU code typed in a line (or that it is unknown / not for sale)."""

    permission_required = "orders.edit_order"

    def get(self, request, pk: int):
        code = next((v for k, v in request.GET.items() if k.endswith("-sku")), "").strip()
        if not code:
            return HttpResponse("")
        sku = sku_lookup([code]).get(code)
        if sku is None:
            return HttpResponse(
                format_html('<span class="text-danger">{}</span>', _("Unknown SKU %(code)s") % {"code": code})
            )
        if not sku.is_sellable:
            text = _("SKU %(code)s is not for sale") % {"code": code}
            return HttpResponse(format_html('<span class="text-danger">{}</span>', text))
        label = f"{sku.product.name} {sku.name}".strip()
        return HttpResponse(
            format_html("{} · {}", label, _money(sku.price) if sku.price is not None else "—")
        )


class OrderSplitView(PermissionRequiredMixin, View):
    permission_required = "orders.edit_order"
    template_name = "orders/order_split.html"

    def get(self, request, pk: int):
        order = _order(pk)
        refusal = services.order_change_refusal(order)
        if refusal:
            messages.error(request, refusal)
            return HttpResponseRedirect(reverse("orders:detail", args=[pk]))
        return render(
            request, self.template_name, {"order": order, "form": SplitForm(lines=order.lines.all())}
        )

    def post(self, request, pk: int):
        order = _order(pk)
        form = SplitForm(request.POST, lines=order.lines.all())
        if form.is_valid():
            try:
                new = services.order_split(
                    order_id=pk,
                    quantities=form.quantities(),
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                placed = [name for name in exc.field_errors if name in form.fields]
                for name in placed:
                    for text in exc.field_errors[name]:
                        form.add_error(name, text)
                for text in exc.field_errors.get("lines", []) if exc.field_errors else [exc.message]:
                    form.add_error(None, text)
            else:
                messages.success(
                    request,
                    _("%(number)s split: the chosen lines are now order %(new)s.")
                    % {"number": order.number, "new": new.number},
                )
                return HttpResponseRedirect(reverse("orders:detail", args=[new.pk]))
        form._style()
        return render(request, self.template_name, {"order": order, "form": form}, status=400)


class OrderMergeView(PermissionRequiredMixin, View):
    permission_required = "orders.edit_order"

    def post(self, request, pk: int):
        order = _order(pk)
        form = MergeForm(request.POST, candidates=services.mergeable_orders(order))
        if not form.is_valid():
            messages.error(
                request, _("Choose the orders to merge into %(number)s.") % {"number": order.number}
            )
            return HttpResponseRedirect(reverse("orders:detail", args=[pk]))
        try:
            services.orders_merge(keep_id=pk, order_ids=form.cleaned_data["orders"], by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(numbers)s merged into %(number)s: one order, one parcel.")
                % {
                    "numbers": ", ".join(
                        n for pk_, n in form.fields["orders"].choices if pk_ in form.cleaned_data["orders"]
                    ),
                    "number": order.number,
                },
            )
        return HttpResponseRedirect(reverse("orders:detail", args=[pk]))
