"""Views of the reports app: the per-role dashboard, the reports (chart + table + export), the finance export."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from inventory.selectors_reports import warehouse_choices
from oms.exports import csv_streaming_response, export_response
from oms.roles import user_roles
from orders.selectors_reports import channel_choices
from reports.dashboard import tiles_for, week_against_last
from reports.filters import ReportFilterForm
from reports.finance import journal_lines
from reports.registry import Filters, all_reports, get_report
from reports.summaries import ensure_fresh, last_refresh
from reports.week_chart import week_chart


def dashboard(request: HttpRequest) -> HttpResponse:
    """The landing page: each role's numbers (its own first), each linking to the list behind it; for
    those who read the reports, this week's orders and revenue against last week's."""
    can_report = request.user.has_perm("reports.view_reports")
    sees_orders = request.user.has_perm("orders.view_order")
    return render(
        request,
        "reports/dashboard.html",
        {
            "roles": user_roles(request.user),
            "tiles": tiles_for(request.user),
            "week": week_against_last() if can_report and sees_orders else None,
            # Everyone who works with orders sees the last 7 days drawn (operations too, not only reports).
            "chart": week_chart() if sees_orders else None,
        },
    )


def _filter_form(request: HttpRequest) -> ReportFilterForm:
    return ReportFilterForm(request.GET or None, channels=channel_choices(), warehouses=warehouse_choices())


@permission_required("reports.view_reports", raise_exception=True)
def report_index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/index.html", {"reports": all_reports(), "refresh": last_refresh()})


@permission_required("reports.view_reports", raise_exception=True)
def report_detail(request: HttpRequest, key: str) -> HttpResponse:
    report = get_report(key)
    if report is None:
        raise Http404(_("There is no such report."))
    form = _filter_form(request)
    if request.GET and not form.is_valid():
        return render(
            request, "reports/detail.html", {"report": report, "form": form, "result": None}, status=400
        )
    data = form.cleaned_data if request.GET else form.clean_defaults()
    filters = Filters(
        date_from=data["date_from"],
        date_to=data["date_to"],
        channel=data.get("channel"),
        warehouse=data.get("warehouse"),
        granularity=data["granularity"],
    )
    refresh = ensure_fresh()
    result = report.compute(filters)
    export = request.GET.get("export")
    if export in {"csv", "xlsx"}:
        return _export(report.key, result, export, filters)
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "form": form,
            "result": result,
            "filters": filters,
            "refresh": refresh if result.uses_summary else None,
            "query": request.GET.urlencode(),
        },
    )


def _cell(value):
    """Amounts and dates are exported as the text the table shows; counts stay numbers."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value) if not isinstance(value, int | float) else value


def _export(key: str, result, fmt: str, filters: Filters) -> HttpResponse:
    return export_response(
        name=f"{key}-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}",
        fmt=fmt,
        headers=result.columns,
        rows=([_cell(v) for v in row] for row in result.rows),
        stamp=False,
    )


# The journal's columns, in the order the finance system imports them.
JOURNAL_COLUMNS = [
    "date",
    "journal",
    "reference",
    "account",
    "debit",
    "credit",
    "currency",
    "channel",
    "description",
]


@permission_required("reports.export_finance", raise_exception=True)
def finance_export(request: HttpRequest) -> HttpResponse:
    """Completed and refunded orders as journal lines (CSV, streamed) for the finance system."""
    form = _filter_form(request)
    if request.GET and not form.is_valid():
        return render(request, "reports/finance_export.html", {"form": form}, status=400)
    if not request.GET.get("download"):
        return render(request, "reports/finance_export.html", {"form": form})
    data = form.cleaned_data
    lines = journal_lines(date_from=data["date_from"], date_to=data["date_to"], channel=data.get("channel"))
    return csv_streaming_response(
        name=f"journal-{data['date_from']:%Y%m%d}-{data['date_to']:%Y%m%d}",
        headers=JOURNAL_COLUMNS,
        rows=([line[column] for column in JOURNAL_COLUMNS] for line in lines),
        stamp=False,
    )
