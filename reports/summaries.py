"""Rebuild the daily summary tables from orders (SQL in the database; safe to run twice, any window)."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from reports.models import SummaryRefresh

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


def refresh_order_summaries(*, day_from: date | None = None, day_to: date | None = None) -> int:
    """Recompute the order summaries for days in [day_from, day_to] (all days when both are None)."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        if day_from is None or day_to is None:
            cursor.execute("SELECT min(placed_at), max(placed_at) FROM orders_order")
            first, last = cursor.fetchone()
            if first is None:
                _record("orders", started, 0)
                return 0
            tz = timezone.get_default_timezone()
            day_from = day_from or first.astimezone(tz).date()
            day_to = day_to or last.astimezone(tz).date()
    start, end = _bounds(day_from, day_to)
    params = {
        "tz": settings.TIME_ZONE,
        "start": start,
        "end": end,
        "d0": day_from,
        "d1": day_to,
        "edges": VALUE_BAND_EDGES,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_dailyorderstat WHERE day BETWEEN %(d0)s AND %(d1)s", params)
        cursor.execute("DELETE FROM reports_dailyamountbucket WHERE day BETWEEN %(d0)s AND %(d1)s", params)
        cursor.execute(
            """
            WITH o AS (
                SELECT id, (placed_at AT TIME ZONE %(tz)s)::date AS day, channel_id, province,
                       promotion <> '' AS is_promotion, status, total
                FROM orders_order WHERE placed_at >= %(start)s AND placed_at < %(end)s
            ), l AS (
                SELECT order_id, SUM(quantity) AS units FROM orders_orderline
                WHERE order_id IN (SELECT id FROM o) GROUP BY order_id
            )
            INSERT INTO reports_dailyorderstat (day, channel_id, province, is_promotion, orders, cancelled, amount, units)
            SELECT o.day, o.channel_id, o.province, o.is_promotion, COUNT(*),
                   COUNT(*) FILTER (WHERE o.status = 'cancelled'),
                   COALESCE(SUM(o.total) FILTER (WHERE o.status <> 'cancelled'), 0),
                   COALESCE(SUM(l.units) FILTER (WHERE o.status <> 'cancelled'), 0)
            FROM o LEFT JOIN l ON l.order_id = o.id
            GROUP BY 1, 2, 3, 4
            """,
            params,
        )
        rows = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO reports_dailyamountbucket (day, channel_id, bucket, orders)
            SELECT (placed_at AT TIME ZONE %(tz)s)::date, channel_id,
                   width_bucket(total, %(edges)s::numeric[]), COUNT(*)
            FROM orders_order
            WHERE placed_at >= %(start)s AND placed_at < %(end)s AND status <> 'cancelled'
            GROUP BY 1, 2, 3
            """,
            params,
        )
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
