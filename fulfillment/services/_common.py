"""Helpers the fulfillment services share: numbering, line fingerprints, parcel weight and its tolerance."""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings

from fulfillment.choices import ShipmentStatus
from fulfillment.models import Shipment
from orders.models import OrderLine

S = ShipmentStatus


def packaging_g() -> int:
    return int(getattr(settings, "FULFILLMENT_PACKAGING_G", 150))


def weight_tolerance_g(expected_g: int) -> int:
    """± this many grams is accepted at the scale: a percentage of the expected weight, at least a floor."""
    pct = float(getattr(settings, "FULFILLMENT_WEIGHT_TOLERANCE_PCT", 10))
    floor = int(getattr(settings, "FULFILLMENT_WEIGHT_TOLERANCE_MIN_G", 50))
    return max(floor, round(expected_g * pct / 100))


def _temp_number() -> str:
    """Unique until the row has its primary key and its real number (set in the same transaction)."""
    return f"T{uuid.uuid4().hex[:19]}"


def _number(prefix: str, pk: int) -> str:
    return f"{prefix}-{pk:06d}"


def lines_signature(lines: list[tuple[int, int, int]]) -> str:
    """A fingerprint of (order line, SKU, quantity): changes when an order line is edited after release."""
    text = ";".join(f"{a}:{b}:{c}" for a, b, c in sorted(lines))
    return hashlib.sha256(text.encode()).hexdigest()


def _current_signature(shipment: Shipment) -> str:
    rows = OrderLine.objects.filter(shipment_lines__shipment=shipment).values_list("pk", "sku_id", "quantity")
    return lines_signature(list(rows))


def _refresh_expected_weight(shipment: Shipment) -> None:
    total = sum(line.quantity * line.sku.weight_g for line in shipment.lines.select_related("sku"))
    shipment.expected_weight_g = total + packaging_g()
