"""``{{ value|note }}``: a stored reason or note in the reader's language (see ``oms.notes``);
``{{ value|ref }}``: a stored reference (``order-line:12``) readable, linked where possible (``oms.references``).
"""

from django import template

from oms.notes import render_note
from oms.references import reference_html

register = template.Library()


@register.filter(name="note")
def note_filter(value) -> str:
    return render_note(value)


@register.filter(name="ref")
def ref_filter(value) -> str:
    return reference_html(value)
