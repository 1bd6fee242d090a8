"""The returns receiving station (warehouse, keyboard only): scan a parcel, receive it, inspect its lines."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from aftersales import selectors, services
from aftersales.choices import CaseStatus
from aftersales.forms import ReceiveForm
from aftersales.views._common import SESSION_WAREHOUSE
from inventory.selectors import active_warehouses
from oms.exceptions import DomainError


class ReceivingView(PermissionRequiredMixin, View):
    permission_required = "aftersales.receive_return"
    template_name = "aftersales/receiving.html"

    def _warehouse_initial(self):
        chosen = self.request.session.get(SESSION_WAREHOUSE)
        if chosen:
            return chosen
        return active_warehouses().values_list("pk", flat=True).first()

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
