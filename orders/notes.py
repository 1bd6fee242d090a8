"""The orders app's note codes (stored reasons and timeline notes, rendered in the reader's language)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from oms.notes import register_notes
from oms.references import register_reference

register_notes(
    {
        # order edits (orders.services.editing)
        "orders.edit.reason": _("Edited: %(reason)s"),
        "orders.edit.by_channel": _("the buyer changed the address on %(channel)s"),
        "orders.edit.line_added": _("%(sku)s × %(quantity)s added"),
        "orders.edit.line_removed": _("%(sku)s × %(quantity)s removed"),
        "orders.edit.line_quantity": _("%(sku)s: quantity %(old)s → %(new)s"),
        "orders.edit.line_price": _("%(sku)s: unit price %(old)s → %(new)s"),
        "orders.edit.line_swapped": _("line %(line)s: %(old)s replaced by %(new)s"),
        "orders.edit.lines": _("Lines: %(changes)s"),
        "orders.edit.payment_due": _(
            "Waits for an additional payment of %(due)s: the new total %(total)s is above what was paid (%(paid)s)"
        ),
        "orders.edit.refund_owed": _(
            "Refund owed %(amount)s: the new total %(total)s is below what was paid (%(paid)s)"
        ),
        "orders.edit.parcels_withdrawn": _("Taken out of parcel %(numbers)s for the change"),
        "orders.edit.parcel_withdrawn": _(
            "Order %(number)s changed: intercepted and taken out of this parcel"
        ),
        "orders.edit.reserved_again": _("Stock reserved again"),
        "orders.edit.backordered": _("Not enough stock: backordered"),
        # manual split and merge (orders.services.split_merge)
        "orders.split.moved_to": _("Split: %(lines)s moved to %(number)s"),
        "orders.split.created_from": _("Split from %(number)s: %(lines)s"),
        "orders.merge.into": _("Merged into %(number)s (lines, payments and reservations moved)"),
        "orders.merge.took": _("Merged in %(numbers)s: one parcel for the buyer"),
        "orders.line": _("%(sku)s × %(quantity)s"),
        "orders.tag_added": _("Tag “%(tag)s” added"),
        "orders.intake": _("Received through %(source)s"),
        "orders.review_reasons": _("Sent to review: %(reasons)s"),
        "orders.backorder_short": _("Short: %(items)s"),
        "orders.short_item": _("%(sku)s short by %(missing)s"),
        "orders.order_cancelled": _("Order %(number)s cancelled"),
        "orders.reallocation": _("Re-allocation of %(number)s"),
        "orders.not_paid_in_time": _("Not paid within %(minutes)s minutes"),
        "orders.invoice_requested": _("Requested for order %(number)s"),
        "orders.invoice_issued": _("Invoice %(number)s issued for %(amount)s %(currency)s"),
        "orders.refund_after_issuance": _("Refund of %(amount)s after issuance (%(reference)s)"),
        "orders.customer_anonymised": _("Customer anonymised"),
        "orders.sla_late": _("Waiting past the channel's SLA of %(hours)s hours: priority re-evaluated."),
        "orders.customers_merged": _("Merged customer #%(dup)s into #%(keep)s: %(n)s orders moved."),
    }
)

register_reference("order-line", _("Order line %(id)s"), url_name="orders:line")

# The tags the default rules put on orders (orders.rules.DEFAULT_RULES): shown translated (``Tag.label``).
DEFAULT_TAG_NAMES = [
    gettext_noop("urgent"),
    gettext_noop("VIP"),
    gettext_noop("promotion"),
    gettext_noop("late"),
]
