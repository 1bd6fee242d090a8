"""Order rules: the default rule set, and the evaluation of priority, risk and review for one order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from orders.choices import CustomerTier, PaymentMethod, RuleCondition, RuleKind

C = RuleCondition
K = RuleKind

DEFAULT_RULES: list[dict] = [
    {
        "code": "prio-urgent",
        "name": "Urgent",
        "kind": K.PRIORITY,
        "condition": C.URGENT,
        "points": 100,
        "tag": "urgent",
        "reason": "Urgent",
    },
    {
        "code": "prio-vip",
        "name": "VIP customer",
        "kind": K.PRIORITY,
        "condition": C.VIP,
        "points": 50,
        "tag": "VIP",
        "reason": "VIP customer",
    },
    {
        "code": "prio-promotion",
        "name": "Promotion",
        "kind": K.PRIORITY,
        "condition": C.PROMOTION,
        "points": 20,
        "tag": "promotion",
        "reason": "Promotion order",
    },
    {
        "code": "prio-large",
        "name": "Large order",
        "kind": K.PRIORITY,
        "condition": C.AMOUNT_GTE,
        "threshold": Decimal("2000.00"),
        "points": 10,
        "reason": "Large order",
    },
    {
        "code": "prio-sla",
        "name": "Late against SLA",
        "kind": K.PRIORITY,
        "condition": C.SLA_LATE,
        "points": 30,
        "tag": "late",
        "reason": "Late against the channel's SLA",
    },
    {
        "code": "risk-new-large",
        "name": "New customer, large amount",
        "kind": K.RISK,
        "condition": C.NEW_CUSTOMER_AMOUNT_GTE,
        "threshold": Decimal("3000.00"),
        "points": 40,
        "reason": "New customer with a large amount",
    },
    {
        "code": "risk-address",
        "name": "Many orders to one address",
        "kind": K.RISK,
        "condition": C.SAME_ADDRESS_ORDERS_GTE,
        "threshold": Decimal("3"),
        "window_hours": 24,
        "points": 30,
        "reason": "Many orders to the same address in a short time",
    },
    {
        "code": "risk-phone",
        "name": "Many orders from one phone",
        "kind": K.RISK,
        "condition": C.SAME_PHONE_ORDERS_GTE,
        "threshold": Decimal("3"),
        "window_hours": 24,
        "points": 30,
        "reason": "Many orders from the same phone in a short time",
    },
    {
        "code": "risk-blacklist",
        "name": "Blacklisted",
        "kind": K.RISK,
        "condition": C.BLACKLISTED,
        "points": 100,
        "reason": "Blacklisted customer",
    },
    {
        "code": "risk-cod",
        "name": "Cash on delivery above limit",
        "kind": K.RISK,
        "condition": C.COD_AMOUNT_GTE,
        "threshold": Decimal("1000.00"),
        "points": 30,
        "reason": "Cash on delivery above the limit",
    },
    {
        "code": "review-risk",
        "name": "Risk score",
        "kind": K.REVIEW,
        "condition": C.RISK_SCORE_GTE,
        "threshold": Decimal("50"),
        "reason": "Risk score above the threshold",
    },
    {
        "code": "review-amount",
        "name": "Large amount",
        "kind": K.REVIEW,
        "condition": C.AMOUNT_GTE,
        "threshold": Decimal("5000.00"),
        "reason": "Amount above the review limit",
    },
    {
        "code": "review-blacklist",
        "name": "Blacklisted party",
        "kind": K.REVIEW,
        "condition": C.BLACKLISTED,
        "reason": "Blacklisted customer",
    },
    {
        "code": "review-remark",
        "name": "Buyer remark",
        "kind": K.REVIEW,
        "condition": C.BUYER_REMARK,
        "reason": "Buyer left a remark",
    },
    {
        "code": "review-vague-address",
        "name": "Vague address",
        "kind": K.REVIEW,
        "condition": C.VAGUE_ADDRESS,
        "reason": "Vague address",
    },
    {
        "code": "finance-amount",
        "name": "Finance review above amount",
        "kind": K.FINANCE_REVIEW,
        "condition": C.AMOUNT_GTE,
        "threshold": Decimal("20000.00"),
        "reason": "Amount needs a finance review",
    },
]


def ensure_default_rules(*, rule_model, tag_model) -> int:
    """Create the default rules that do not exist yet (by code); admins' edits are kept. Returns how many."""
    created = 0
    for index, spec in enumerate(DEFAULT_RULES):
        spec = {"sort": (index + 1) * 10, **spec}
        tag_name = spec.pop("tag", None)
        if tag_name:
            spec["tag"] = tag_model.objects.get_or_create(name=tag_name)[0]
        code = spec.pop("code")
        _rule, was_created = rule_model.objects.get_or_create(code=code, defaults=spec)
        created += was_created
    return created


