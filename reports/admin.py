"""Django admin for the report summaries (read-only: they are rebuilt by Celery)."""

from django.contrib import admin

from oms.admin_mixins import ReadOnlyAdmin
from reports.models import DailyAmountBucket, DailyOrderStat, SummaryRefresh


@admin.register(DailyOrderStat)
class DailyOrderStatAdmin(ReadOnlyAdmin):
    list_display = ("day", "channel_id", "province", "is_promotion", "orders", "cancelled", "amount", "units")
    list_filter = ("is_promotion", "channel_id")
    date_hierarchy = "day"


@admin.register(DailyAmountBucket)
class DailyAmountBucketAdmin(ReadOnlyAdmin):
    list_display = ("day", "channel_id", "bucket", "orders")
    date_hierarchy = "day"


@admin.register(SummaryRefresh)
class SummaryRefreshAdmin(ReadOnlyAdmin):
    list_display = ("name", "refreshed_at", "duration_ms", "rows")
