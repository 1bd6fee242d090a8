"""Models of the inventory app: catalogue, suppliers, warehouses, stock levels, the ledger, reservations, alerts.

One module per sub-domain; this package re-exports every model so ``from inventory.models import SKU`` works.
"""

from inventory.models.catalogue import SKU, Location, Product, Supplier, SupplierSKU, Warehouse
from inventory.models.stock import LowStockAlert, Reservation, StockLevel, StockMovement

__all__ = [
    "SKU",
    "Location",
    "LowStockAlert",
    "Product",
    "Reservation",
    "StockLevel",
    "StockMovement",
    "Supplier",
    "SupplierSKU",
    "Warehouse",
]
