"""Reads about supply: which supplier ships a SKU to customers itself (drop-ship), when stock is expected."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection
from django.utils import timezone

from inventory.models import SKU, Product, Supplier, SupplierSKU
from oms.db import ModelColumns, fetch_rows

_SKU = ModelColumns(SKU)
_PRODUCT = ModelColumns(Product)


def skus_by_code(codes: list[str]) -> dict[str, SKU]:
    """SKUs by code, each with its product and ``drop_ship_supplier``: the supplier that ships it itself (as
    ``drop_ship_suppliers`` picks it; None: our own stock), so the allocation that follows an intake needs no
    extra read. One hand-written read: every order taken in asks it."""
    quote = connection.ops.quote_name
    rows = fetch_rows(
        f"SELECT {_SKU.sql('k')}, {_PRODUCT.sql('p')}, "  # noqa: S608 - names from model meta
        f"(SELECT ss.supplier_id FROM {quote(SupplierSKU._meta.db_table)} ss "
        f"JOIN {quote(Supplier._meta.db_table)} s ON s.id = ss.supplier_id "
        "WHERE ss.sku_id = k.id AND ss.is_drop_ship AND s.is_active "
        "ORDER BY ss.is_preferred DESC, ss.id LIMIT 1) "
        f"FROM {quote(SKU._meta.db_table)} k JOIN {quote(Product._meta.db_table)} p ON p.id = k.product_id "
        "WHERE k.code = ANY(%s)",
        [list(codes)],
    )
    found = {}
    for row in rows:
        sku = _SKU.take(row)
        _SKU.relate(sku, "product", _PRODUCT.take(row, _SKU.width))
        sku.drop_ship_supplier = row[-1]
        found[sku.code] = sku
    return found


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
