"""Django admin for the report summaries (read-only: they are rebuilt by Celery)."""

from django.contrib import admin

from reports.models import DailyAmountBucket, DailyOrderStat, SummaryRefresh


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DailyOrderStat)
class DailyOrderStatAdmin(ReadOnly):
    list_display = ("day", "channel_id", "province", "is_promotion", "orders", "cancelled", "amount", "units")
    list_filter = ("is_promotion", "channel_id")
    date_hierarchy = "day"


@admin.register(DailyAmountBucket)
class DailyAmountBucketAdmin(ReadOnly):
    list_display = ("day", "channel_id", "bucket", "orders")
    date_hierarchy = "day"


@admin.register(SummaryRefresh)
class SummaryRefreshAdmin(ReadOnly):
    list_display = ("name", "refreshed_at", "duration_ms", "rows")
