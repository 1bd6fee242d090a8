"""Routing of a paid order: rules score risk and priority, then it is auto-approved or sent to review."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from oms.audit import run_transition
from oms.cache import shared_forget, shared_value
from oms.db import retry_on_conflict
from oms.notes import note as make_note
from oms.notes import text_param
from orders.choices import PaymentStatus, RuleCondition
from orders.models import Customer, Order, OrderRule
from orders.rules import OrderFacts, evaluate
from orders.services._common import _locked, address_key
from orders.services.notifications import _notify
from orders.validation import CleanOrder

# The rules that count recent orders to the same address / from the same phone, within their window.
RISK_WINDOW_CONDITIONS = (RuleCondition.SAME_ADDRESS_ORDERS_GTE, RuleCondition.SAME_PHONE_ORDERS_GTE)


RULES_CACHE_KEY = "orders:active-rules:v1"
RULES_CACHE_SECONDS = 60
RULES_LOCAL_SECONDS = 5


def active_rules() -> list[OrderRule]:
    """The active order rules, kept in the cache (every intake asks) and for RULES_LOCAL_SECONDS in this
    process; a rule saved or deleted forgets them (``rules_changed``). With several web processes the cache
    must be shared (OMS_CACHE_URL): a change then reaches the other processes within RULES_LOCAL_SECONDS
    (within RULES_CACHE_SECONDS without a shared cache)."""
    return shared_value(
        cache,
        RULES_CACHE_KEY,
        lambda: list(OrderRule.objects.filter(is_active=True)),
        timeout=RULES_CACHE_SECONDS,
        local_seconds=RULES_LOCAL_SECONDS,
    )


def rules_changed(**_kwargs) -> None:
    """Signal receiver (OrderRule saved or deleted): forget the cached rules now and again after commit,
    so that no intake running meanwhile caches the old ones for long."""
    shared_forget(cache, RULES_CACHE_KEY)
    transaction.on_commit(lambda: shared_forget(cache, RULES_CACHE_KEY))


def _risk_windows(rules: list[OrderRule]) -> set[int]:
    return {r.window_hours for r in rules if r.condition in RISK_WINDOW_CONDITIONS}


class _RiskCounter:
    """Orders to the same address / from the same phone within each rule's window, for a batch: the orders
    already stored are read once, the batch's own are added as they are written (as one-by-one intake counts)."""

    def __init__(self, *, rules: list[OrderRule], cleans: list[CleanOrder]) -> None:
        self.windows = _risk_windows(rules)
        self.by_address: dict[str, list] = {}
        self.by_phone: dict[str, list] = {}
        if not self.windows or not cleans:
            return
        since = min(c.placed_at for c in cleans) - timedelta(hours=max(self.windows))
        for key, placed_at in Order.objects.filter(
            address_key__in={address_key(c.address) for c in cleans}, placed_at__gte=since
        ).values_list("address_key", "placed_at"):
            self.by_address.setdefault(key, []).append(placed_at)
        for phone, placed_at in Order.objects.filter(
            contact_phone__in={c.address["phone"] for c in cleans}, placed_at__gte=since
        ).values_list("contact_phone", "placed_at"):
            self.by_phone.setdefault(phone, []).append(placed_at)

    def counts(self, order: Order) -> tuple[dict[int, int], dict[int, int]]:
        """Counts including ``order`` itself, by window hours."""
        same_address, same_phone = {}, {}
        for hours in self.windows:
            since = order.placed_at - timedelta(hours=hours)
            same_address[hours] = 1 + sum(t >= since for t in self.by_address.get(order.address_key, ()))
            same_phone[hours] = 1 + sum(t >= since for t in self.by_phone.get(order.contact_phone, ()))
        return same_address, same_phone

    def add(self, order: Order) -> None:
        self.by_address.setdefault(order.address_key, []).append(order.placed_at)
        self.by_phone.setdefault(order.contact_phone, []).append(order.placed_at)


