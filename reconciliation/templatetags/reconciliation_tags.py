"""Template helpers of the reconciliation screens."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from reconciliation.forms import ResolveForm

register = template.Library()


@register.simple_tag
def form_for_match(forms_by_match: dict, match) -> ResolveForm:
    """The refused form of this difference (what the clerk typed, with its errors), else an empty one."""
    return forms_by_match.get(match.pk) or ResolveForm()


@register.filter
def yuan(value) -> str:
    """Money in CNY with the locale's grouping, the sign before the symbol: ¥129,033.00, -¥30.00."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{number_format(abs(amount), 2, force_grouping=True)}"
