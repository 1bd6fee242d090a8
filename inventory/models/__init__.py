"""Models of the inventory app: catalogue, suppliers, warehouses, stock levels, the ledger, reservations, alerts.

One module per sub-domain; this package re-exports every model so ``from inventory.models import SKU`` works.
"""

from inventory.models.catalogue import SKU, Location, Product, Supplier, SupplierSKU, Warehouse
from inventory.models.counts import StockCount, StockCountLine
from inventory.models.purchasing import PurchaseOrder, PurchaseOrderLine
from inventory.models.stock import LowStockAlert, Reservation, StockLevel, StockMovement
from inventory.models.transfers import StockTransfer, StockTransferLine

__all__ = [
    "SKU",
    "Location",
    "LowStockAlert",
    "Product",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "Reservation",
    "StockCount",
    "StockCountLine",
    "StockLevel",
    "StockMovement",
    "StockTransfer",
    "StockTransferLine",
    "Supplier",
    "SupplierSKU",
    "Warehouse",
]
