"""Django admin for the inventory catalogue and (read-only) stock records."""

from django.contrib import admin

from inventory.models import (
    SKU,
    Location,
    LowStockAlert,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    Reservation,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMovement,
    StockTransfer,
    StockTransferLine,
    Supplier,
    SupplierSKU,
    Warehouse,
)
from oms.admin_mixins import ReadOnlyAdmin, ReadOnlyInline


class SKUInline(admin.TabularInline):
    model = SKU
    extra = 0
    fields = ("code", "name", "barcode", "price", "weight_g", "is_sellable")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "brand", "category", "created_at")
    list_filter = ("category", "brand")
    search_fields = ("code", "name", "brand")
    inlines = [SKUInline]


@admin.register(SKU)
class SKUAdmin(admin.ModelAdmin):
    list_display = ("code", "product", "name", "barcode", "price", "weight_g", "is_sellable", "is_bulky")
    list_filter = ("is_sellable", "is_fragile", "is_high_value", "is_bulky", "product__category")
    search_fields = ("code", "barcode", "name", "product__name", "product__code")
    list_select_related = ("product",)
    autocomplete_fields = ("product",)


class SupplierSKUInline(admin.TabularInline):
    model = SupplierSKU
    extra = 0
    autocomplete_fields = ("sku",)


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "contact_name", "phone", "email", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "contact_name", "phone")
    inlines = [SupplierSKUInline]


@admin.register(SupplierSKU)
class SupplierSKUAdmin(admin.ModelAdmin):
    list_display = (
        "supplier",
        "sku",
        "cost",
        "lead_time_days",
        "min_order_qty",
        "is_drop_ship",
        "is_preferred",
    )
    list_filter = ("is_drop_ship", "is_preferred", "supplier")
    search_fields = ("sku__code", "supplier__name", "supplier_sku_code")
    list_select_related = ("supplier", "sku")
    autocomplete_fields = ("sku", "supplier")


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0
    fields = ("code", "kind", "pick_sequence")


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "province", "priority", "daily_capacity", "is_active")
    list_filter = ("is_active", "province")
    search_fields = ("code", "name", "city")
    inlines = [LocationInline]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("code", "warehouse", "kind", "pick_sequence")
    list_filter = ("warehouse", "kind")
    search_fields = ("code",)
    filter_horizontal = ("skus",)


class _StockRecordAdmin(ReadOnlyAdmin):
    """The stock records: each row is one SKU at one warehouse, listed with both."""

    list_select_related = ("sku__product", "warehouse")

    @staticmethod
    def columns(*before: str, after: tuple[str, ...]) -> tuple[str, ...]:
        return (*before, "sku", "warehouse", *after)


@admin.register(StockLevel)
class StockLevelAdmin(_StockRecordAdmin):
    list_display = _StockRecordAdmin.columns(
        after=("on_hand", "reserved", "available", "damaged", "safety_stock", "updated_at")
    )
    list_filter = ("warehouse",)
    search_fields = ("sku__code", "sku__barcode")


@admin.register(StockMovement)
class StockMovementAdmin(_StockRecordAdmin):
    list_display = _StockRecordAdmin.columns(
        "created_at", after=("kind", "bucket", "quantity", "balance_after", "reference", "by")
    )
    list_filter = ("kind", "bucket", "warehouse")
    search_fields = ("sku__code", "reference", "reason")
    date_hierarchy = "created_at"
    list_select_related = (*_StockRecordAdmin.list_select_related, "by")


@admin.register(Reservation)
class ReservationAdmin(_StockRecordAdmin):
    list_display = _StockRecordAdmin.columns(
        "created_at", after=("quantity", "demand_ref", "status", "closed_at")
    )
    list_filter = ("status", "warehouse")
    search_fields = ("sku__code", "demand_ref")


@admin.register(LowStockAlert)
class LowStockAlertAdmin(_StockRecordAdmin):
    list_display = _StockRecordAdmin.columns(
        "opened_at", after=("available_at_open", "safety_stock", "status", "closed_at")
    )
    list_filter = ("status", "warehouse")
    search_fields = ("sku__code",)


# --- purchase orders, counts, transfers: changed only through their screens' services ----------------


class PurchaseOrderLineInline(ReadOnlyInline):
    model = PurchaseOrderLine
    fields = ("sku", "supplier_sku_code", "quantity_ordered", "quantity_received", "unit_cost")


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "status", "supplier", "warehouse", "created_at", "sent_at", "received_at")
    list_filter = ("status", "warehouse")
    search_fields = ("number", "supplier__name", "supplier__code")
    list_select_related = ("supplier", "warehouse")
    inlines = [PurchaseOrderLineInline]


class StockCountLineInline(ReadOnlyInline):
    model = StockCountLine
    fields = ("sku", "expected_at_start", "expected", "counted", "unit_cost", "adjusted")


@admin.register(StockCount)
class StockCountAdmin(ReadOnlyAdmin):
    list_display = ("number", "status", "warehouse", "zone", "created_at", "approved_by", "approved_at")
    list_filter = ("status", "warehouse")
    search_fields = ("number",)
    list_select_related = ("warehouse", "approved_by")
    inlines = [StockCountLineInline]


class StockTransferLineInline(ReadOnlyInline):
    model = StockTransferLine
    fields = ("sku", "quantity")


@admin.register(StockTransfer)
class StockTransferAdmin(ReadOnlyAdmin):
    list_display = ("number", "status", "from_warehouse", "to_warehouse", "shipped_at", "received_at")
    list_filter = ("status",)
    search_fields = ("number",)
    list_select_related = ("from_warehouse", "to_warehouse")
    inlines = [StockTransferLineInline]


@admin.register(PurchaseOrderLine)
class PurchaseOrderLineAdmin(ReadOnlyAdmin):
    list_display = ("purchase_order", "sku", "quantity_ordered", "quantity_received", "unit_cost")
    search_fields = ("purchase_order__number", "sku__code")
    list_select_related = ("purchase_order", "sku")


@admin.register(StockCountLine)
class StockCountLineAdmin(ReadOnlyAdmin):
    list_display = ("count", "sku", "expected", "counted", "adjusted")
    search_fields = ("count__number", "sku__code")
    list_select_related = ("count", "sku")


@admin.register(StockTransferLine)
class StockTransferLineAdmin(ReadOnlyAdmin):
    list_display = ("transfer", "sku", "quantity")
    search_fields = ("transfer__number", "sku__code")
    list_select_related = ("transfer", "sku")
