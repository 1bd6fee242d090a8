"""Django admin: everything of reconciliation is read-only here (it changes only through the services);
the per-supplier bill column mapping may be corrected."""

from django.contrib import admin

from oms.admin_mixins import ChangeLoggedAdmin, ReadOnlyAdmin
from reconciliation.models import (
    BillColumnMapping,
    BillMatch,
    ReconcilableItem,
    Settlement,
    StatementLine,
    SupplierBill,
    SupplierBillLine,
    SupplierStatement,
)


@admin.register(ReconcilableItem)
class ReconcilableItemAdmin(ReadOnlyAdmin):
    list_display = [
        "item_date",
        "supplier",
        "kind",
        "reference",
        "sku_code",
        "quantity",
        "amount",
        "status",
        "statement",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["reference", "order_number", "sku_code"]
    list_select_related = ["supplier", "statement"]
    show_full_result_count = False


@admin.register(SupplierStatement)
class SupplierStatementAdmin(ReadOnlyAdmin):
    list_display = ["number", "supplier", "status", "line_count", "total", "created_at", "reconciled_on"]
    list_filter = ["status"]
    search_fields = ["number", "supplier__name"]
    list_select_related = ["supplier"]


@admin.register(SupplierBill)
class SupplierBillAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "statement", "status", "row_count", "created_at"]
    list_filter = ["status"]


@admin.register(BillMatch)
class BillMatchAdmin(ReadOnlyAdmin):
    list_display = ["statement", "kind", "reference", "sku_code", "our_amount", "their_amount", "resolution"]
    list_filter = ["kind", "resolution"]
    show_full_result_count = False


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ["statement", "paid_on", "amount", "reference"]


@admin.register(BillColumnMapping)
class BillColumnMappingAdmin(ChangeLoggedAdmin, admin.ModelAdmin):
    list_display = [
        "supplier",
        "reference_column",
        "sku_column",
        "quantity_column",
        "amount_column",
        "date_column",
    ]


@admin.register(StatementLine)
class StatementLineAdmin(ReadOnlyAdmin):
    list_display = ["statement", "item", "kind", "quantity", "amount"]
    list_filter = ["kind"]
    list_select_related = ["statement", "item"]
    search_fields = ["statement__number", "item__reference"]
    show_full_result_count = False


@admin.register(SupplierBillLine)
class SupplierBillLineAdmin(ReadOnlyAdmin):
    list_display = ["bill", "row_number", "reference", "sku_code", "quantity", "amount", "line_date"]
    list_select_related = ["bill"]
    search_fields = ["reference", "sku_code"]
    show_full_result_count = False
