"""Numbers and money on screens, grouped for the reader's locale (¥498,437.60 in Chinese and English alike).

``{{ order.total|money }}`` → ``1,234.50`` (two decimals); ``{{ level.on_hand|num }}`` → ``12,000``.
Built into every template (``TEMPLATES[...]["builtins"]``). Exports keep numbers as numbers: these filters
are for HTML, PDFs and messages only.
"""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def money(value) -> str:
    """An amount with two decimals and the locale's grouping; empty stays empty, text stays text."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(value)
    return number_format(amount, 2, force_grouping=True)


@register.filter
def num(value) -> str:
    """A count or quantity with the locale's grouping (decimals as they are)."""
    if value is None or value == "" or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, int | float | Decimal):
        return number_format(value, force_grouping=True)
    return str(value)
