"""Django admin of the orders app: channels, tags and order rules are edited here (change-logged); tokens,
customers, orders and money are read-only (they change through the orders services and screens)."""

from django.contrib import admin

from oms.admin_mixins import ChangeLoggedAdmin, ReadOnlyAdmin, ReadOnlyInline
from orders.models import (
    Address,
    Channel,
    ChannelToken,
    Customer,
    Invoice,
    Order,
    OrderLine,
    OrderLineAllocation,
    OrderRule,
    Payment,
    RefundRecord,
    Tag,
)


class ChannelTokenInline(ReadOnlyInline):
    """Tokens are created with `manage.py create_api_token CHANNEL`, which prints the secret once."""

    model = ChannelToken
    fields = ["prefix", "name", "created_at", "last_used_at", "revoked_at"]
    show_change_link = False


@admin.register(Channel)
class ChannelAdmin(ChangeLoggedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "currency", "sla_hours", "aftersales_window_days", "is_active"]
    list_filter = ["kind", "is_active", "currency"]
    search_fields = ["code", "name"]
    inlines = [ChannelTokenInline]


@admin.register(ChannelToken)
class ChannelTokenAdmin(ReadOnlyAdmin):
    list_display = ["channel", "prefix", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["channel"]
    list_select_related = ["channel"]
    search_fields = ["prefix", "name", "channel__code"]
    exclude = ["key_hash"]


@admin.register(Tag)
class TagAdmin(ChangeLoggedAdmin, admin.ModelAdmin):
    list_display = ["name", "colour"]
    search_fields = ["name"]


@admin.register(OrderRule)
class OrderRuleAdmin(ChangeLoggedAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "condition", "threshold", "value", "points", "tag", "sort", "is_active"]
    list_editable = ["sort", "is_active"]
    list_filter = ["kind", "condition", "is_active"]
    list_select_related = ["tag"]
    search_fields = ["code", "name", "reason"]


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ["name", "phone", "email", "tier", "is_blacklisted", "created_at"]
    list_filter = ["tier", "is_blacklisted", "language"]
    search_fields = ["name", "phone", "email"]
    show_full_result_count = False


@admin.register(Address)
class AddressAdmin(ReadOnlyAdmin):
    list_display = ["name", "phone", "province", "city", "district", "line1", "customer"]
    list_filter = ["province"]
    list_select_related = ["customer"]
    search_fields = ["name", "phone", "line1"]
    show_full_result_count = False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["line_no", "sku_code", "name", "quantity", "unit_price", "line_total"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["method", "amount", "status", "transaction_id", "paid_at", "refunded_amount", "collected_by"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "channel",
        "external_id",
        "status",
        "total",
        "currency",
        "priority",
        "placed_at",
    ]
    list_filter = ["status", "channel", "source", "is_urgent"]
    list_select_related = ["channel"]
    search_fields = ["number", "external_id", "contact_phone"]
    date_hierarchy = "placed_at"
    show_full_result_count = False
    inlines = [OrderLineInline, PaymentInline]


@admin.register(OrderLine)
class OrderLineAdmin(ReadOnlyAdmin):
    list_display = [
        "order",
        "line_no",
        "sku_code",
        "name",
        "quantity",
        "unit_price",
        "line_total",
        "net_total",
    ]
    list_select_related = ["order"]
    search_fields = ["order__number", "sku_code"]
    show_full_result_count = False


@admin.register(OrderLineAllocation)
class OrderLineAllocationAdmin(ReadOnlyAdmin):
    list_display = ["line", "warehouse", "quantity", "reservation_id", "created_at", "released_at"]
    list_filter = ["warehouse"]
    list_select_related = ["line__order", "warehouse"]
    search_fields = ["line__order__number", "demand_ref"]
    show_full_result_count = False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["order", "method", "amount", "status", "transaction_id", "paid_at"]
    list_filter = ["method", "status"]
    list_select_related = ["order"]
    search_fields = ["order__number", "transaction_id"]
    show_full_result_count = False


@admin.register(RefundRecord)
class RefundRecordAdmin(ReadOnlyAdmin):
    list_display = ["order", "amount", "status", "reason", "created_at"]
    list_filter = ["status"]
    list_select_related = ["order"]
    search_fields = ["order__number"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "order", "status", "invoice_type", "title", "amount", "issued_on", "created_at"]
    list_filter = ["status", "invoice_type"]
    list_select_related = ["order"]
    search_fields = ["number", "order__number", "title", "taxpayer_id"]
    date_hierarchy = "created_at"
    show_full_result_count = False
