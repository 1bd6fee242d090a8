"""Reads of supplier statements for the reports app (the dashboard's counts)."""

from __future__ import annotations

from reconciliation.choices import StatementStatus
from reconciliation.models import SupplierStatement


def statements_in_status_count(*, status: StatementStatus) -> int:
    return SupplierStatement.objects.filter(status=status).count()
