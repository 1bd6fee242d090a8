"""Note codes of the fulfillment app (oms/notes.py): waybills issued, reprinted and voided."""

from django.utils.translation import gettext_lazy as _

from oms.notes import register_notes

register_notes(
    {
        "fulfillment.waybill_issued": _("Waybill %(number)s issued (account %(account)s)"),
        "fulfillment.waybill_reprinted": _("Waybill %(number)s printed again: %(reason)s %(detail)s"),
        "fulfillment.waybill_cancelled": _("Waybill %(number)s voided at the carrier (parcel intercepted)"),
        "fulfillment.waybill_cancel_failed": _("The carrier refused to void waybill %(number)s: %(error)s"),
        "fulfillment.reprint.damaged": _("label damaged"),
        "fulfillment.reprint.jammed": _("printer jammed"),
        "fulfillment.reprint.lost": _("label lost"),
        "fulfillment.reprint.relabel": _("parcel repacked"),
        "fulfillment.reprint.other": _("other"),
    }
)
