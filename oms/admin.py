"""Django admin for the project package's models."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from oms.admin_mixins import ChangeLoggedAdmin
from oms.models import BackgroundJob, ChangeLog, OutboxMessage, PersonalDataAccess, User


@admin.register(User)
class UserAdmin(ChangeLoggedAdmin, BaseUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "language", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "groups", "language")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Preferences"), {"fields": ("language", "phone")}))


@admin.register(ChangeLog)
class ChangeLogAdmin(admin.ModelAdmin):
    list_display = ("timestamp", "object_repr", "content_type", "action", "by", "note")
    list_filter = ("content_type", "action")
    search_fields = ("object_repr", "note", "by__username")
    date_hierarchy = "timestamp"
    readonly_fields = [f.name for f in ChangeLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "recipient", "event", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "event")
    search_fields = ("recipient", "subject", "event", "dedupe_key")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "attempts", "sent_at", "last_error", "status", "dedupe_key")


@admin.register(BackgroundJob)
class BackgroundJobAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "status",
        "progress_done",
        "progress_total",
        "created_by",
        "finished_at",
    )
    list_filter = ("status", "handler")
    search_fields = ("kind", "message")
    date_hierarchy = "created_at"
    readonly_fields = ("started_at", "finished_at", "progress_done", "progress_total", "result")


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ("timestamp", "user", "object_repr", "content_type", "fields", "purpose")
    list_filter = ("content_type",)
    search_fields = ("object_repr", "user__username", "purpose")
    date_hierarchy = "timestamp"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
