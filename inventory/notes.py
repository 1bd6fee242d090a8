"""The inventory app's note codes: the warehouse-choice explanation and stock movement reasons."""

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
        "inventory.allocation_rule": _(
            "One warehouse that can fill every line, by region match, then priority (lower first), "
            "then today's load; otherwise the fewest warehouses that together hold every line, lines kept "
            "whole where possible."
        ),
        "inventory.nothing_anywhere": _("Not enough stock anywhere: the order waits for stock."),
        "inventory.split_member": _("Chosen as warehouse %(n)s of %(total)s of the split."),
        "inventory.cannot_fill": _("Cannot fill: %(lines)s."),
        "inventory.line_short": _("%(sku)s (%(available)s/%(quantity)s)"),
        "inventory.not_needed": _("Not needed: fewer warehouses suffice."),
        "inventory.why_best": _("%(parts)s."),
        "inventory.fills_every_line": _("Fills every line"),
        "inventory.serves_province": _("serves the delivery province"),
        "inventory.priority": _("priority %(p)s"),
        "inventory.load_today": _("load today %(n)s/%(cap)s"),
        "inventory.only_one": _("the only warehouse that can"),
        "inventory.not_province": _("Could fill every line, but does not serve the delivery province."),
        "inventory.lower_priority": _("Could fill every line, but has a lower priority (%(p)s)."),
        "inventory.busier": _("Could fill every line, but is busier today (%(n)s/%(cap)s)."),
        "inventory.ranks_after": _("Could fill every line; ranks after %(code)s by code."),
        "inventory.counted": _("Counted %(counted)s, system had %(before)s"),
    }
)

# The ``decision`` of an allocation explanation, as shown when there are no candidates to list.
DECISION_LABELS = {
    "nothing_to_allocate": _("Nothing to allocate."),
    "already_allocated": _("Already allocated."),
    "backorder": _("Not enough stock: the order waits for stock."),
    "single_warehouse": _("One warehouse fills every line."),
    "split": _("Split over several warehouses."),
}
