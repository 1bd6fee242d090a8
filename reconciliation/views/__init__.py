"""Finance screens of supplier reconciliation: balances, statements by state, the statement builder,
bill matching and resolutions, the approval queue, PDF / XLSX. Thin: selectors read, services write.

Statement screens are in ``statements``, supplier bill screens in ``bills``; re-exported here for the URLs.
"""

from reconciliation.views.bills import (
    BillDetailView,
    BillMappingView,
    BillMatchView,
    BillUploadView,
    MatchResolveView,
    bill_context,
)
from reconciliation.views.statements import (
    ApprovalQueueView,
    SettlementCreateView,
    StatementActionView,
    StatementCreateView,
    StatementDetailView,
    StatementListView,
    StatementPdfView,
    StatementSelectView,
    StatementXlsxView,
    SupplierBalanceListView,
    detail_context,
)

__all__ = [
    "ApprovalQueueView",
    "BillDetailView",
    "BillMappingView",
    "BillMatchView",
    "BillUploadView",
    "MatchResolveView",
    "SettlementCreateView",
    "StatementActionView",
    "StatementCreateView",
    "StatementDetailView",
    "StatementListView",
    "StatementPdfView",
    "StatementSelectView",
    "StatementXlsxView",
    "SupplierBalanceListView",
    "bill_context",
    "detail_context",
]
