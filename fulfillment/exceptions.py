"""Domain errors of the fulfillment app, each with a message a warehouse user can act on."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oms.exceptions import DomainError


class FulfillmentError(DomainError):
    """Base of every refused fulfillment action."""


class NoCarrierAvailable(FulfillmentError):
    def __init__(self, *, province: str, weight_g: int) -> None:
        super().__init__(
            _(
                "No active carrier service covers %(province)s for a %(weight)s g parcel. "
                "Add a rate row in admin or choose a carrier by hand."
            )
            % {"province": province or "?", "weight": weight_g}
        )


class ShipmentNotVerified(FulfillmentError):
    def __init__(self, *, missing: int, total: int) -> None:
        super().__init__(
            ngettext(
                "%(missing)s of %(total)s item not scanned yet. Scan it before marking the parcel packed.",
                "%(missing)s of %(total)s items not scanned yet. Scan them before marking the parcel packed.",
                missing,
            )
            % {"missing": missing, "total": total}
        )
        self.missing = missing
        self.total = total


class ShipmentIntercepted(FulfillmentError):
    """The order was held or cancelled, or the shipment changed after release (截停)."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            _("Stop: do not ship this parcel (截停). %(reason)s Put it on the exception shelf.")
            % {"reason": reason}
        )


class TrackingNumberRequired(FulfillmentError):
    def __init__(self) -> None:
        super().__init__(
            _("Enter the tracking number from the carrier's label."),
            field_errors={"tracking_number": [_("This field is required.")]},
        )


class QuantityAboveOrdered(FulfillmentError):
    def __init__(self, *, sku: str, ordered: int, asked: int) -> None:
        super().__init__(
            _("%(sku)s: %(asked)s shipped is more than the %(ordered)s ordered.")
            % {"sku": sku, "asked": asked, "ordered": ordered},
            field_errors={"quantity": [_("At most %(ordered)s.") % {"ordered": ordered}]},
        )


class WeightOutOfTolerance(FulfillmentError):
    def __init__(self, *, weight_g: int, expected_g: int, tolerance_g: int) -> None:
        super().__init__(
            _(
                "Weighed %(weight)s g, expected %(expected)s g ± %(tolerance)s g. "
                "The parcel goes to review: check its contents."
            )
            % {"weight": weight_g, "expected": expected_g, "tolerance": tolerance_g}
        )


class WaveEmpty(FulfillmentError):
    def __init__(self) -> None:
        super().__init__(_("No pending shipments match this wave's warehouse, carrier and cut-off."))


class InvalidWebhook(FulfillmentError):
    http_status = 403

    def __init__(self) -> None:
        super().__init__(_("The signature or token of this tracking push is not valid."))


class CarrierAdapterError(FulfillmentError):
    http_status = 502

    def __init__(self, carrier: str, detail: str) -> None:
        super().__init__(
            _(
                "The carrier %(carrier)s did not answer as expected (%(detail)s). Try again or type the number."
            )
            % {"carrier": carrier, "detail": detail}
        )


class NoWaybillAccount(FulfillmentError):
    def __init__(self, *, number: str) -> None:
        super().__init__(
            _(
                "%(number)s: its carrier has no electronic waybill account. "
                "Type the tracking number from the carrier's label, or add an account in admin."
            )
            % {"number": number},
            field_errors={"tracking_number": [_("This field is required.")]},
        )


class WaybillPoolEmpty(FulfillmentError):
    def __init__(self, *, carrier: str) -> None:
        super().__init__(
            _("No waybill numbers left in the range of %(carrier)s. Load the next range in admin.")
            % {"carrier": carrier}
        )


class WaybillNotNeeded(FulfillmentError):
    def __init__(self, *, number: str, status: str) -> None:
        super().__init__(
            _("%(number)s is %(status)s: no waybill is issued for it.") % {"number": number, "status": status}
        )


class WaybillNotIssued(FulfillmentError):
    def __init__(self) -> None:
        super().__init__(_("This parcel has no waybill yet: print the wave's waybills first."))
