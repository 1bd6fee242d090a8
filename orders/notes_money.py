"""Timeline notes of the orders app's money (payments, refunds owed), stored as codes (see oms/notes.py)."""

from django.utils.translation import gettext_lazy as _

from oms.notes import register_notes

register_notes(
    {
        "orders.payment_marked_paid": _("Payment of %(amount)s marked paid by hand, reference %(reference)s"),
        "orders.payment_failed": _(
            "Payment of %(amount)s failed: %(reason)s; the customer was sent a link to pay"
        ),
        "orders.cod_collected": _("Cash on delivery of %(amount)s collected by %(carrier)s"),
        "orders.refund_paid_out": _("Refund of %(amount)s paid out, reference %(reference)s"),
    }
)
