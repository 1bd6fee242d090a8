"""Timeline notes of the orders app (see ``oms.notes``)."""

from django.utils.translation import gettext_lazy as _

from oms.notes import register_notes

register_notes(
    {
        "orders.sla_late": _("Waiting past the channel's SLA of %(hours)s hours: priority re-evaluated."),
    }
)
