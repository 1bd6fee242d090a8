"""Demo data of the reports app: the summary tables built from the demo orders, so every report shows them."""

from __future__ import annotations

from reports.summaries import refresh_order_summaries


def seed(*, stdout) -> None:
    rows = refresh_order_summaries()
    stdout.write(f"    reports: summaries rebuilt ({rows} rows)")
