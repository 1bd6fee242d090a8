"""Fulfillment: carriers, shipments, waves, pick lists, scan-verified packing, shipping and tracking."""
