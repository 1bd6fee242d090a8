"""Reads about supply: which supplier ships a SKU to customers itself (drop-ship), when stock is expected."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from inventory.models import SKU, SupplierSKU


def drop_ship_supplier_subquery():
    """The supplier that ships a SKU itself (as ``drop_ship_suppliers`` picks it), as an annotation of a SKU
    query: the intake reads it with the SKUs it looks up anyway, and allocation needs no extra read."""
    return Subquery(
        SupplierSKU.objects.filter(sku_id=OuterRef("pk"), is_drop_ship=True, supplier__is_active=True)
        .order_by("-is_preferred", "pk")
        .values("supplier_id")[:1]
    )


def drop_ship_suppliers(sku_ids) -> dict[int, int]:
    """sku_id → supplier_id for SKUs an active supplier ships itself (the preferred supplier first)."""
    out: dict[int, int] = {}
    if not sku_ids:
        return out
    rows = (
        SupplierSKU.objects.filter(sku_id__in=sorted(sku_ids), is_drop_ship=True, supplier__is_active=True)
        .order_by("sku_id", "-is_preferred", "pk")
        .values_list("sku_id", "supplier_id")
    )
    for sku_id, supplier_id in rows:
        out.setdefault(sku_id, supplier_id)
    return out


def expected_restock_dates(sku_ids, *, today: date | None = None) -> dict[int, date]:
    """sku_id → when stock is expected: the SKU's own restock date (purchasing sets it) when still ahead,
    else today plus the shortest lead time of its active suppliers (the preferred one first). SKUs with
    neither are left out: nobody knows."""
    today = today or timezone.localdate()
    out: dict[int, date] = {}
    if not sku_ids:
        return out
    for pk, restock in SKU.objects.filter(pk__in=sorted(sku_ids)).values_list("pk", "expected_restock_date"):
        if restock and restock >= today:
            out[pk] = restock
    lead_times = (
        SupplierSKU.objects.filter(sku_id__in=sorted(set(sku_ids) - out.keys()), supplier__is_active=True)
        .order_by("sku_id", "-is_preferred", "lead_time_days", "pk")
        .values_list("sku_id", "lead_time_days")
    )
    for sku_id, days in lead_times:
        out.setdefault(sku_id, today + timedelta(days=days))
    return out
