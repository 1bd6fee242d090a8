"""Catalogue writes used by imports and admin-like screens: SKUs (with their product) and suppliers."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from inventory.models import SKU, Product, Supplier


@transaction.atomic
def sku_upsert(
    *,
    code: str,
    product_code: str = "",
    product_name: str = "",
    category: str = "",
    name: str | None = None,
    barcode: str | None = None,
    price: Decimal | None = None,
    weight_g: int | None = None,
    is_sellable: bool | None = None,
) -> tuple[SKU, bool]:
    """Create or update a SKU by code (and its product by product code). Returns (sku, created)."""
    sku = SKU.objects.select_for_update().filter(code=code).first()
    product = (
        _product_upsert(code=product_code, name=product_name, category=category) if product_code else None
    )
    created = sku is None
    if created:
        sku = SKU(code=code, product=product)
    elif product is not None:
        sku.product = product
    if barcode is not None:
        sku.barcode = barcode or None  # "" clears it (unique, so blank is stored as NULL)
    for attr, value in {
        "name": name,
        "price": price,
        "weight_g": weight_g,
        "is_sellable": is_sellable,
    }.items():
        if value is not None:
            setattr(sku, attr, value)
    sku.save()
    return sku, created


def _product_upsert(*, code: str, name: str, category: str) -> Product:
    """The product with ``code``, created if missing; a given name or category replaces the stored one."""
    product, _created = Product.objects.get_or_create(
        code=code, defaults={"name": name or code, "category": category}
    )
    changed = []
    if name and product.name != name:
        product.name = name
        changed.append("name")
    if category and product.category != category:
        product.category = category
        changed.append("category")
    if changed:
        product.save(update_fields=changed)
    return product


@transaction.atomic
def supplier_upsert(
    *,
    code: str,
    name: str,
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    is_active: bool = True,
) -> tuple[object, bool]:
    """Create or update a supplier by code. Returns (supplier, created)."""
    return Supplier.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "contact_name": contact_name,
            "phone": phone,
            "email": email,
            "is_active": is_active,
        },
    )
