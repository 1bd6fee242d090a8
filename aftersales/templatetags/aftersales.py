"""Template tags for other apps' pages: the after-sales state of an order."""

from django import template

from aftersales.selectors import aftersales_state_for_order

register = template.Library()


@register.simple_tag
def order_aftersales_state(order):
    """{% order_aftersales_state order as state %}: None when the order has no case."""
    return aftersales_state_for_order(order.pk) if order is not None else None


@register.filter
def case_badge(status: str) -> str:
    """Bootstrap colour of a case state: {{ case.status|case_badge }}."""
    from aftersales.choices import BADGE_COLOURS

    return BADGE_COLOURS.get(status, "secondary")


@register.filter
def refund_badge(status: str) -> str:
    from aftersales.choices import REFUND_BADGES

    return REFUND_BADGES.get(status, "secondary")
