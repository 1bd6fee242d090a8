"""Shared private helpers of the orders services: the order lock, the intake result, checks, order numbers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import SKU
from oms.exceptions import DomainError, PermissionRefused
from orders.choices import OrderStatus
from orders.locks import order_lock
from orders.models import Order

S = OrderStatus
QUEUE_ORDER = (F("priority").desc(), F("paid_at").asc(nulls_last=True), "id")


def queue_key(order) -> tuple:
    """``QUEUE_ORDER`` for orders in memory: higher priority, then paid earlier (unpaid last), then id."""
    return (-order.priority, order.paid_at is None, order.paid_at or 0, order.pk)


class ReasonRequired(DomainError):
    def __init__(self) -> None:
        super().__init__(_("Give a reason."), field_errors={"reason": [_("This field is required.")]})


@dataclass
class IntakeResult:
    order: Order | None
    created: bool
    errors: dict[str, list[str]] = field(default_factory=dict)
    conflict: list[str] = field(default_factory=list)  # parts that differ from the order taken in


def _locked(order_id: int) -> Order:
    return order_lock(order_id=order_id, related=("customer", "channel"))


def _require_reason(reason: str | None) -> None:
    if not (reason or "").strip():
        raise ReasonRequired()


def _check_perm(by, perm: str, what: str) -> None:
    if by is not None and not by.has_perm(perm):
        raise PermissionRefused(_("You do not have permission to %(what)s.") % {"what": what})


def _sku_label(sku: SKU) -> str:
    return f"{sku.product.name} {sku.name}".strip()[:300]


def address_key(address: dict) -> str:
    text = "|".join(
        str(address.get(k, "")).strip().lower() for k in ("province", "city", "district", "line1")
    )
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def next_order_number() -> str:
    """SO + local date (yymmdd) + a PostgreSQL sequence value: unique and readable, e.g. SO2611210001."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('orders_order_number_seq')")
        (value,) = cursor.fetchone()
    return order_number(value)


def order_number(value: int) -> str:
    """The order number of a value of ``orders_order_number_seq`` (see ``next_order_number``)."""
    return f"SO{timezone.localdate():%y%m%d}{value:04d}"
