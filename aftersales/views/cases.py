"""Case screens: the queue and its export, registration, the case page and its actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from aftersales import selectors, services
from aftersales.choices import BADGE_COLOURS, REFUND_BADGES, CaseStatus, CaseType, RefundStatus
from aftersales.forms import CaseForm, RejectForm
from aftersales.handoff import next_step
from aftersales.models import AftersalesCase
from aftersales.resources import CASE_EXPORT_HEADERS, case_export_rows
from aftersales.views._common import _apply_domain_error
from oms.audit import timeline_for
from oms.bulk_views import BulkMixin
from oms.exceptions import DomainError
from oms.exports import export_response
from oms.privacy import can_view_personal_data
from orders.selectors import order_by_number

# The queue's default tab: every case not closed or rejected (a tab, not a case status).
OPEN_TAB = "open"
DONE_STATUSES = (CaseStatus.CLOSED, CaseStatus.REJECTED)


class CaseListView(PermissionRequiredMixin, BulkMixin, ListView):
    permission_required = "aftersales.view_aftersalescase"
    bulk_list_key = "cases"
    template_name = "aftersales/case_list.html"
    paginate_by = 50
    SORTS = {
        "created": ("created_at", "pk"),
        "-created": ("-created_at", "-pk"),
        "status": ("status", "-created_at"),
    }

    def filtered(self):
        qs = selectors.cases_queryset()
        params = self.request.GET
        status = params.get("status", OPEN_TAB)
        if status == OPEN_TAB:
            qs = qs.exclude(status__in=DONE_STATUSES)
        elif status in CaseStatus.values:
            qs = qs.filter(status=status)
        if params.get("type") in CaseType.values:
            qs = qs.filter(case_type=params["type"])
        handler = params.get("handler", "")
        if handler == "me":
            qs = qs.filter(handler=self.request.user)
        elif handler == "none":
            qs = qs.filter(handler__isnull=True)
        elif handler.isdigit():
            qs = qs.filter(handler_id=int(handler))
        if params.get("order", "").isdigit():
            qs = qs.filter(order_id=int(params["order"]))
        q = params.get("q", "").strip()
        if q:
            qs = qs.filter(
                Q(number__iexact=q) | Q(order__number__iexact=q) | Q(return_tracking_number__iexact=q)
            )
        return qs.order_by(*self.SORTS.get(params.get("sort", "-created"), self.SORTS["-created"]))

    def get_queryset(self):
        return self.filtered()

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            if not request.user.has_perm("aftersales.export_case"):
                raise PermissionDenied
            return self.export(export)
        return super().get(request, *args, **kwargs)

    def export(self, fmt: str, qs=None):
        return export_response(
            name="aftersales",
            fmt=fmt,
            headers=CASE_EXPORT_HEADERS,
            rows=case_export_rows((self.filtered() if qs is None else qs)[:20000]),
        )

    def bulk_export(self, qs, fmt: str):
        return self.export(fmt, qs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        counts = selectors.case_status_counts()
        params = self.request.GET
        ctx.update(
            {
                "status_tabs": [
                    (OPEN_TAB, _("Open"), sum(n for s, n in counts.items() if s not in DONE_STATUSES))
                ]
                + [(value, label, counts.get(value, 0)) for value, label in CaseStatus.choices]
                + [("all", _("All"), sum(counts.values()))],
                "current_status": params.get("status", OPEN_TAB),
                "types": CaseType.choices,
                "badges": BADGE_COLOURS,
                "query": params.copy(),
            }
        )
        return ctx


# --------------------------------------------------------------------------------------------
# Registration
# --------------------------------------------------------------------------------------------


class CaseCreateView(PermissionRequiredMixin, View):
    permission_required = "aftersales.add_aftersalescase"
    template_name = "aftersales/case_form.html"

    def _order(self, number: str):
        return order_by_number(number, with_lines=True)

    def _render(self, form, status=200):
        order = form.order
        return render(
            self.request,
            self.template_name,
            {"form": form, "order": order, "can_view_pii": can_view_personal_data(self.request.user)},
            status=status,
        )

    def _initial(self, order) -> dict:
        initial = {"handler": self.request.user.pk, "registered_on": timezone.localdate()}
        if order is not None:
            initial["order_number"] = order.number
            initial["supplier"] = selectors.default_supplier_id([line.sku_id for line in order.lines.all()])
        return initial

    def get(self, request):
        order = self._order(request.GET.get("order", ""))
        form = CaseForm(
            initial=self._initial(order),
            order=order,
            allowances=selectors.line_allowances(order.pk) if order else None,
        )
        if request.GET.get("order") and order is None:
            form = CaseForm(initial={"order_number": request.GET["order"], **self._initial(None)})
            form.unknown_order = True
        return self._render(form)

    def post(self, request):
        order = self._order(request.POST.get("order_number", ""))
        allowances = selectors.line_allowances(order.pk) if order else None
        if request.POST.get("action") == "load" or order is None and not request.POST.get("case_type"):
            # Load the order's lines and keep everything typed so far.
            initial = {
                **self._initial(order),
                **{k: v for k, v in request.POST.items() if v and k != "csrfmiddlewaretoken"},
            }
            if order is not None and not request.POST.get("supplier"):
                initial["supplier"] = self._initial(order)["supplier"]
            form = CaseForm(initial=initial, order=order, allowances=allowances)
            if order is None:
                form = CaseForm(request.POST, order=None)
                form.is_valid()
                return self._render(form, status=400)
            return self._render(form)
        form = CaseForm(request.POST, request.FILES, order=order, allowances=allowances)
        if not form.is_valid():
            return self._render(form, status=400)
        data = form.cleaned_data
        try:
            case = services.case_register(
                order_id=order.pk,
                case_type=data["case_type"],
                lines=[
                    services.LineRequest(order_line_id=line_id, quantity=qty, replacement_sku_id=replacement)
                    for line_id, qty, replacement in data["lines"]
                ],
                reason_id=data["reason"].pk,
                by=request.user,
                description=data.get("description", ""),
                supplier_id=data["supplier"].pk if data.get("supplier") else None,
                handler_id=data["handler"].pk if data.get("handler") else None,
                registered_on=data.get("registered_on"),
                compensation_applies=data.get("compensation_applies", False),
                supplier_share=data["supplier_share"],
                platform_share=data["platform_share"],
                return_tracking_number=data.get("return_tracking_number", ""),
                photos=data.get("photos") or [],
                contact_phone=data.get("contact_phone", ""),
            )
        except DomainError as exc:
            _apply_domain_error(form, exc)
            return self._render(form, status=400)
        messages.success(request, _("Case %(number)s registered.") % {"number": case.number})
        return redirect("aftersales:case-detail", pk=case.pk)


# --------------------------------------------------------------------------------------------
# Case detail and its actions
# --------------------------------------------------------------------------------------------


class CaseDetailView(PermissionRequiredMixin, View):
    permission_required = "aftersales.view_aftersalescase"

    def get(self, request, pk: int):
        try:
            case = selectors.case_detail(pk)
        except AftersalesCase.DoesNotExist as exc:
            raise Http404 from exc
        user = request.user
        transitions = {t.name for t in case.get_available_user_status_transitions(user)}
        money_transitions = {"refund", "refund_without_return", "compensate"}
        open_refund = any(r.status == RefundStatus.AWAITING_APPROVAL for r in case.refunds.all())
        ctx = {
            "case": case,
            "badge": BADGE_COLOURS.get(case.status, "secondary"),
            "refund_badges": REFUND_BADGES,
            "timeline": timeline_for(case),
            "next_step": next_step(case),
            "can_approve": "approve" in transitions,
            "can_reject": "reject" in transitions,
            "can_close": "close" in transitions,
            "can_replace": "send_replacement" in transitions,
            "can_refund": bool(transitions & money_transitions) and not open_refund,
            "can_receive": case.status in (CaseStatus.AWAITING_RETURN, CaseStatus.RECEIVED)
            and user.has_perm("aftersales.receive_return"),
            "can_assign": user.has_perm("aftersales.work_case") and case.status not in DONE_STATUSES,
            "can_view_pii": can_view_personal_data(user),
            "reject_form": RejectForm(),
            "handlers": CaseForm().fields["handler"].queryset,
            "charge": selectors.case_supplier_charge(case),
        }
        return render(request, "aftersales/case_detail.html", ctx)


class CaseActionView(PermissionRequiredMixin, View):
    """POST-only actions on a case; the service checks the state and the user's permission again."""

    permission_required = "aftersales.work_case"
    http_method_names = ["post"]

    def post(self, request, pk: int, action: str):
        get_object_or_404(AftersalesCase, pk=pk)
        user, post = request.user, request.POST
        try:
            if action == "approve":
                case = services.case_approve(case_id=pk, by=user, note=post.get("note", ""))
                messages.success(request, _("Case %(number)s approved.") % {"number": case.number})
            elif action == "reject":
                case = services.case_reject(case_id=pk, reason=post.get("reject_reason", ""), by=user)
                messages.success(request, _("Case %(number)s rejected.") % {"number": case.number})
            elif action == "replace":
                case = services.case_send_replacement(case_id=pk, by=user)
                messages.success(request, _("Replacement shipment created."))
            elif action == "close":
                case = services.case_close(case_id=pk, by=user, note=post.get("note", ""))
                messages.success(
                    request,
                    _("Case %(number)s closed; the customer gets the survey.") % {"number": case.number},
                )
            elif action == "assign":
                handler = post.get("handler", "")
                services.case_assign(
                    case_id=pk, handler_id=int(handler) if handler.isdigit() else None, by=user
                )
                messages.success(request, _("Handler changed."))
            else:
                raise Http404
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("aftersales:case-detail", pk=pk)


class CaseByNumberView(PermissionRequiredMixin, View):
    """A stored reference ``aftersales:AS-…`` (on a stock movement) leads to the case's page."""

    permission_required = "aftersales.view_aftersalescase"

    def get(self, request, number: str):
        case = get_object_or_404(AftersalesCase.objects.only("pk"), number=number)
        return redirect("aftersales:case-detail", pk=case.pk)
