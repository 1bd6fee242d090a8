"""Orders waiting past their channel's SLA: the SLA-late priority rules apply while they wait (a periodic
review moves them up the queue), and operations are e-mailed once about each."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from oms.audit import log_changes, snapshot
from oms.notes import note
from oms.notifications import notify_staff
from orders.choices import RuleCondition, RuleKind
from orders.models import Order, OrderRule
from orders.selectors import QUEUE_ORDER, late_q, with_sla_deadline


def _sla_rules() -> list[OrderRule]:
    return list(
        OrderRule.objects.filter(
            is_active=True, kind=RuleKind.PRIORITY, condition=RuleCondition.SLA_LATE
        ).order_by("sort", "code")
    )


def _apply_sla_rules(order: Order, rules: list[OrderRule]) -> set[int]:
    """Add each SLA-late rule's points and reason once (a rule already applied is not applied again)."""
    tags = set()
    reasons = list(order.priority_reasons or [])
    for rule in rules:
        reason = rule.reason or rule.name
        if reason in reasons:
            continue
        reasons.append(reason)
        order.priority += rule.points
        if rule.tag_id:
            tags.add(rule.tag_id)
    order.priority_reasons = reasons
    return tags


def orders_sla_review(*, now=None, limit: int = 500) -> dict[str, int]:
    """Late orders not yet reviewed: re-evaluate the SLA-late priority rules, log it on each order's
    timeline, and send operations one e-mail listing them. Safe to run twice or concurrently (each order
    is locked and marked ``sla_alerted_at``; rows another run holds are skipped)."""
    now = now or timezone.now()
    rules = _sla_rules()
    with transaction.atomic():
        orders = list(
            with_sla_deadline(Order.objects.select_for_update(of=("self",), skip_locked=True))
            .select_related("channel")
            .filter(late_q(now), sla_alerted_at__isnull=True)
            .order_by(*QUEUE_ORDER)[:limit]
        )
        raised = 0
        for order in orders:
            before = snapshot(order, ["priority", "priority_reasons"])
            tags = _apply_sla_rules(order, rules)
            order.sla_alerted_at = now
            raised += order.priority != before["priority"]
            order.save(update_fields=["priority", "priority_reasons", "sla_alerted_at", "updated_at"])
            if tags:
                order.tags.add(*sorted(tags))
            log_changes(
                instance=order, before=before, note=note("orders.sla_late", hours=order.channel.sla_hours)
            )
        if orders:
            _alert_operations(orders)
    return {"late": len(orders), "raised": raised}


def _alert_operations(orders: list[Order]) -> None:
    ids = ",".join(str(o.pk) for o in sorted(orders, key=lambda o: o.pk))
    digest = hashlib.sha1(ids.encode(), usedforsecurity=False).hexdigest()[:20]
    notify_staff(
        role="operations",
        template="orders/notifications/staff_sla_late.txt",
        context={
            "orders": orders,
            "url": settings.OMS_PUBLIC_URL.rstrip("/") + reverse("orders:exceptions") + "?kind=late",
        },
        event="staff.sla_late",
        dedupe_key=f"orders-sla-late:{digest}",
    )
