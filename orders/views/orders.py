"""Order screens: the lists and queues with their export, bulk approval, the order page and its actions.

Views stay thin: a selector and a filterset to read, a service to write; refusals become messages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from inventory.notes import DECISION_LABELS
from oms.audit import timeline_for
from oms.bulk_views import BulkMixin
from oms.exceptions import DomainError
from oms.exports import csv_streaming_response, export_response
from oms.privacy import can_view_personal_data, mask
from oms.redirects import safe_next_url
from orders import services
from orders.choices import BADGE_COLOURS, OrderStatus
from orders.filters import OrderFilter
from orders.forms import BulkReviewForm, ReasonForm
from orders.models import Order
from orders.panels import order_panels
from orders.rules import reason_label
from orders.selectors import (
    customer_history,
    exception_counts,
    order_detail,
    orders_awaiting_review,
    orders_exceptions,
    orders_for_list,
)
from orders.views._common import EXPORT_LIMIT, badge, page_of
from orders.views.editing import change_context

# --------------------------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------------------------


class OrderListView(PermissionRequiredMixin, BulkMixin, View):
    permission_required = "orders.view_order"
    template_name = "orders/order_list.html"
    title = gettext_lazy("Orders")
    bulk_list_key = "orders"
    bulk_enabled = True

    def base_queryset(self, params=None):
        return orders_for_list()

    def get(self, request):
        filterset = OrderFilter(request.GET or None, queryset=self.base_queryset(request.GET))
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else self.base_queryset(request.GET)
        if filterset.is_bound and not filterset.is_valid():
            messages.error(request, _("Some filters were not understood; showing everything."))
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            if not request.user.has_perm("orders.export_order"):
                raise PermissionDenied
            return export_orders(qs, export)
        ctx = self.context(request, filterset, page_of(qs, request))
        if self.bulk_enabled:
            ctx["bulk"] = self.bulk_context(qs)
        return render(request, self.template_name, ctx)

    def post(self, request, *args, **kwargs):
        if not self.bulk_enabled:
            raise Http404
        return super().post(request, *args, **kwargs)

    def bulk_queryset(self, params):
        filterset = OrderFilter(params or None, queryset=self.base_queryset(params))
        if not filterset.is_bound:
            return self.base_queryset(params)
        return filterset.qs if filterset.is_valid() else None

    def bulk_export(self, qs, fmt):
        return export_orders(qs, fmt)

    def context(self, request, filterset, page) -> dict:
        return {"filter": filterset, "page": page, "title": self.title, "badge_colours": BADGE_COLOURS}


ORDER_EXPORT_HEADERS = [
    gettext_lazy("Order number"),
    gettext_lazy("Channel"),
    gettext_lazy("Channel order id"),
    gettext_lazy("Status"),
    gettext_lazy("Priority"),
    gettext_lazy("Customer"),
    gettext_lazy("Phone"),
    gettext_lazy("Province"),
    gettext_lazy("Total"),
    gettext_lazy("Currency"),
    gettext_lazy("Placed"),
    gettext_lazy("Paid"),
]
ORDER_EXPORT_COLUMNS = (
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
)


def _local_minute(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _order_export_row(values, labels: dict) -> list:
    values = list(values)
    values[3] = str(labels.get(values[3], values[3]))
    # Exports leave the screen: personal data is always masked in them (full views go through the
    # logged reveal on the order page, one record at a time).
    values[5] = mask(values[5], "name")
    values[6] = mask(values[6], "phone")
    values[10] = _local_minute(values[10])
    values[11] = _local_minute(values[11])
    return values


def export_orders(qs, fmt: str) -> HttpResponse:
    """The filtered list as a streamed CSV or an XLSX workbook, personal data masked."""
    labels = dict(OrderStatus.choices)
    values = (
        qs.prefetch_related(None).values_list(*ORDER_EXPORT_COLUMNS)[:EXPORT_LIMIT].iterator(chunk_size=2000)
    )
    rows = (_order_export_row(v, labels) for v in values)
    if fmt == "csv":
        return csv_streaming_response(name="orders", headers=ORDER_EXPORT_HEADERS, rows=rows)
    return export_response(name="orders", fmt="xlsx", headers=ORDER_EXPORT_HEADERS, rows=rows)


class ReviewQueueView(OrderListView):
    template_name = "orders/review_queue.html"
    title = gettext_lazy("Review queue")
    bulk_enabled = False  # the queue has its own quick "approve selected"

    def base_queryset(self, params=None):
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
    title = gettext_lazy("Exceptions")

    def base_queryset(self, params=None):
        return orders_exceptions(kind=(params if params is not None else self.request.GET).get("kind", ""))

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
    "approve": (
        gettext_lazy("Approve"),
        False,
        "success",
        ("orders.review_order", "orders.finance_review_order"),
    ),
    "reject": (
        gettext_lazy("Reject"),
        True,
        "danger",
        ("orders.review_order", "orders.finance_review_order"),
    ),
    "hold": (gettext_lazy("Hold"), True, "warning", ("orders.hold_order",)),
    "resume": (gettext_lazy("Resume"), False, "primary", ("orders.hold_order",)),
    "cancel": (gettext_lazy("Cancel order"), True, "outline-danger", ("orders.cancel_order",)),
    "allocate": (gettext_lazy("Allocate now"), False, "primary", ("orders.allocate_order",)),
    "reallocate": (gettext_lazy("Re-allocate"), False, "outline-primary", ("orders.allocate_order",)),
    "reship": (gettext_lazy("Reship (copy)"), True, "outline-secondary", ("orders.add_order",)),
}
ACTION_ORDER = list(ACTIONS)
RESHIPPABLE = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)


def actions_for(order: Order, user) -> list[dict]:
    names = {
        TRANSITION_ACTIONS[t.name]
        for t in order.get_available_user_status_transitions(user)
        if t.name in TRANSITION_ACTIONS
    }
    if order.status in RESHIPPABLE and user.has_perm("orders.add_order"):
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
        return render(request, "orders/order_detail.html", self.context(request, order))

    @staticmethod
    def context(request, order: Order) -> dict:
        return {
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
            "explanation": order.allocation_explanation or {},
            "explanation_decision": DECISION_LABELS.get(
                (order.allocation_explanation or {}).get("decision"), ""
            ),
            "can_see_pii": can_view_personal_data(request.user),
            "panels": order_panels(order, request),
            **change_context(order, request.user),
        }


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
        return HttpResponseRedirect(
            safe_next_url(request, fallback=reverse("orders:detail", args=[order.pk]))
        )

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
