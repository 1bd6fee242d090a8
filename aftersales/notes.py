"""Note codes of the aftersales app (see oms/notes.py): stored as a code with parameters, shown translated."""

from django.utils.translation import gettext_lazy as _

from oms.notes import register_notes

register_notes(
    {
        "aftersales.case_registered": _("Registered: %(type)s, reason %(reason)s, order %(order)s"),
        "aftersales.complaint_recorded": _("Recorded: %(kind)s, %(category)s"),
        "aftersales.refund_recorded": _("Refund of %(amount)s recorded (%(state)s)"),
    }
)
