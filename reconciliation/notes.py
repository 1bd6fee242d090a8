"""The reconciliation app's note codes (statement timeline notes)."""

from django.utils.translation import gettext_lazy as _

from oms.notes import register_notes

register_notes(
    {
        "reconciliation.bill_matched": _("Bill %(name)s: %(matched)s matched, %(differences)s differences"),
        "reconciliation.difference_resolved": _("%(kind)s %(reference)s %(sku)s: %(resolution)s"),
        "reconciliation.difference_resolved_note": _(
            "%(kind)s %(reference)s %(sku)s: %(resolution)s (%(note)s)"
        ),
        "reconciliation.draft_created": _("Draft created"),
    }
)
