"""What a channel sent for an order, as one short hash per part: the same external id sent again with a
different payload is refused (409, naming the parts that differ) instead of silently keeping the first."""

from __future__ import annotations

import hashlib
import json

from django.utils.translation import gettext_lazy as _

from orders.validation import CleanOrder

# part -> how the channel calls it (field names of the intake contract), for the refusal message.
PARTS = {
    "customer": "customer",
    "shipping_address": "shipping_address",
    "lines": "lines",
    "shipping_fee": "shipping_fee",
    "discount": "discount",
    "coupons": "coupon_amount / platform_coupon_amount / points_amount",
    "payment": "payment",
    "flags": "flags",
    "note": "note",
}
CONFLICT_MESSAGE = _(
    "Order %(external_id)s was already taken in as %(number)s, with different %(fields)s. Change an order "
    "that is taken in on its page (or cancel it and send the new one under a new external_id)."
)


def _hash(value) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def intake_digest(clean: CleanOrder) -> dict[str, str]:
    """One hash per part of the validated order (so "59.9" and "59.90" are the same payment)."""
    values = {
        "customer": clean.customer,
        "shipping_address": clean.address,
        "lines": [(line.sku.code, line.quantity, str(line.unit_price)) for line in clean.lines],
        "shipping_fee": str(clean.shipping_fee),
        "discount": str(clean.discount),
        "coupons": [str(clean.coupon_amount), str(clean.platform_coupon_amount), str(clean.points_amount)],
        "payment": {k: str(v) for k, v in clean.payment.items()},
        "flags": {"urgent": clean.is_urgent, "promotion": clean.promotion},
        "note": clean.note,
    }
    return {part: _hash(values[part]) for part in PARTS}


def digest_differences(stored: dict, clean: CleanOrder) -> list[str]:
    """The parts of ``clean`` that differ from what was first taken in; [] for orders stored without a
    digest (taken in before digests were kept: they are answered as before)."""
    if not stored:
        return []
    fresh = intake_digest(clean)
    return [PARTS[part] for part in PARTS if part in stored and stored[part] != fresh[part]]
