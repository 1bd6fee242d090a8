"""Admin mixin: every edit of a business record made in Django admin lands in the change log."""

from __future__ import annotations

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
