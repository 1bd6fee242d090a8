"""Django admin for carriers, services, rate tables and carrier rules; shipments are read-only here."""

from django.contrib import admin

from fulfillment.models import Carrier, CarrierRule, CarrierService, RateRow


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
