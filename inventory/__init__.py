"""Inventory: products, SKUs, suppliers, warehouses, stock levels, the ledger, reservations and allocation planning."""
