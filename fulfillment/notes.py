"""The fulfillment app's note codes: why a carrier was chosen, why a parcel waits for review."""

from django.utils.translation import gettext_lazy as _

from oms.notes import register_notes
from oms.references import register_reference

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
        "fulfillment.not_covered": _("does not cover %(province)s"),
        "fulfillment.too_heavy": _("%(weight)s g is above its %(max)s g limit"),
        "fulfillment.too_bulky": _("%(volume)s cm³ is above its %(max)s cm³ limit"),
        "fulfillment.no_rate": _("has no rate for %(province)s"),
        "fulfillment.rule_inactive": _("Rule “%(rule)s” matched but its service is inactive."),
        "fulfillment.rule_cannot": _("Rule “%(rule)s” matched but %(service)s %(why)s."),
        "fulfillment.rule_sends": _("Rule “%(rule)s” sends it with %(service)s."),
        "fulfillment.service_cannot": _("%(service)s: %(why)s."),
        "fulfillment.service_price": _("%(service)s: %(price)s."),
        "fulfillment.cheapest": _("Cheapest: %(service)s."),
        "fulfillment.no_carrier": _(
            "No active carrier service covers %(province)s for a %(weight)s g parcel. "
            "Add a rate row in admin or choose a carrier by hand."
        ),
        "fulfillment.chosen_by_hand": _("Chosen by hand by %(user)s: %(reason)s"),
        "fulfillment.weight_review": _("Weighed %(weight)s g, expected %(expected)s g ± %(tolerance)s g."),
        "fulfillment.drop_shipped": _("Drop-ship %(number)s: shipped by the supplier"),
    }
)

register_reference("parcel", _("Parcel %(id)s"))
