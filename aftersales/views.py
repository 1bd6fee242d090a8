"""Screens of the aftersales app: case queues, registration, case detail and its actions, receiving station,
refunds, complaints, the public satisfaction survey and its report. Views call services for every write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from aftersales import selectors, services
from aftersales.choices import (
    BADGE_COLOURS,
    REFUND_BADGES,
    CaseStatus,
    CaseType,
    ComplaintCategory,
    ComplaintKind,
    ComplaintStatus,
    RefundStatus,
    SurveyContext,
)
from aftersales.forms import (
    CaseForm,
    ComplaintForm,
    ReceiveForm,
    RefundForm,
    RejectForm,
    ResolveForm,
    SurveyForm,
)
from aftersales.models import AftersalesCase, Refund, SupplierCharge
from aftersales.resources import CaseResource
from oms.audit import timeline_for
from oms.exceptions import DomainError
from oms.privacy import can_view_personal_data

SESSION_WAREHOUSE = "aftersales_warehouse_id"


def _apply_domain_error(form, exc: DomainError) -> None:
    """Show a refusal from a service on the form: on its fields when it names them, else on top."""
    placed = False
    for field, errors in exc.field_errors.items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)
            placed = True
    if not placed or exc.field_errors.get("lines"):
        form.add_error(None, exc.message)


# --------------------------------------------------------------------------------------------
# Case queues and export
# --------------------------------------------------------------------------------------------


class CaseListView(PermissionRequiredMixin, ListView):
    permission_required = "aftersales.view_aftersalescase"
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
        status = params.get("status", "open")
        if status == "open":
            qs = qs.exclude(status__in=(CaseStatus.CLOSED, CaseStatus.REJECTED))
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
            dataset = CaseResource().export(self.filtered()[:20000])
            content = dataset.csv if export == "csv" else dataset.xlsx
            response = HttpResponse(
                content,
                content_type="text/csv; charset=utf-8"
                if export == "csv"
                else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            stamp = timezone.localdate().isoformat()
            response["Content-Disposition"] = f'attachment; filename="aftersales-{stamp}.{export}"'
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        counts = selectors.case_status_counts()
        params = self.request.GET
        ctx.update(
            {
                "status_tabs": [
                    ("open", _("Open"), sum(n for s, n in counts.items() if s not in ("closed", "rejected")))
                ]
                + [(value, label, counts.get(value, 0)) for value, label in CaseStatus.choices]
                + [("all", _("All"), sum(counts.values()))],
                "current_status": params.get("status", "open"),
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
        from orders.models import Order

        number = (number or "").strip()
        if not number:
            return None
        return (
            Order.objects.select_related("customer", "channel")
            .prefetch_related("lines")
            .filter(number__iexact=number)
            .first()
        )

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
            "can_approve": "approve" in transitions,
            "can_reject": "reject" in transitions,
            "can_close": "close" in transitions,
            "can_replace": "send_replacement" in transitions,
            "can_refund": bool(transitions & money_transitions) and not open_refund,
            "can_receive": case.status in (CaseStatus.AWAITING_RETURN, CaseStatus.RECEIVED)
            and user.has_perm("aftersales.receive_return"),
            "can_assign": user.has_perm("aftersales.work_case") and case.status not in ("closed", "rejected"),
            "can_view_pii": can_view_personal_data(user),
            "reject_form": RejectForm(),
            "handlers": CaseForm().fields["handler"].queryset,
            "charge": SupplierCharge.objects.filter(case=case).first(),
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


class RefundCreateView(PermissionRequiredMixin, View):
    permission_required = "aftersales.add_refund"
    template_name = "aftersales/refund_form.html"

    def _ctx(self, case, form):
        refundable = selectors.refundable_for_order(case.order_id)
        return {
            "case": case,
            "form": form,
            "refundable": refundable,
            "large_amount": services.large_refund_amount(),
            "needs_approval_note": not self.request.user.has_perm("aftersales.approve_large_refund"),
        }

    def get(self, request, pk: int):
        case = get_object_or_404(selectors.cases_queryset(), pk=pk)
        form = RefundForm(initial={"amount": selectors.suggested_refund_amount(case)})
        return render(request, self.template_name, self._ctx(case, form))

    def post(self, request, pk: int):
        case = get_object_or_404(selectors.cases_queryset(), pk=pk)
        form = RefundForm(request.POST)
        if form.is_valid():
            try:
                refund = services.refund_record(case_id=pk, by=request.user, **form.cleaned_data)
            except DomainError as exc:
                _apply_domain_error(form, exc)
            else:
                if refund.status == RefundStatus.AWAITING_APPROVAL:
                    messages.warning(
                        request,
                        _(
                            "The refund of %(amount)s is above %(limit)s: it waits for the finance manager's approval."
                        )
                        % {"amount": refund.amount, "limit": services.large_refund_amount()},
                    )
                else:
                    messages.success(
                        request,
                        _("Refund of %(amount)s recorded; the customer is notified.")
                        % {"amount": refund.amount},
                    )
                return redirect("aftersales:case-detail", pk=pk)
        return render(request, self.template_name, self._ctx(case, form), status=400)


# --------------------------------------------------------------------------------------------
# Receiving station (warehouse, keyboard only)
# --------------------------------------------------------------------------------------------


class ReceivingView(PermissionRequiredMixin, View):
    permission_required = "aftersales.receive_return"
    template_name = "aftersales/receiving.html"

    def _warehouse_initial(self):
        from inventory.models import Warehouse

        chosen = self.request.session.get(SESSION_WAREHOUSE)
        if chosen:
            return chosen
        return Warehouse.objects.filter(is_active=True).values_list("pk", flat=True).first()

    def get(self, request):
        code = request.GET.get("code", "").strip()
        ctx = {"code": code, "cases": [], "forms": []}
        if code:
            cases = list(selectors.cases_awaiting_return(code))
            if not cases:
                ctx["not_found"] = _(
                    "No case awaiting a return matches %(code)s. Check the label, or search the case list."
                ) % {"code": code}
            ctx["forms"] = [
                (
                    case,
                    ReceiveForm(
                        case=case,
                        initial={"warehouse": case.return_warehouse_id or self._warehouse_initial()},
                    ),
                )
                for case in cases
            ]
        return render(request, self.template_name, ctx, status=404 if ctx.get("not_found") else 200)

    def post(self, request):
        case = get_object_or_404(selectors.cases_queryset(), pk=request.POST.get("case"))
        form = ReceiveForm(request.POST, case=case)
        action = request.POST.get("action", "receive_inspect")
        if form.is_valid():
            warehouse = form.cleaned_data["warehouse"]
            request.session[SESSION_WAREHOUSE] = warehouse.pk
            try:
                if case.status == CaseStatus.AWAITING_RETURN:
                    services.case_receive_return(
                        case_id=case.pk,
                        warehouse_id=warehouse.pk,
                        by=request.user,
                        tracking_number=request.POST.get("code", ""),
                    )
                    if action == "receive":
                        messages.success(request, _("Case %(number)s received.") % {"number": case.number})
                        return redirect(reverse("aftersales:receiving"))
                if not request.user.has_perm("aftersales.inspect_return"):
                    raise PermissionDenied
                services.case_inspect(case_id=case.pk, conditions=form.conditions(), by=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect(f"{reverse('aftersales:receiving')}?code={case.number}")
            messages.success(request, _("Case %(number)s received and inspected.") % {"number": case.number})
            return redirect(reverse("aftersales:receiving"))
        ctx = {"code": request.POST.get("code", ""), "forms": [(case, form)]}
        return render(request, self.template_name, ctx, status=400)


# --------------------------------------------------------------------------------------------
# Refunds
# --------------------------------------------------------------------------------------------


class RefundListView(PermissionRequiredMixin, ListView):
    permission_required = "aftersales.view_refund"
    template_name = "aftersales/refund_list.html"
    paginate_by = 50

    def get_queryset(self):
        status = self.request.GET.get("status", RefundStatus.AWAITING_APPROVAL)
        qs = selectors.refunds_queryset()
        if status in RefundStatus.values:
            qs = qs.filter(status=status)
        return qs.order_by("created_at" if status == RefundStatus.AWAITING_APPROVAL else "-created_at", "pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["statuses"] = RefundStatus.choices
        ctx["current_status"] = self.request.GET.get("status", RefundStatus.AWAITING_APPROVAL)
        ctx["badges"] = REFUND_BADGES
        ctx["can_approve"] = self.request.user.has_perm("aftersales.approve_large_refund")
        return ctx


class RefundDecisionView(PermissionRequiredMixin, View):
    permission_required = "aftersales.approve_large_refund"
    http_method_names = ["post"]

    def post(self, request, pk: int, decision: str):
        refund = get_object_or_404(Refund, pk=pk)
        try:
            if decision == "approve":
                services.refund_approve(refund_id=pk, by=request.user)
                messages.success(request, _("Refund of %(amount)s approved.") % {"amount": refund.amount})
            elif decision == "reject":
                services.refund_reject(
                    refund_id=pk, reason=request.POST.get("reject_reason", ""), by=request.user
                )
                messages.success(request, _("Refund of %(amount)s rejected.") % {"amount": refund.amount})
            else:
                raise Http404
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("aftersales:refund-approvals")


# --------------------------------------------------------------------------------------------
# Complaints and inquiries
# --------------------------------------------------------------------------------------------


class ComplaintListView(PermissionRequiredMixin, ListView):
    permission_required = "aftersales.view_complaint"
    template_name = "aftersales/complaint_list.html"
    paginate_by = 50

    def get_queryset(self):
        params = self.request.GET
        qs = selectors.complaints_queryset()
        status = params.get("status", ComplaintStatus.OPEN)
        if status in ComplaintStatus.values:
            qs = qs.filter(status=status)
        if params.get("kind") in ComplaintKind.values:
            qs = qs.filter(kind=params["kind"])
        if params.get("category") in ComplaintCategory.values:
            qs = qs.filter(category=params["category"])
        if params.get("handler") == "me":
            qs = qs.filter(handler=self.request.user)
        return qs.order_by("created_at" if status == ComplaintStatus.OPEN else "-created_at", "pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET
        ctx.update(
            {
                "statuses": ComplaintStatus.choices,
                "kinds": ComplaintKind.choices,
                "categories": ComplaintCategory.choices,
                "current_status": params.get("status", ComplaintStatus.OPEN),
                "current_kind": params.get("kind", ""),
                "current_category": params.get("category", ""),
                "mine": params.get("handler") == "me",
            }
        )
        return ctx


class ComplaintCreateView(PermissionRequiredMixin, View):
    permission_required = "aftersales.add_complaint"
    template_name = "aftersales/complaint_form.html"

    def get(self, request):
        form = ComplaintForm(
            initial={"handler": request.user.pk, "order_number": request.GET.get("order", "")}
        )
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = ComplaintForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                complaint = services.complaint_register(
                    kind=data["kind"],
                    category=data["category"],
                    customer_id=data["customer"].pk,
                    order_id=data["order"].pk if data["order"] else None,
                    subject=data["subject"],
                    description=data.get("description", ""),
                    handler_id=data["handler"].pk if data.get("handler") else None,
                    contact_phone=data.get("customer_phone", "") or data["customer"].phone,
                    by=request.user,
                )
            except DomainError as exc:
                _apply_domain_error(form, exc)
            else:
                messages.success(request, _("Recorded."))
                return redirect("aftersales:complaint-detail", pk=complaint.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class ComplaintDetailView(PermissionRequiredMixin, View):
    permission_required = "aftersales.view_complaint"
    template_name = "aftersales/complaint_detail.html"

    def _ctx(self, complaint, form):
        return {
            "complaint": complaint,
            "form": form,
            "timeline": timeline_for(complaint),
            "can_resolve": complaint.status == ComplaintStatus.OPEN
            and self.request.user.has_perm("aftersales.change_complaint"),
            "can_view_pii": can_view_personal_data(self.request.user),
        }

    def get(self, request, pk: int):
        complaint = get_object_or_404(selectors.complaints_queryset(), pk=pk)
        return render(request, self.template_name, self._ctx(complaint, ResolveForm()))

    def post(self, request, pk: int):
        if not request.user.has_perm("aftersales.change_complaint"):
            raise PermissionDenied
        complaint = get_object_or_404(selectors.complaints_queryset(), pk=pk)
        form = ResolveForm(request.POST)
        if form.is_valid():
            try:
                services.complaint_resolve(
                    complaint_id=pk, resolution=form.cleaned_data["resolution"], by=request.user
                )
            except DomainError as exc:
                _apply_domain_error(form, exc)
            else:
                messages.success(request, _("Resolved."))
                return redirect("aftersales:complaint-detail", pk=pk)
        return render(request, self.template_name, self._ctx(complaint, form), status=400)


# --------------------------------------------------------------------------------------------
# Satisfaction survey: the public form and the report
# --------------------------------------------------------------------------------------------


@method_decorator(login_not_required, name="dispatch")
class SurveyView(View):
    """The customer's one-page form, opened from the link in a notification (no login)."""

    template_name = "aftersales/survey.html"

    def get(self, request, token: str):
        try:
            answered = services.survey_answered(token)
        except DomainError as exc:
            return render(request, self.template_name, {"refusal": exc.message}, status=400)
        return render(request, self.template_name, {"form": SurveyForm(), "answered": answered})

    def post(self, request, token: str):
        form = SurveyForm(request.POST)
        if form.is_valid():
            try:
                services.survey_submit(token=token, **form.cleaned_data)
            except DomainError as exc:
                if exc.field_errors:
                    _apply_domain_error(form, exc)
                else:
                    return render(request, self.template_name, {"refusal": exc.message}, status=400)
            else:
                return render(request, self.template_name, {"thanks": True})
        return render(request, self.template_name, {"form": form}, status=400)


class SurveyReportView(PermissionRequiredMixin, TemplateView):
    permission_required = "aftersales.view_surveyresponse"
    template_name = "aftersales/survey_report.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        date_from = parse_date(self.request.GET.get("from", "") or "")
        date_to = parse_date(self.request.GET.get("to", "") or "")
        report = selectors.survey_report(date_from=date_from, date_to=date_to)
        types = dict(CaseType.choices)
        contexts = dict(SurveyContext.choices)
        for row in report["by_type"]:
            row["label"] = types.get(row["case__case_type"], row["case__case_type"])
        for row in report["by_context"]:
            row["label"] = contexts.get(row["context"], row["context"])
        ctx.update({"report": report, "date_from": date_from, "date_to": date_to})
        return ctx
