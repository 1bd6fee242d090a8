"""Models of the reports app: daily summary tables (refreshed by Celery) and when each was last refreshed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyOrderStat(models.Model):
    """Orders placed per day (business time zone) × channel × province × promotion flag."""

    day = models.DateField(_("day"))
    channel_id = models.BigIntegerField(_("channel"))
    province = models.CharField(_("province"), max_length=50)
    is_promotion = models.BooleanField(_("promotion"))
    orders = models.PositiveIntegerField(_("orders"))
    cancelled = models.PositiveIntegerField(_("cancelled"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    units = models.PositiveIntegerField(_("units"))

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "channel_id", "province", "is_promotion"], name="daily_order_stat_unique"
            ),
        ]
        indexes = [models.Index(fields=["day", "channel_id"], name="daily_order_stat_day_idx")]
        permissions = [
            ("view_reports", _("Can see the reports")),
            ("export_finance", _("Can export journal lines for the finance system")),
        ]
        verbose_name = _("daily order statistic")
        verbose_name_plural = _("daily order statistics")

    def __str__(self) -> str:
        return f"{self.day} channel {self.channel_id} {self.province}: {self.orders}"


class DailyAmountBucket(models.Model):
    """How many orders of each value band were placed per day × channel (the order value distribution)."""

    day = models.DateField(_("day"))
    channel_id = models.BigIntegerField(_("channel"))
    bucket = models.PositiveSmallIntegerField(_("value band"))
    orders = models.PositiveIntegerField(_("orders"))

    class Meta:
        ordering = ["day", "bucket"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "channel_id", "bucket"], name="daily_amount_bucket_unique"
            ),
        ]
        verbose_name = _("daily order value band")
        verbose_name_plural = _("daily order value bands")

    def __str__(self) -> str:
        return f"{self.day} channel {self.channel_id} band {self.bucket}: {self.orders}"


class SummaryRefresh(models.Model):
    name = models.CharField(_("summary"), max_length=50, unique=True)
    refreshed_at = models.DateTimeField(_("refreshed"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    rows = models.PositiveIntegerField(_("rows"))

    class Meta:
        verbose_name = _("summary refresh")
        verbose_name_plural = _("summary refreshes")

    def __str__(self) -> str:
        return f"{self.name} @ {self.refreshed_at:%Y-%m-%d %H:%M}"
