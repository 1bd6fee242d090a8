"""Template helpers of the reconciliation screens."""

from django import template

from reconciliation.forms import ResolveForm

register = template.Library()


@register.simple_tag
def form_for_match(forms_by_match: dict, match) -> ResolveForm:
    """The refused form of this difference (what the clerk typed, with its errors), else an empty one."""
    return forms_by_match.get(match.pk) or ResolveForm()
