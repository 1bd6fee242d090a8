"""Taking an order out of its parcels when operations change it (edit, split, merge) before it is packed.

Registered with ``orders.hooks.register_parcel_handlers`` at start-up: the orders app asks, inside its own
transaction and under the order's lock, whether a parcel forbids the change (packed, shipped, a drop-ship the
supplier was asked to send) and then withdraws the order: a parcel holding only this order is cancelled (截停);
a merged parcel (合单) loses this order's lines and keeps the other orders'. The allocator makes a new parcel
from the order's allocations once it is resumed.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from fulfillment.models import Shipment, ShipmentLine
from fulfillment.services._common import S, _current_signature, _refresh_expected_weight
from fulfillment.services.carrier_choice import _choose_carrier
from oms.audit import run_transition
from oms.exceptions import IllegalTransition

# Parcels the order can still be taken out of: not picked into a box yet, or a drop-ship not yet requested.
WITHDRAWABLE = (S.PENDING, S.PICKING, S.AWAITING_APPROVAL)


def _live_parcels(order_id: int):
    return (
        Shipment.objects.filter(lines__order_line__order_id=order_id)
        .exclude(status=S.CANCELLED)
        .distinct()
        .order_by("pk")
    )


def order_parcels_blocker(order_id: int) -> str | None:
    """Why the order can no longer change because of its parcels, or None."""
    for shipment in _live_parcels(order_id):
        if shipment.status not in WITHDRAWABLE:
            return _(
                "Parcel %(number)s is already %(status)s: the order can no longer be changed "
                "(after shipping, use an after-sales case)."
            ) % {"number": shipment.number, "status": shipment.get_status_display()}
    return None


def order_parcels_withdraw(
    *, order_id: int, removed_line_ids: list[int], by=None, note: str = ""
) -> list[str]:
    """Take the order out of its live parcels (inside the caller's transaction); returns their numbers."""
    numbers = []
    ids = list(_live_parcels(order_id).values_list("pk", flat=True))
    for shipment in Shipment.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"):
        if shipment.status not in WITHDRAWABLE:  # checked again under the parcel's lock
            raise_blocked(order_id)
        others = shipment.lines.exclude(order_line__order_id=order_id).exists()
        if others:
            shipment.lines.filter(order_line__order_id=order_id).delete()
            if shipment.order_id == order_id:  # the parcel now belongs to one of the orders it still holds
                shipment.order_id = shipment.lines.order_by("pk").values_list(
                    "order_line__order_id", flat=True
                )[0]
            _refresh_expected_weight(shipment)
            shipment.release_signature = _current_signature(shipment)
            _choose_carrier(shipment)
        else:
            run_transition(shipment, "cancel", by=by, note=note, check_perm=False)
        shipment.save()
        numbers.append(shipment.number)
    # A cancelled parcel keeps its lines as history, except those of order lines the change deletes.
    if removed_line_ids:
        ShipmentLine.objects.filter(order_line_id__in=removed_line_ids, shipment__status=S.CANCELLED).delete()
    return numbers


def raise_blocked(order_id: int) -> None:
    raise IllegalTransition(order_parcels_blocker(order_id) or _("A parcel of this order is already packed."))