@dataclass
class OrderFacts:
    """What the rules look at; gathered by the service with a few indexed queries."""

    total: Decimal
    is_urgent: bool
    promotion: str
    customer_tier: str
    customer_is_new: bool
    customer_blacklisted: bool
    payment_method: str
    note: str
    address_line1: str
    paid_at: datetime | None
    sla_hours: int
    orders_same_address: dict[int, int] = field(
        default_factory=dict
    )  # window hours -> count (incl. this one)
    orders_same_phone: dict[int, int] = field(default_factory=dict)


@dataclass
class Evaluation:
    priority: int = 0
    priority_reasons: list[str] = field(default_factory=list)
    risk_score: int = 0
    risk_reasons: list[dict] = field(default_factory=list)
    review_reasons: list[str] = field(default_factory=list)
    needs_finance_review: bool = False
    tag_ids: set[int] = field(default_factory=set)


_HAS_NUMBER = re.compile(r"[0-9０-９一二三四五六七八九十]+\s*(号|弄|室|栋|幢|楼|单元|#|-)|\d")


def is_vague_address(line1: str) -> bool:
    return len(line1.strip()) < 6 or not _HAS_NUMBER.search(line1)


def matches(rule, facts: OrderFacts, risk_score: int, now: datetime) -> bool:
    threshold = rule.threshold if rule.threshold is not None else Decimal("0")
    cond = rule.condition
    if cond == C.URGENT:
        return facts.is_urgent
    if cond == C.VIP:
        return facts.customer_tier == CustomerTier.VIP
    if cond == C.PROMOTION:
        return bool(facts.promotion) and (not rule.value or rule.value == facts.promotion)
    if cond == C.AMOUNT_GTE:
        return facts.total >= threshold
    if cond == C.SLA_LATE:
        return facts.paid_at is not None and now - facts.paid_at > timedelta(hours=facts.sla_hours)
    if cond == C.NEW_CUSTOMER_AMOUNT_GTE:
        return facts.customer_is_new and facts.total >= threshold
    if cond == C.SAME_ADDRESS_ORDERS_GTE:
        return facts.orders_same_address.get(rule.window_hours, 0) >= threshold
    if cond == C.SAME_PHONE_ORDERS_GTE:
        return facts.orders_same_phone.get(rule.window_hours, 0) >= threshold
    if cond == C.BLACKLISTED:
        return facts.customer_blacklisted
    if cond == C.COD_AMOUNT_GTE:
        return facts.payment_method == PaymentMethod.COD and facts.total >= threshold
    if cond == C.BUYER_REMARK:
        return bool(facts.note.strip())
    if cond == C.VAGUE_ADDRESS:
        return is_vague_address(facts.address_line1)
    if cond == C.RISK_SCORE_GTE:
        return risk_score >= threshold
    return False


def evaluate(rules, facts: OrderFacts, *, now: datetime | None = None) -> Evaluation:
    """Apply the active rules: risk first (review rules may look at the score), then priority and review."""
    now = now or timezone.now()
    result = Evaluation()
    by_kind: dict[str, list] = {}
    for rule in rules:
        if rule.is_active:
            by_kind.setdefault(rule.kind, []).append(rule)
    for rule in by_kind.get(K.RISK, []):
        if matches(rule, facts, 0, now):
            result.risk_score += rule.points
            result.risk_reasons.append(
                {"rule": rule.code, "reason": rule.reason or rule.name, "points": rule.points}
            )
    for rule in by_kind.get(K.PRIORITY, []):
        if matches(rule, facts, result.risk_score, now):
            result.priority += rule.points
            result.priority_reasons.append(rule.reason or rule.name)
            if rule.tag_id:
                result.tag_ids.add(rule.tag_id)
    for rule in by_kind.get(K.REVIEW, []):
        if matches(rule, facts, result.risk_score, now):
            result.review_reasons.append(rule.reason or rule.name)
    for rule in by_kind.get(K.FINANCE_REVIEW, []):
        if matches(rule, facts, result.risk_score, now):
            result.needs_finance_review = True
            result.review_reasons.append(rule.reason or rule.name)
    return result


def reason_label(reason: str) -> str:
    """Rule reasons are stored in English; show them translated when the catalogue knows them."""
    return _(reason)


# Make the default reasons known to makemessages.
_REASONS = [
    gettext_noop("Urgent"),
    gettext_noop("VIP customer"),
    gettext_noop("Promotion order"),
    gettext_noop("Large order"),
    gettext_noop("Late against the channel's SLA"),
    gettext_noop("New customer with a large amount"),
    gettext_noop("Many orders to the same address in a short time"),
    gettext_noop("Many orders from the same phone in a short time"),
    gettext_noop("Blacklisted customer"),
    gettext_noop("Cash on delivery above the limit"),
    gettext_noop("Risk score above the threshold"),
    gettext_noop("Amount above the review limit"),
    gettext_noop("Buyer left a remark"),
    gettext_noop("Vague address"),
    gettext_noop("Amount needs a finance review"),
]
