"""Admin mixin: every edit of a business record made in Django admin lands in the change log."""

from __future__ import annotations

from django.contrib import admin

from oms.audit import log_changes, snapshot


class ChangeLoggedAdmin:
    """Mix into a ModelAdmin: field changes made through the admin form are written to ``ChangeLog``."""

    def save_model(self, request, obj, form, change):
        fields = [f for f in form.changed_data if f in {field.name for field in obj._meta.concrete_fields}]
        before = {}
        if change and fields:
            before = snapshot(type(obj)._default_manager.get(pk=obj.pk), fields)
        super().save_model(request, obj, form, change)
        if change and before:
            log_changes(instance=obj, before=before, by=request.user, note="admin")
        elif not change:
            log_changes(instance=obj, before={}, by=request.user, note="admin", action="create")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that change only through their app's services: browsable and searchable, never edited here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Lines shown inside their parent's admin page, never added, edited or deleted there."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields or [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False
