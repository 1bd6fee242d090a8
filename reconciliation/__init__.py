"""Supplier reconciliation: statements, supplier bills, matching, approval and settlement."""
