"""Codes of the notes the inventory app stores (purchase orders, counts, transfers), rendered by oms.notes."""

from django.utils.translation import gettext_lazy as _

from oms.notes import register_notes

register_notes(
    {
        "inventory.po_from_suggestions": _("Created from the replenishment suggestions"),
        "inventory.po_created": _("Created by hand with %(lines)s line(s)"),
        "inventory.po_sent_email": _("Sent to %(email)s with the PDF"),
        "inventory.po_sent_no_email": _("The supplier has no e-mail address: send the PDF yourself"),
        "inventory.po_received": _("%(quantity)s × %(sku)s received"),
        "inventory.po_over_received": _(
            "%(sku)s: %(received)s received of %(ordered)s ordered (over by %(over)s, within the "
            "%(pct)s%% tolerance)"
        ),
        "inventory.reason": _("Reason: %(text)s"),
        "inventory.count_variance": _("Stock count %(count)s: counted %(counted)s, expected %(expected)s"),
        "inventory.count_approved": _("%(lines)s line(s) adjusted, variance value %(value)s"),
        "inventory.transfer_shipped": _("Shipped to %(to)s"),
        "inventory.transfer_received": _("Received from %(from)s"),
    }
)
