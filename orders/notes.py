"""Note codes of the orders app (see oms/notes.py): stored as a code with parameters, shown translated."""

from django.utils.translation import gettext_lazy as _

from oms.notes import register_notes

register_notes(
    {
        "orders.tag_added": _("Tag “%(tag)s” added"),
    }
)
