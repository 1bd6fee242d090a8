"""Rebuild the daily summary tables from orders (SQL in the database; safe to run twice, any window)."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from orders.selectors_reports import orders_daily_stats_insert, orders_placed_span, orders_value_bands_insert
from reports.models import DailyAmountBucket, DailyOrderStat, SummaryRefresh

# Order value bands (CNY): < 50, 50–100, 100–200, 200–500, 500–1000, 1000–2000, ≥ 2000.
VALUE_BAND_EDGES = [50, 100, 200, 500, 1000, 2000]


def value_band_labels() -> list[str]:
    edges = VALUE_BAND_EDGES
    labels = [f"< {edges[0]}"]
    labels += [f"{low}–{high}" for low, high in zip(edges, edges[1:], strict=False)]
    labels.append(f"≥ {edges[-1]}")
    return labels


def _bounds(day_from: date, day_to: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    start = datetime.combine(day_from, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(day_to + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return start, end


def _all_days() -> tuple[date, date] | None:
    """The first and the last day with orders (business time zone), None without orders."""
    first, last = orders_placed_span()
    if first is None:
        return None
    tz = timezone.get_default_timezone()
    return first.astimezone(tz).date(), last.astimezone(tz).date()


def refresh_order_summaries(*, day_from: date | None = None, day_to: date | None = None) -> int:
    """Recompute the order summaries for days in [day_from, day_to] (all days when both are None)."""
    started = time.monotonic()
    if day_from is None or day_to is None:
        span = _all_days()
        if span is None:
            _record("orders", started, 0)
            return 0
        day_from = day_from or span[0]
        day_to = day_to or span[1]
    start, end = _bounds(day_from, day_to)
    window = {"tz": settings.TIME_ZONE, "start": start, "end": end}
    with transaction.atomic():
        with connection.cursor() as cursor:
            days = {"d0": day_from, "d1": day_to}
            cursor.execute("DELETE FROM reports_dailyorderstat WHERE day BETWEEN %(d0)s AND %(d1)s", days)
            cursor.execute("DELETE FROM reports_dailyamountbucket WHERE day BETWEEN %(d0)s AND %(d1)s", days)
        # One INSERT ... SELECT each (the orders app's SQL), so a rebuild stays one pass over the orders.
        rows = orders_daily_stats_insert(table=DailyOrderStat._meta.db_table, **window)
        orders_value_bands_insert(table=DailyAmountBucket._meta.db_table, edges=VALUE_BAND_EDGES, **window)
    _record("orders", started, rows)
    return rows


def refresh_recent(*, days: int = 2) -> int:
    today = timezone.localdate()
    return refresh_order_summaries(day_from=today - timedelta(days=days), day_to=today)


def _record(name: str, started: float, rows: int) -> None:
    SummaryRefresh.objects.update_or_create(
        name=name,
        defaults={
            "refreshed_at": timezone.now(),
            "duration_ms": int((time.monotonic() - started) * 1000),
            "rows": rows,
        },
    )


def last_refresh(name: str = "orders") -> SummaryRefresh | None:
    return SummaryRefresh.objects.filter(name=name).first()


# Without a Celery worker (no broker: the demo), beat never refreshes the summaries; a report page does it.
STALE_WITHOUT_WORKER = timedelta(minutes=5)


def ensure_fresh() -> SummaryRefresh | None:
    """The summaries a report reads, built if they never were, and kept fresh when no worker runs beat.

    With a worker, only the very first build happens here (a fresh install); beat does the rest.
    """
    refresh = last_refresh()
    if refresh is None:
        refresh_order_summaries()
    elif settings.CELERY_TASK_ALWAYS_EAGER and timezone.now() - refresh.refreshed_at > STALE_WITHOUT_WORKER:
        refresh_recent(days=2)
    else:
        return refresh
    return last_refresh()
