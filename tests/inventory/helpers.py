"""Assertions on the stock invariants of DESIGN.md, shared by inventory and concurrency tests."""

from __future__ import annotations

from django.db.models import Sum

from inventory.models import Reservation, StockLevel, StockMovement


def level(sku, warehouse) -> StockLevel:
    return StockLevel.objects.get(sku=sku, warehouse=warehouse)


def assert_invariants() -> None:
    """0 ≤ reserved ≤ on_hand; on_hand = Σ sellable movements; damaged = Σ damaged; reserved = Σ active."""
    for lv in StockLevel.objects.all():
        assert 0 <= lv.reserved <= lv.on_hand, lv
        sellable = (
            StockMovement.objects.filter(
                sku=lv.sku_id, warehouse=lv.warehouse_id, bucket="sellable"
            ).aggregate(s=Sum("quantity"))["s"]
            or 0
        )
        damaged = (
            StockMovement.objects.filter(
                sku=lv.sku_id, warehouse=lv.warehouse_id, bucket="damaged"
            ).aggregate(s=Sum("quantity"))["s"]
            or 0
        )
        reserved = (
            Reservation.objects.filter(sku=lv.sku_id, warehouse=lv.warehouse_id, status="active").aggregate(
                s=Sum("quantity")
            )["s"]
            or 0
        )
        assert (lv.on_hand, lv.damaged, lv.reserved) == (sellable, damaged, reserved), lv
