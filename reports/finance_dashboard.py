"""The finance dashboard: refunds waiting for the finance manager, statements to approve, supplier balances.

Reads only, through the owning apps' selectors; each block links to the list behind it.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from aftersales.selectors import refunds_awaiting_approval
from inventory.selectors import suppliers_by_code
from reconciliation.selectors import approval_queue, supplier_balances

SHOWN = 10


def _refunds() -> dict:
    waiting = refunds_awaiting_approval()
    totals = waiting.order_by().aggregate(n=Count("pk"), amount=Sum("amount"))
    return {
        "rows": list(waiting[:SHOWN]),
        "count": totals["n"],
        "amount": totals["amount"] or Decimal("0.00"),
    }


def _statements() -> dict:
    queue = approval_queue()
    return {"rows": list(queue[:SHOWN]), "count": queue.count()}


def _balances() -> dict:
    balances = supplier_balances(list(suppliers_by_code()))
    open_ones = sorted((b for b in balances if b.remaining), key=lambda b: -abs(b.remaining))
    return {
        "rows": open_ones[:SHOWN],
        "count": len(open_ones),
        "remaining": sum((b.remaining for b in balances), Decimal("0.00")),
        "total": sum((b.total for b in balances), Decimal("0.00")),
    }


@permission_required("reports.export_finance", raise_exception=True)
def finance_dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "reports/finance_dashboard.html",
        {
            "refunds": _refunds() if user.has_perm("aftersales.view_refund") else None,
            "statements": _statements() if user.has_perm("reconciliation.view_supplierstatement") else None,
            "balances": _balances() if user.has_perm("reconciliation.view_reconcilableitem") else None,
        },
    )
