"""``{{ value|note }}``: a stored reason or note in the reader's language (see ``oms.notes``)."""

from django import template

from oms.notes import render_note

register = template.Library()


@register.filter(name="note")
def note_filter(value) -> str:
    return render_note(value)
