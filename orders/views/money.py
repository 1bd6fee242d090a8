"""Money screens of the orders app: refunds owed on cancelled paid orders (finance pays them out), an order
marked paid by hand, and the public pay-again page a customer reaches from a failed payment's message."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.exceptions import DomainError
from oms.exports import export_response
from oms.redirects import safe_next_url
from orders import services
from orders.choices import OrderStatus, PaymentStatus, RefundStatus
from orders.forms_money import ReferenceForm, RefundOwedFilterForm
from orders.models import Order, RefundRecord
from orders.selectors_money import pay_link_order, refunds_owed_for_list, refunds_owed_totals
from orders.views._common import EXPORT_LIMIT, page_of

REFUND_BADGES = {RefundStatus.OPEN: "warning", RefundStatus.DONE: "success"}


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(qs, cd: dict):
    if cd.get("status"):
        qs = qs.filter(status=cd["status"])
    if cd.get("channel"):
        qs = qs.filter(order__channel=cd["channel"])
    if cd.get("date_from"):
        qs = qs.filter(created_at__gte=_day_start(cd["date_from"]))
    if cd.get("date_to"):
        qs = qs.filter(created_at__lt=_day_start(cd["date_to"]) + timedelta(days=1))
    q = (cd.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(order__number=q.upper()) | Q(order__external_id=q) | Q(paid_reference=q))
    return qs


class RefundOwedListView(PermissionRequiredMixin, View):
    """Refunds owed on cancelled paid orders, oldest open first: finance pays each out and marks it paid."""

    permission_required = "orders.view_refundrecord"

    def get(self, request):
        data = request.GET if request.GET else {"status": RefundStatus.OPEN}
        form = RefundOwedFilterForm(data)
        qs = refunds_owed_for_list()
        if form.is_valid():
            qs = _filtered(qs, form.cleaned_data)
        else:
            messages.error(request, _("Some filters were not understood; showing everything."))
        qs = qs.order_by("status", "created_at", "pk")
        if request.GET.get("export") in ("csv", "xlsx"):
            if not request.user.has_perm("orders.export_order"):
                raise PermissionDenied
            return export_refunds_owed(qs, fmt=request.GET["export"])
        return render(
            request,
            "orders/refunds_owed.html",
            {
                "form": form,
                "page": page_of(qs, request),
                "badges": REFUND_BADGES,
                "totals": refunds_owed_totals(qs),
                "can_pay": request.user.has_perm("orders.pay_refundrecord"),
            },
        )


REFUND_EXPORT_HEADERS = [
    gettext_lazy("Order number"),
    gettext_lazy("Channel"),
    gettext_lazy("Channel order id"),
    gettext_lazy("Amount"),
    gettext_lazy("Currency"),
    gettext_lazy("Status"),
    gettext_lazy("Reason"),
    gettext_lazy("Refund opened"),
    gettext_lazy("Paid out"),
    gettext_lazy("Payment reference"),
    gettext_lazy("Paid out by"),
]


def export_refunds_owed(qs, *, fmt: str) -> HttpResponse:
    from oms.notes import render_note

    statuses = dict(RefundStatus.choices)

    def row(refund: RefundRecord) -> list:
        return [
            refund.order.number,
            refund.order.channel.name,
            refund.order.external_id,
            refund.amount,
            refund.order.currency,
            str(statuses.get(refund.status, refund.status)),
            render_note(refund.reason),
            timezone.localtime(refund.created_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(refund.paid_at).strftime("%Y-%m-%d %H:%M") if refund.paid_at else "",
            refund.paid_reference,
            refund.paid_by.get_username() if refund.paid_by else "",
        ]

    rows = (row(r) for r in qs[:EXPORT_LIMIT].iterator(chunk_size=2000))
    return export_response(name="refunds-owed", fmt=fmt, headers=REFUND_EXPORT_HEADERS, rows=rows)


class RefundMarkPaidView(PermissionRequiredMixin, View):
    permission_required = "orders.pay_refundrecord"

    def post(self, request, pk: int):
        refund = get_object_or_404(RefundRecord.objects.select_related("order"), pk=pk)
        form = ReferenceForm(request.POST)
        fallback = reverse("orders:refunds-owed")
        if not form.is_valid():
            messages.error(
                request,
                _("Refund of order %(number)s not marked paid: give the payment reference.")
                % {"number": refund.order.number},
            )
            return HttpResponseRedirect(safe_next_url(request, fallback=fallback))
        try:
            services.refund_record_mark_paid(
                refund_id=refund.pk, reference=form.cleaned_data["reference"], by=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Refund of %(amount)s for order %(number)s marked paid out.")
                % {"amount": refund.amount, "number": refund.order.number},
            )
        return HttpResponseRedirect(safe_next_url(request, fallback=fallback))


class PaymentMarkPaidView(PermissionRequiredMixin, View):
    """An order waiting for payment is marked paid by hand, with the reference of the money received."""

    permission_required = "orders.mark_paid_payment"

    def post(self, request, pk: int):
        order = get_object_or_404(Order.objects.only("pk", "number"), pk=pk)
        form = ReferenceForm(request.POST)
        detail = reverse("orders:detail", args=[order.pk])
        if not form.is_valid():
            messages.error(request, _("Not marked paid: give the payment reference."))
            return HttpResponseRedirect(detail)
        try:
            order = services.payment_mark_paid(
                order_id=order.pk, reference=form.cleaned_data["reference"], by=request.user
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(number)s marked paid, now %(status)s.")
                % {"number": order.number, "status": order.get_status_display()},
            )
        return HttpResponseRedirect(detail)


@method_decorator(login_not_required, name="dispatch")
class PayAgainView(View):
    """What a customer sees from a failed payment's message: the order and the amount to pay; no login."""

    def get(self, request, token: str):
        try:
            order = pay_link_order(order_id=services.pay_link_order_id(token))
        except DomainError as exc:
            return render(request, "orders/pay_again.html", {"error": exc.message}, status=404)
        if order is None:
            return render(request, "orders/pay_again.html", {"error": _("No such order.")}, status=404)
        language = order.customer.language or settings.LANGUAGE_CODE
        payment = order.payments.order_by("pk").first()
        with translation.override(language):
            response = render(
                request,
                "orders/pay_again.html",
                {
                    "order": order,
                    "payment": payment,
                    "waiting": order.status == OrderStatus.PENDING_PAYMENT,
                    "failed": payment is not None and payment.status == PaymentStatus.FAILED,
                },
            )
        response["Content-Language"] = language
        return response
