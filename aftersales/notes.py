"""The aftersales app's note codes, the default reason names (translated when shown) and its references."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from oms.notes import register_notes
from oms.references import register_reference

register_notes(
    {
        "aftersales.resolved": _("resolved"),
        "aftersales.handler_changed": _("handler changed"),
        "aftersales.refunded": _("Refunded %(amount)s %(currency)s"),
        "aftersales.replacement_for": _("Replacement for after-sales case %(case)s"),
        "aftersales.refund_requested": _("Refund requested in after-sales case %(case)s"),
        "aftersales.case_registered": _("Registered: %(type)s, reason %(reason)s, order %(order)s"),
        "aftersales.complaint_recorded": _("Recorded: %(kind)s, %(category)s"),
        "aftersales.refund_recorded": _("Refund of %(amount)s recorded (%(state)s)"),
        "aftersales.supplier_charge": _("%(type)s %(case)s, order %(order)s: %(reason)s"),
    }
)

register_reference("aftersales", _("After-sales case %(id)s"), url_name="aftersales:case-by-number")

# The starting reason list (migration 0002, renamed by 0003): stored in English, shown translated
# (``Reason.label``); a name an admin typed is shown as typed.
DEFAULT_REASON_NAMES = {
    "quality": gettext_noop("Quality defect"),
    "damaged": gettext_noop("Arrived broken"),
    "wrong-item": gettext_noop("Wrong item sent"),
    "missing-item": gettext_noop("Item missing"),
    "not-as-described": gettext_noop("Not as described"),
    "late-delivery": gettext_noop("Late delivery"),
    "size-fit": gettext_noop("Size does not fit"),
    "changed-mind": gettext_noop("Changed mind (7 days)"),
}
