"""Supplier charges: created here from a case's supplier share, read and marked by the reconciliation app."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils import timezone

from aftersales.choices import ReconciliationStatus
from aftersales.exceptions import ChargeNotAttachable, ChargeNotFound
from aftersales.models import AftersalesCase, SupplierCharge
from oms.db import retry_on_conflict
from oms.notes import choice_param, text_param
from oms.notes import note as make_note


def _charge_supplier(case: AftersalesCase) -> SupplierCharge | None:
    """The supplier's share of the case becomes an open charge (negative: the supplier owes us), once."""
    if not case.supplier_id or case.supplier_share <= 0:
        return None
    existing = SupplierCharge.objects.filter(case=case).first()
    if existing:
        return existing
    return SupplierCharge.objects.create(
        supplier_id=case.supplier_id,
        case=case,
        amount=-case.supplier_share,
        date=timezone.localdate(),
        description=make_note(
            "aftersales.supplier_charge",
            type=choice_param("aftersales.AftersalesCase.case_type", case.case_type),
            case=case.number,
            order=case.order.number,
            reason=text_param(case.reason.name),
        ),
    )


def _locked_charges(**filters) -> list[SupplierCharge]:
    return list(SupplierCharge.objects.select_for_update().filter(**filters).order_by("pk"))


@retry_on_conflict
def supplier_charges_attach(*, charge_ids: Sequence[int], statement_id: int) -> list[SupplierCharge]:
    """Put open charges on statement ``statement_id``; refuse one on another statement or already reconciled."""
    ids = sorted(set(charge_ids))
    charges = _locked_charges(pk__in=ids)
    missing = sorted(set(ids) - {c.pk for c in charges})
    if missing:
        raise ChargeNotFound(missing)
    for charge in charges:
        if charge.reconciliation_status == ReconciliationStatus.RECONCILED or (
            charge.statement_id is not None and charge.statement_id != statement_id
        ):
            raise ChargeNotAttachable(charge, statement_id)
    _charges_set(charges, reconciliation_status=ReconciliationStatus.IN_STATEMENT, statement_id=statement_id)
    return charges


def _locked_unreconciled_charges(*, statement_id: int) -> list[SupplierCharge]:
    """The statement's charges, locked; a reconciled one refuses the change."""
    charges = _locked_charges(statement_id=statement_id)
    for charge in charges:
        if charge.reconciliation_status == ReconciliationStatus.RECONCILED:
            raise ChargeNotAttachable(charge, statement_id)
    return charges


def _charges_set(charges: list[SupplierCharge], **values) -> None:
    """The same values on every charge, in one UPDATE."""
    for charge in charges:
        for name, value in values.items():
            setattr(charge, name, value)
    SupplierCharge.objects.bulk_update(charges, list(values))


@retry_on_conflict
def supplier_charges_detach(*, statement_id: int) -> int:
    """Take every charge off a statement that is not approved (it is open again); reconciled ones refuse."""
    charges = _locked_unreconciled_charges(statement_id=statement_id)
    _charges_set(charges, reconciliation_status=ReconciliationStatus.OPEN, statement_id=None)
    return len(charges)


@retry_on_conflict
def supplier_charges_mark_reconciled(*, statement_id: int, on_date: date) -> int:
    """The statement was approved: its charges are reconciled on ``on_date``; nothing is reconciled twice."""
    charges = _locked_unreconciled_charges(statement_id=statement_id)
    _charges_set(charges, reconciliation_status=ReconciliationStatus.RECONCILED, reconciled_at=on_date)
    return len(charges)
