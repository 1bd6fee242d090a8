"""Reads of orders for the reports app: summary builds, repurchase, dashboard counts, journal lines."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django_fsm_log.models import StateLog

from orders.choices import OrderStatus, RefundStatus
from orders.models import Channel, Order, RefundRecord
from orders.selectors import late_q, with_sla_deadline


def channel_choices() -> list[tuple[int, str]]:
    """Every channel as (pk, name), for a filter's choices."""
    return list(Channel.objects.values_list("pk", "name"))


def channel_names() -> dict[int, str]:
    return dict(Channel.objects.values_list("pk", "name"))


def orders_placed_span() -> tuple[datetime | None, datetime | None]:
    """When the first and the last order were placed (both None without orders)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(placed_at), max(placed_at) FROM orders_order")
        return cursor.fetchone()


# One INSERT ... SELECT, kept whole (target table from reports) so a rebuild stays one pass over the orders.
def orders_daily_stats_insert(*, table: str, tz: str, start: datetime, end: datetime) -> int:
    """Insert into ``table`` (the reports app's daily order statistics) the orders placed in [start, end)
    per day (in ``tz``) × channel × province × promotion flag; returns the rows inserted."""
    params = {"tz": tz, "start": start, "end": end, "cancelled": OrderStatus.CANCELLED.value}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH o AS (
                SELECT id, (placed_at AT TIME ZONE %(tz)s)::date AS day, channel_id, province,
                       promotion <> '' AS is_promotion, status, total
                FROM orders_order WHERE placed_at >= %(start)s AND placed_at < %(end)s
            ), l AS (
                SELECT order_id, SUM(quantity) AS units FROM orders_orderline
                WHERE order_id IN (SELECT id FROM o) GROUP BY order_id
            )
            INSERT INTO {connection.ops.quote_name(table)}
                (day, channel_id, province, is_promotion, orders, cancelled, amount, units)
            SELECT o.day, o.channel_id, o.province, o.is_promotion, COUNT(*),
                   COUNT(*) FILTER (WHERE o.status = %(cancelled)s),
                   COALESCE(SUM(o.total) FILTER (WHERE o.status <> %(cancelled)s), 0),
                   COALESCE(SUM(l.units) FILTER (WHERE o.status <> %(cancelled)s), 0)
            FROM o LEFT JOIN l ON l.order_id = o.id
            GROUP BY 1, 2, 3, 4
            """,  # noqa: S608 - the table name is quoted, values are parameters
            params,
        )
        return cursor.rowcount


def orders_value_bands_insert(
    *, table: str, tz: str, start: datetime, end: datetime, edges: list[int]
) -> int:
    """Insert into ``table`` (the reports app's value bands) how many orders placed in [start, end), not
    cancelled, fall in each band of ``edges`` per day (in ``tz``) × channel; returns the rows inserted."""
    params = {"tz": tz, "start": start, "end": end, "edges": edges, "cancelled": OrderStatus.CANCELLED.value}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {connection.ops.quote_name(table)} (day, channel_id, bucket, orders)
            SELECT (placed_at AT TIME ZONE %(tz)s)::date, channel_id,
                   width_bucket(total, %(edges)s::numeric[]), COUNT(*)
            FROM orders_order
            WHERE placed_at >= %(start)s AND placed_at < %(end)s AND status <> %(cancelled)s
            GROUP BY 1, 2, 3
            """,  # noqa: S608 - the table name is quoted, values are parameters
            params,
        )
        return cursor.rowcount


def customers_repurchase_counts(
    *, start: datetime, end: datetime, channel_id: int | None = None
) -> tuple[int, int, int, int]:
    """Of the customers with orders (not cancelled) placed in [start, end): how many, how many ordered
    twice or more, three times or more, and their orders in all."""
    params: list = [start, end, OrderStatus.CANCELLED.value]
    channel_sql = ""
    if channel_id:
        channel_sql = " AND channel_id = %s"
        params.append(channel_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COUNT(*), COUNT(*) FILTER (WHERE n >= 2), COUNT(*) FILTER (WHERE n >= 3), COALESCE(SUM(n), 0)
            FROM (SELECT customer_id, COUNT(*) AS n FROM orders_order
                  WHERE placed_at >= %s AND placed_at < %s AND status <> %s{channel_sql}
                  GROUP BY customer_id) c
            """,  # noqa: S608 - channel_sql is a fixed fragment, values are parameters
            params,
        )
        return cursor.fetchone()


def orders_placed_since_count(*, since: datetime) -> int:
    return Order.objects.filter(placed_at__gte=since).count()


def orders_in_status_count(*, statuses) -> int:
    return Order.objects.filter(status__in=statuses).count()


def orders_late_against_sla_count() -> int:
    """Paid orders not shipped whose channel's SLA has run out (the orders app's own definition)."""
    return with_sla_deadline(Order.objects.all()).filter(late_q()).count()


def orders_week_totals(
    *, this_week: tuple[datetime, datetime], last_week: tuple[datetime, datetime]
) -> dict[str, int | Decimal]:
    """Orders placed, and revenue of those not cancelled, in two spans [start, end): one query."""
    this_q = Q(placed_at__gte=this_week[0], placed_at__lt=this_week[1])
    last_q = Q(placed_at__gte=last_week[0], placed_at__lt=last_week[1])
    kept = ~Q(status=OrderStatus.CANCELLED)
    zero = Decimal("0.00")
    return Order.objects.filter(this_q | last_q).aggregate(
        orders=Count("pk", filter=this_q),
        orders_before=Count("pk", filter=last_q),
        revenue=Coalesce(Sum("total", filter=this_q & kept), zero),
        revenue_before=Coalesce(Sum("total", filter=last_q & kept), zero),
    )


def orders_by_day(*, start: datetime, end: datetime) -> dict:
    """Orders placed and revenue (not cancelled) per local day in [start, end): {date: (orders, revenue)}."""
    kept = ~Q(status=OrderStatus.CANCELLED)
    rows = (
        Order.objects.filter(placed_at__gte=start, placed_at__lt=end)
        .annotate(day=TruncDate("placed_at"))
        .values("day")
        .annotate(orders=Count("pk"), revenue=Coalesce(Sum("total", filter=kept), Decimal("0.00")))
        .order_by("day")
    )
    return {r["day"]: (r["orders"], r["revenue"]) for r in rows}


def orders_completed_between(
    *, start: datetime, end: datetime, channel_id: int | None = None
) -> QuerySet[Order]:
    """Completed orders whose last completion was in [start, end), oldest first, with ``completed_at``."""
    completed_at = (
        StateLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Order),
            object_id=OuterRef("pk"),
            state=OrderStatus.COMPLETED,
        )
        .order_by("-timestamp")
        .values("timestamp")[:1]
    )
    orders = (
        Order.objects.filter(status=OrderStatus.COMPLETED)
        .annotate(completed_at=Subquery(completed_at))
        .filter(completed_at__gte=start, completed_at__lt=end)
        .select_related("channel")
        .order_by("completed_at", "pk")
    )
    if channel_id:
        orders = orders.filter(channel_id=channel_id)
    return orders


def refunds_done_between(
    *, start: datetime, end: datetime, channel_id: int | None = None
) -> QuerySet[RefundRecord]:
    """Refunds of cancelled paid orders paid out in [start, end), oldest first, with their order and channel."""
    refunds = (
        RefundRecord.objects.filter(status=RefundStatus.DONE, paid_at__gte=start, paid_at__lt=end)
        .select_related("order__channel")
        .order_by("paid_at", "pk")
    )
    if channel_id:
        refunds = refunds.filter(order__channel_id=channel_id)
    return refunds
