"""`manage.py check_stock`: compare every stock level with its ledger and active reservations."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from inventory.selectors import stock_drift
from inventory.selectors_purchasing import pipeline_drift


class Command(BaseCommand):
    help = (
        "Report every SKU × warehouse whose on hand, damaged or reserved stock differs from its ledger "
        "or active reservations, or whose on order / in transit differ from the open purchase orders / "
        "shipped transfers. Exit code 1 when anything drifts."
    )

    def handle(self, *args, **options):
        drift = [*stock_drift(), *pipeline_drift()]
        for row in drift:
            self.stderr.write(row.describe())
        if drift:
            self.stderr.write(f"{len(drift)} stock level(s) drift from the ledger.")
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("Stock matches the ledger and the reservations."))
