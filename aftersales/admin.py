"""Django admin: the reason list is edited here; cases, refunds, charges, complaints and surveys are read-only
(they change only through the after-sales services)."""

from django.contrib import admin

from aftersales.models import (
    AftersalesCase,
    CaseLine,
    CasePhoto,
    Complaint,
    Reason,
    Refund,
    SupplierCharge,
    SurveyResponse,
)
from oms.admin_mixins import ChangeLoggedAdmin, ReadOnlyAdmin, ReadOnlyInline


@admin.register(Reason)
class ReasonAdmin(ChangeLoggedAdmin, admin.ModelAdmin):
    list_display = ["name", "code", "supplier_at_fault", "is_active", "sort"]
    list_editable = ["supplier_at_fault", "is_active", "sort"]
    list_filter = ["supplier_at_fault", "is_active"]
    search_fields = ["code", "name"]


class CaseLineInline(ReadOnlyInline):
    model = CaseLine
    fields = ["order_line", "sku", "quantity", "unit_price", "replacement_sku", "condition"]


@admin.register(AftersalesCase)
class AftersalesCaseAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "case_type",
        "status",
        "order",
        "reason",
        "handler",
        "compensation_total",
        "created_at",
    ]
    list_filter = ["case_type", "status", "reason"]
    list_select_related = ["order", "reason", "handler"]
    search_fields = ["number", "order__number", "return_tracking_number"]
    inlines = [CaseLineInline]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = [
        "case",
        "kind",
        "amount",
        "currency",
        "status",
        "requested_by",
        "approved_by",
        "created_at",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["case", "requested_by", "approved_by"]


@admin.register(SupplierCharge)
class SupplierChargeAdmin(ReadOnlyAdmin):
    list_display = [
        "supplier",
        "case",
        "amount",
        "date",
        "reconciliation_status",
        "statement_id",
        "reconciled_at",
    ]
    list_filter = ["reconciliation_status", "supplier"]
    list_select_related = ["supplier", "case"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "category", "subject", "status", "handler", "created_at", "resolved_at"]
    list_filter = ["kind", "category", "status"]
    list_select_related = ["handler"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ["order", "context", "case", "score", "submitted_at"]
    list_filter = ["context", "score"]
    list_select_related = ["order", "case"]


@admin.register(CaseLine)
class CaseLineAdmin(ReadOnlyAdmin):
    list_display = ["case", "sku", "quantity", "unit_price", "replacement_sku", "condition"]
    list_filter = ["condition"]
    list_select_related = ["case", "sku", "replacement_sku"]
    search_fields = ["case__number", "sku__code"]


@admin.register(CasePhoto)
class CasePhotoAdmin(ReadOnlyAdmin):
    list_display = ["case", "image", "uploaded_by", "uploaded_at"]
    list_select_related = ["case", "uploaded_by"]
    search_fields = ["case__number"]
