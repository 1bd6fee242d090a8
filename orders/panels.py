"""Panels that apps above orders add to the order and customer pages, registered at start-up.

Orders never imports them: a higher app registers its panel from its ``AppConfig.ready``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class OrderPanel:
    template: str  # rendered with ``order`` and ``panel`` (what ``context`` returned) in its context
    position: int = 100
    permission: str | None = None
    context: Callable | None = None  # (order, request) -> dict


_panels: list[OrderPanel] = []


def register_order_panel(panel: OrderPanel) -> None:
    """Called from a higher app's ``AppConfig.ready``; registering the same template twice is a no-op."""
    if all(p.template != panel.template for p in _panels):
        _panels.append(panel)
        _panels.sort(key=lambda p: p.position)


def order_panels(order, request) -> list[dict]:
    return [
        {"template": p.template, "context": p.context(order, request) if p.context else {}}
        for p in _panels
        if p.permission is None or request.user.has_perm(p.permission)
    ]


# --- the customer page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerPanel:
    """A section of the customer page from a higher app (after-sales history, survey answers)."""

    template: str  # rendered with ``customer`` and ``panel`` (what ``context`` returned) in its context
    position: int = 100
    permission: str | None = None
    context: Callable | None = None  # (customer, request) -> dict


_customer_panels: list[CustomerPanel] = []


def register_customer_panel(panel: CustomerPanel) -> None:
    if all(p.template != panel.template for p in _customer_panels):
        _customer_panels.append(panel)
        _customer_panels.sort(key=lambda p: p.position)


def customer_panels(customer, request) -> list[dict]:
    return [
        {"template": p.template, "context": p.context(customer, request) if p.context else {}}
        for p in _customer_panels
        if p.permission is None or request.user.has_perm(p.permission)
    ]
