"""The platform registry: one adapter per platform that has an API; file-only platforms have none."""

from __future__ import annotations

from connectors.choices import Platform
from connectors.platforms.base import PlatformAdapter, PlatformError, PlatformOrder, StockItem
from connectors.platforms.shopify import ShopifyAdapter
from connectors.platforms.woocommerce import WooCommerceAdapter

__all__ = ["PlatformAdapter", "PlatformError", "PlatformOrder", "StockItem", "adapter_for", "has_api"]

ADAPTERS: dict[str, type[PlatformAdapter]] = {
    Platform.SHOPIFY: ShopifyAdapter,
    Platform.WOOCOMMERCE: WooCommerceAdapter,
}


def has_api(platform: str) -> bool:
    return platform in ADAPTERS


def adapter_for(connection, secrets: dict[str, str]) -> PlatformAdapter:
    if connection.platform not in ADAPTERS:
        raise PlatformError(f"{connection.get_platform_display()}: no API adapter (orders come in as files)")
    return ADAPTERS[connection.platform](connection, secrets)
