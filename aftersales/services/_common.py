"""Helpers every aftersales service shares: amounts, the fixed lock order, permission checks, customer messages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from aftersales.choices import CaseStatus
from aftersales.exceptions import InvalidAmount
from aftersales.models import AftersalesCase
from oms.exceptions import PermissionRefused
from oms.notifications import notify_customer
from orders.locks import order_lock

S = CaseStatus
ZERO = Decimal("0.00")
CENT = Decimal("0.01")
SURVEY_SALT = "aftersales.survey"


@dataclass(frozen=True)
class LineRequest:
    """One order line the customer asks about: how many units, and for an exchange, which SKU instead."""

    order_line_id: int
    quantity: int
    replacement_sku_id: int | None = None


def money(value, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A Decimal with 2 places, or the refusal the user can act on (never a float)."""
    if isinstance(value, float):
        raise InvalidAmount(field)
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidAmount(field) from exc
    if not amount.is_finite() or amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise InvalidAmount(field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidAmount(field)
    return amount.quantize(CENT)


def _lock_order(order_id: int):
    return order_lock(order_id=order_id)


def _lock_case(case_id: int) -> AftersalesCase:
    """Lock the case's order, then the case (the fixed order of every service here)."""
    order_id = AftersalesCase.objects.values_list("order_id", flat=True).get(pk=case_id)
    order = _lock_order(order_id)
    case = AftersalesCase.objects.select_for_update(of=("self",)).select_related("reason").get(pk=case_id)
    case.order = order
    return case


def _check_perm(by, perm: str, what: str) -> None:
    if by is not None and not by.has_perm(perm):
        raise PermissionRefused(_("You do not have permission to %(what)s.") % {"what": what})


def _customer_message(case: AftersalesCase, event: str, context: dict | None = None, *, dedupe: str) -> None:
    notify_customer(
        customer=case.customer,
        template=f"aftersales/messages/{event}.txt",
        context={"case": case, "order": case.order, **(context or {})},
        event=f"aftersales.{event}",
        dedupe_key=dedupe,
    )


def _absolute(path: str) -> str:
    return getattr(settings, "OMS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/") + path
