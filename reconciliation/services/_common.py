"""Helpers the reconciliation services share: money rounding, statement locks, totals, charge sync."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

from aftersales.services import supplier_charges_attach, supplier_charges_detach
from reconciliation.choices import ItemKind, StatementStatus
from reconciliation.exceptions import StatementNotEditable
from reconciliation.models import ReconcilableItem, StatementLine, SupplierStatement

CENT = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@dataclass(frozen=True)
class Totals:
    total: Decimal
    line_count: int
    changed: int


def _lock_statement(statement_id: int) -> SupplierStatement:
    return SupplierStatement.objects.select_for_update(of=("self",)).get(pk=statement_id)


def _lock_draft(statement_id: int) -> SupplierStatement:
    statement = _lock_statement(statement_id)
    if statement.status != StatementStatus.DRAFT:
        raise StatementNotEditable(statement)
    return statement


def _by(user):
    """The acting user to store on a row (None for a system call or an anonymous user)."""
    return user if getattr(user, "pk", None) else None


def _refresh_totals(statement_id: int) -> tuple[Decimal, int]:
    """The statement total is the sum of its lines (invariant 4): one aggregate, stored on the row."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {_table(SupplierStatement)} st
                SET total = agg.total, line_count = agg.n, updated_at = now()
                FROM (SELECT COALESCE(sum(amount), 0) AS total, count(*) AS n
                      FROM {_table(StatementLine)} WHERE statement_id = %s) agg
                WHERE st.id = %s RETURNING st.total, st.line_count""",  # noqa: S608 - table names from model meta, values are parameters
            [statement_id, statement_id],
        )
        total, count = cursor.fetchone()
    return money(total), count


def _sync_charges(statement_id: int, *, attached: list[int] = (), detached: bool = False) -> None:
    """Keep aftersales' own status of its charges in step, through its services, in this transaction."""
    if detached:
        supplier_charges_detach(statement_id=statement_id)
        attached = list(
            ReconcilableItem.objects.filter(statement_id=statement_id, kind=ItemKind.AFTERSALES).values_list(
                "supplier_charge_id", flat=True
            )
        )
    if attached:
        supplier_charges_attach(charge_ids=list(attached), statement_id=statement_id)
