"""Payments against an approved statement: recording them, and settling the statement once paid in full."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from oms.audit import run_transition
from oms.db import retry_on_conflict
from reconciliation.choices import StatementStatus
from reconciliation.exceptions import SettlementInvalid, StatementNotEditable
from reconciliation.models import Settlement, SupplierStatement
from reconciliation.services._common import _lock_statement, money


def _check_payable(statement: SupplierStatement) -> None:
    """Only an approved statement takes payments; a settled one says so."""
    if statement.status != StatementStatus.APPROVED:
        raise (
            StatementNotEditable(statement)
            if statement.status != StatementStatus.SETTLED
            else SettlementInvalid(
                _("Statement %(number)s is already settled.") % {"number": statement.number}
            )
        )


@retry_on_conflict
def settlement_record(*, statement_id: int, paid_on: date, amount, reference: str, note: str = "", by=None):
    """Record a payment; once the payments add up to the statement total, it is settled."""
    statement = _lock_statement(statement_id)
    _check_payable(statement)
    amount = money(amount)
    reference = (reference or "").strip()
    if not reference:
        raise SettlementInvalid(_("Enter the payment reference (bank transfer number)."), field="reference")
    paid = sum((s.amount for s in statement.settlements.all()), Decimal("0.00"))
    remaining = statement.total - paid
    if amount == 0 or (amount > 0) != (remaining > 0) or abs(amount) > abs(remaining):
        raise SettlementInvalid(
            _("Enter an amount between 0 and the %(remaining)s still to be settled on this statement.")
            % {"remaining": remaining}
        )
    settlement = Settlement.objects.create(
        statement=statement, paid_on=paid_on, amount=amount, reference=reference[:100], note=note[:300], by=by
    )
    if paid + amount == statement.total:
        run_transition(statement, "settle", by=by, note=reference)
        statement.settled_at = timezone.now()
        statement.save(update_fields=["status", "settled_at", "updated_at"])
    return settlement
