"""The orders app's note codes (stored reasons and timeline notes, rendered in the reader's language)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from oms.notes import register_notes
from oms.references import register_reference

register_notes(
    {
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
