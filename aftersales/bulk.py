"""Bulk actions of the after-sales lists: cases (approve, reject, export), refunds (approve, reject, export)
and complaints (export). Registered from ``AftersalesConfig.ready``; see oms/bulk.py."""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from aftersales import services
from aftersales.models import AftersalesCase, Complaint, Refund
from oms.bulk import DOWNLOAD, BulkAction, BulkList, register_bulk_action, register_bulk_list

WORK = ("aftersales.work_case",)
DECIDE = ("aftersales.approve_large_refund",)


def describe_cases(ids: list[int]) -> dict[int, tuple[str, str]]:
    rows = AftersalesCase.objects.filter(pk__in=ids).values_list("pk", "number")
    return {pk: (number, reverse("aftersales:case-detail", args=[pk])) for pk, number in rows}


def describe_refunds(ids: list[int]) -> dict[int, tuple[str, str]]:
    rows = Refund.objects.filter(pk__in=ids).values_list(
        "pk", "case__number", "case_id", "amount", "currency"
    )
    return {
        pk: (
            f"{case} · {number_format(amount, 2, force_grouping=True)} {currency}",
            reverse("aftersales:case-detail", args=[case_id]),
        )
        for pk, case, case_id, amount, currency in rows
    }


def describe_complaints(ids: list[int]) -> dict[int, tuple[str, str]]:
    rows = Complaint.objects.filter(pk__in=ids).values_list("pk", "subject")
    return {pk: (subject, reverse("aftersales:complaint-detail", args=[pk])) for pk, subject in rows}


def _case_approve(*, pk, by, reason, params):
    services.case_approve(case_id=pk, by=by, note=reason)


def _case_reject(*, pk, by, reason, params):
    services.case_reject(case_id=pk, by=by, reason=reason)


def _refund_approve(*, pk, by, reason, params):
    services.refund_approve(refund_id=pk, by=by, note=reason)


def _refund_reject(*, pk, by, reason, params):
    services.refund_reject(refund_id=pk, by=by, reason=reason)


def _export(permission: str) -> BulkAction:
    return BulkAction(
        "export",
        _("Export (XLSX)"),
        permissions=(permission,),
        kind=DOWNLOAD,
        colour="outline-success",
        position=90,
        extra={"format": "xlsx"},
    )


def register() -> None:
    register_bulk_list(BulkList(key="cases", describe=describe_cases, noun=_("cases")))
    register_bulk_list(BulkList(key="refunds", describe=describe_refunds, noun=_("refunds")))
    register_bulk_list(BulkList(key="complaints", describe=describe_complaints, noun=_("complaints")))
    register_bulk_action(
        "cases", BulkAction("approve", _("Approve"), _case_approve, WORK, colour="success", position=10)
    )
    register_bulk_action(
        "cases",
        BulkAction(
            "reject", _("Reject"), _case_reject, WORK, needs_reason=True, colour="danger", position=20
        ),
    )
    register_bulk_action("cases", _export("aftersales.export_case"))
    register_bulk_action(
        "refunds", BulkAction("approve", _("Approve"), _refund_approve, DECIDE, colour="success", position=10)
    )
    register_bulk_action(
        "refunds",
        BulkAction(
            "reject", _("Reject"), _refund_reject, DECIDE, needs_reason=True, colour="danger", position=20
        ),
    )
    register_bulk_action("refunds", _export("aftersales.view_refund"))
    register_bulk_action("complaints", _export("aftersales.view_complaint"))
