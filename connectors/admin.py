"""Admin for the connectors app (credentials are never shown; the shop page masks them)."""

from django.contrib import admin

from connectors.models import Connection, InboundEvent, Listing


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ("channel", "platform", "is_active", "last_webhook_at", "last_error_at")
    exclude = ("secrets",)


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    list_display = ("connection", "topic", "external_id", "status", "received_at")
    list_filter = ("status", "source")


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("connection", "sku", "external_ref", "last_quantity", "last_pushed_at")
