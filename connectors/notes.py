"""Note codes of the connectors app (outcomes of inbound order messages), rendered in the reader's language."""

from django.utils.translation import gettext_lazy as _

from oms.notes import register_notes

register_notes(
    {
        "connectors.taken_in": _("Taken in as a new order"),
        "connectors.refused": _("Not taken in: fix what is listed (e.g. create or map the SKU), then retry"),
        "connectors.unchanged": _("Already taken in; nothing changed"),
        "connectors.paid": _("Paid on the platform: the order moved on"),
        "connectors.cancelled": _("Cancelled on the platform (%(reason)s): cancelled here too"),
        "connectors.cancel_refused": _("Cancelled on the platform, but not here: %(message)s"),
        "connectors.cancelled_before_intake": _(
            "Cancelled on the platform before it was taken in: nothing to do"
        ),
        "connectors.changed": _(
            "Changed on the platform after intake (%(parts)s): check the order and change it by hand"
        ),
        "connectors.unreadable": _("The message could not be read: %(error)s"),
        "connectors.credentials_changed": _("Credentials changed: %(fields)s"),
        "connectors.cancel_reason": _("Cancelled on %(platform)s: %(reason)s"),
    }
)
