"""Completion of delivered orders: once the channel's after-sales window has closed since delivery, and no app
above holds the order back (aftersales: an open case), the order moves from delivered to completed.

The beat task ``orders.tasks.complete_delivered_orders_task`` runs ``orders_complete_due`` every hour. Each
order is completed in its own transaction under its lock; the window and the blockers are checked again there,
because a case can be opened (under the same lock) between the sweep's read and the completion.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import DateTimeField, ExpressionWrapper, F, QuerySet, Value
from django.utils import timezone

from oms.audit import run_transition
from oms.db import retry_on_conflict
from orders.hooks import completion_blocked
from orders.models import Order
from orders.services._common import S, _locked

COMPLETE_BATCH = 500


def _due_orders(*, now: datetime) -> QuerySet[Order]:
    """Delivered orders whose delivery plus their channel's after-sales window lies at or before ``now``."""
    due_at = ExpressionWrapper(
        F("delivered_at") + F("channel__aftersales_window_days") * Value(timedelta(days=1)),
        output_field=DateTimeField(),
    )
    return (
        Order.objects.filter(status=S.DELIVERED, delivered_at__isnull=False)
        .annotate(completion_due_at=due_at)
        .filter(completion_due_at__lte=now)
    )


@retry_on_conflict
def _order_complete_due(*, order_id: int, now: datetime) -> bool:
    """Complete one delivered order if it is still due and nothing blocks it; False when it was left as it is."""
    order = _locked(order_id)
    if order.status != S.DELIVERED or order.delivered_at is None:
        return False  # completed, or moved on, since the sweep read it
    days = order.channel.aftersales_window_days
    if order.delivered_at + timedelta(days=days) > now or completion_blocked([order.pk]):
        return False
    # No free-text note: the timeline names the step in the reader's language (已签收 → 已完成); a stored
    # English sentence would be English on a Chinese screen.
    run_transition(order, "complete", check_perm=False)
    order.save(update_fields=["status", "updated_at"])
    return True


def orders_complete_due(*, now: datetime | None = None, limit: int = COMPLETE_BATCH) -> dict[str, int]:
    """Complete up to ``limit`` delivered orders whose after-sales window has closed; skip blocked ones.

    Returns how many were completed, held back by a blocker (an open after-sales case) and left because they
    changed meanwhile. Blocked orders do not count against ``limit``, so they never starve the others.
    """
    now = now or timezone.now()
    counts = {"completed": 0, "blocked": 0, "skipped": 0}
    due = _due_orders(now=now).order_by("pk")
    last_pk = 0
    while counts["completed"] < limit:
        ids = list(due.filter(pk__gt=last_pk).values_list("pk", flat=True)[:limit])
        if not ids:
            break
        last_pk = ids[-1]
        blocked = completion_blocked(ids)
        counts["blocked"] += len(blocked)
        for order_id in ids:
            if order_id in blocked:
                continue
            if counts["completed"] >= limit:
                break
            done = _order_complete_due(order_id=order_id, now=now)
            counts["completed" if done else "skipped"] += 1
    return counts
