"""Django admin for carriers, services, rate tables and carrier rules; shipments are read-only here."""

from django.contrib import admin

from fulfillment.models import (
    Carrier,
    CarrierRule,
    CarrierService,
    CodRemittance,
    PackScan,
    PickWave,
    RateRow,
    Shipment,
    ShipmentLine,
    TrackingEvent,
)
from oms.admin_mixins import ChangeLoggedAdmin, ReadOnlyAdmin, ReadOnlyInline


class CarrierServiceInline(admin.TabularInline):
    model = CarrierService
    extra = 0
    fields = ["code", "name", "kind", "max_weight_g", "max_volume_cm3", "provinces", "is_active"]


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "adapter", "late_after_days", "is_active"]
    list_filter = ["kind", "adapter", "is_active"]
    search_fields = ["code", "name"]
    inlines = [CarrierServiceInline]


class RateRowInline(admin.TabularInline):
    model = RateRow
    extra = 1


@admin.register(CarrierService)
class CarrierServiceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "max_weight_g", "max_volume_cm3", "is_active"]
    list_filter = ["carrier", "kind", "is_active"]
    list_select_related = ["carrier"]
    inlines = [RateRowInline]


@admin.register(CarrierRule)
class CarrierRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "priority", "condition", "threshold", "service", "is_active"]
    list_editable = ["priority", "is_active"]
    list_select_related = ["service__carrier"]


@admin.register(RateRow)
class RateRowAdmin(ChangeLoggedAdmin, admin.ModelAdmin):
    list_display = ["service", "province", "first_weight_g", "first_price", "extra_kg_price"]
    list_filter = ["service__carrier", "service"]
    list_select_related = ["service__carrier"]
    search_fields = ["province", "service__code", "service__carrier__code"]


@admin.register(PickWave)
class PickWaveAdmin(ReadOnlyAdmin):
    list_display = ["number", "warehouse", "carrier", "status", "cutoff_at", "created_by", "created_at"]
    list_filter = ["status", "warehouse", "carrier"]
    list_select_related = ["warehouse", "carrier", "created_by"]
    search_fields = ["number"]
    date_hierarchy = "created_at"


class ShipmentLineInline(ReadOnlyInline):
    model = ShipmentLine
    fields = ["sku", "quantity", "verified_qty", "shipped_qty", "demand_ref"]


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "order",
        "warehouse",
        "supplier",
        "status",
        "carrier_service",
        "tracking_number",
        "is_late",
        "shipped_at",
    ]
    list_filter = ["status", "warehouse", "is_drop_ship", "is_late"]
    list_select_related = ["order", "warehouse", "supplier", "carrier_service__carrier"]
    search_fields = ["number", "order__number", "tracking_number"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [ShipmentLineInline]


@admin.register(ShipmentLine)
class ShipmentLineAdmin(ReadOnlyAdmin):
    list_display = ["shipment", "sku", "quantity", "verified_qty", "shipped_qty"]
    list_select_related = ["shipment", "sku"]
    search_fields = ["shipment__number", "sku__code"]
    show_full_result_count = False


@admin.register(PackScan)
class PackScanAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "shipment", "code", "result", "message", "by"]
    list_filter = ["result"]
    list_select_related = ["shipment", "by"]
    search_fields = ["shipment__number", "code"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(TrackingEvent)
class TrackingEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "shipment", "kind", "description", "location", "source"]
    list_filter = ["kind", "source"]
    list_select_related = ["shipment"]
    search_fields = ["shipment__number", "shipment__tracking_number"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(CodRemittance)
class CodRemittanceAdmin(ReadOnlyAdmin):
    """Remittances are recorded on the COD reconciliation screen (fulfillment.services.cod_remittance_record)."""

    list_display = ["remitted_on", "carrier", "amount", "currency", "reference", "recorded_by", "created_at"]
    list_filter = ["carrier"]
    list_select_related = ["carrier", "recorded_by"]
    search_fields = ["reference"]
    date_hierarchy = "remitted_on"
