"""Template filters for personal data: {{ order.phone|masked:"phone" }}."""

from django import template

from oms.privacy import mask

register = template.Library()


@register.filter
def masked(value, kind: str = "text") -> str:
    return mask(value, kind)
