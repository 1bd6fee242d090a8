"""What a parcel's interception flag says on screens: the held or cancelled order, its reason, the label."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from orders.choices import OrderStatus

# The order states that stop a parcel from leaving (interception_reason refuses them at the pack station).
INTERCEPTING_ORDER_STATUSES = (OrderStatus.CANCELLED, OrderStatus.ON_HOLD)

LABELS = {
    OrderStatus.ON_HOLD: _("Intercepted — order on hold"),
    OrderStatus.CANCELLED: _("Intercepted — order cancelled"),
}


@dataclass(frozen=True)
class Interception:
    """Why a parcel that has not left must not leave: one of its orders is held or cancelled."""

    order_id: int
    order_number: str
    order_status: str
    reason: str

    @classmethod
    def from_row(cls, row: dict | None) -> Interception | None:
        """From the ``interception_row`` annotation of ``fulfillment.selectors`` (None: not intercepted)."""
        if not row:
            return None
        return cls(
            order_id=row["id"],
            order_number=row["number"],
            order_status=row["status"],
            reason=row.get("reason") or "",
        )

    @property
    def label(self) -> str:
        return str(LABELS[OrderStatus(self.order_status)])

    @property
    def is_cancelled(self) -> bool:
        return self.order_status == OrderStatus.CANCELLED
