"""Reports: read-only aggregates and the managers' dashboard."""