def _classify(order: Order, *, customer: Customer, customer_is_new: bool | None, payment_method: str) -> None:
    """Score risk and priority, decide whether the order needs review, and tag it (rules in OrderRule)."""
    rules = active_rules()
    same_address, same_phone = {}, {}
    for hours in _risk_windows(rules):
        since = order.placed_at - timedelta(hours=hours)
        same_address[hours] = Order.objects.filter(
            address_key=order.address_key, placed_at__gte=since
        ).count()
        same_phone[hours] = Order.objects.filter(
            contact_phone=order.contact_phone, placed_at__gte=since
        ).count()
    if customer_is_new is None:
        customer_is_new = not Order.objects.filter(customer=customer).exclude(pk=order.pk).exists()
    tag_ids = _apply_rules(
        order,
        rules=rules,
        customer=customer,
        customer_is_new=customer_is_new,
        payment_method=payment_method,
        same_address=same_address,
        same_phone=same_phone,
    )
    if tag_ids:
        order.tags.add(*sorted(tag_ids))


def _apply_rules(
    order: Order,
    *,
    rules: list[OrderRule],
    customer: Customer,
    customer_is_new: bool,
    payment_method: str,
    same_address: dict[int, int],
    same_phone: dict[int, int],
) -> set[int]:
    """Score risk and priority and decide on review (set on ``order``); returns the ids of the tags to add."""
    facts = OrderFacts(
        total=order.total,
        is_urgent=order.is_urgent,
        promotion=order.promotion,
        customer_tier=customer.tier,
        customer_is_new=customer_is_new,
        customer_blacklisted=customer.is_blacklisted,
        payment_method=payment_method,
        note=order.note,
        address_line1=order.shipping_address.line1,
        paid_at=order.paid_at,
        sla_hours=order.channel.sla_hours,
        orders_same_address=same_address,
        orders_same_phone=same_phone,
    )
    result = evaluate(rules, facts)
    order.priority = result.priority
    order.priority_reasons = result.priority_reasons
    order.risk_score = result.risk_score
    order.risk_reasons = result.risk_reasons
    order.review_reasons = result.review_reasons
    order.needs_finance_review = result.needs_finance_review
    return result.tag_ids


def _route(order: Order, *, by, now) -> None:
    """A paid order with review reasons goes to review; any other is approved at once."""
    if order.review_reasons:
        run_transition(
            order, "send_to_review", by=by, check_perm=False, note=review_note(order.review_reasons)
        )
    else:
        order.approved_at = now
        run_transition(order, "auto_approve", by=by, check_perm=False)


def _pay_and_route(order: Order, *, by, now, notify=None) -> None:
    order.paid_at = now
    run_transition(order, "pay", by=by, check_perm=False)
    (notify or _notify)(order, "paid")
    _route(order, by=by, now=now)


@retry_on_conflict
def order_mark_paid(*, order_id: int, transaction_id: str = "", by=None) -> Order:
    """The channel confirms payment of a pending order: pay, then auto-approve or send to review."""
    order = _locked(order_id)
    payment = order.payments.order_by("pk").first()
    now = timezone.now()
    run_transition(order, "pay", by=by, check_perm=False)
    order.paid_at = now
    if payment is not None:
        payment.status = PaymentStatus.PAID
        payment.paid_at = now
        payment.transaction_id = transaction_id or payment.transaction_id
        payment.save(update_fields=["status", "paid_at", "transaction_id"])
    _notify(order, "paid")
    _classify(
        order, customer=order.customer, customer_is_new=None, payment_method=payment.method if payment else ""
    )
    _route(order, by=by, now=now)
    order.save()
    return order


def review_note(reasons: list[str]) -> str:
    """The timeline note of a send-to-review: the rules' reasons, translated when shown."""
    return make_note("orders.review_reasons", reasons=[text_param(r) for r in reasons])
