"""Satisfaction survey screens: the customer's public form and the report."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import render
from django.utils.dateparse import parse_date
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from aftersales import selectors, services
from aftersales.choices import CaseType, SurveyContext
from aftersales.forms import SurveyForm
from aftersales.views._common import _apply_domain_error
from oms.exceptions import DomainError


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
        for row in report["by_reason"]:
            row["label"] = gettext(row["case__reason__name"] or "") or "—"
        for row in report["by_context"]:
            row["label"] = contexts.get(row["context"], row["context"])
        ctx.update({"report": report, "date_from": date_from, "date_to": date_to})
        return ctx
