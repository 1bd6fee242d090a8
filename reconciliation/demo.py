"""Demo data of the reconciliation app: items collected for the demo suppliers, one approved statement
(receipts of one supplier) and one draft (a drop-ship supplier's open items). Idempotent and fast."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from inventory.models import Supplier
from reconciliation.choices import ItemKind, ItemStatus
from reconciliation.models import ReconcilableItem, SupplierStatement
from reconciliation.selectors import ItemFilter
from reconciliation.services import (
    items_collect,
    statement_approve,
    statement_create,
    statement_select,
    statement_submit,
)

DEMO_NOTE = "演示数据"


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _supplier_with_items(*, exclude: set[int] = frozenset()) -> Supplier | None:
    supplier_ids = (
        ReconcilableItem.objects.filter(status=ItemStatus.OPEN)
        .exclude(supplier_id__in=exclude)
        .order_by("supplier_id")
        .values_list("supplier_id", flat=True)
        .distinct()
    )
    first = next(iter(supplier_ids), None)
    return Supplier.objects.filter(pk=first).first() if first else None


def seed(*, stdout) -> None:
    added = items_collect()
    stdout.write(f"    reconciliation: collected {sum(added.values())} new items")
    if SupplierStatement.objects.filter(note__startswith=DEMO_NOTE).exists():
        return
    clerk, manager = _user("finance"), _user("finance_manager")
    approved_supplier = _supplier_with_items()
    if approved_supplier is None:
        stdout.write("    reconciliation: no open items, no demo statements")
        return
    approved = statement_create(supplier_id=approved_supplier.pk, note=f"{DEMO_NOTE}: 已审核", by=clerk)
    statement_select(statement_id=approved.pk, filters=ItemFilter(kind=ItemKind.RECEIPT), by=clerk)
    if approved.pk and ReconcilableItem.objects.filter(statement_id=approved.pk).exists():
        statement_submit(statement_id=approved.pk, by=clerk)
        statement_approve(statement_id=approved.pk, by=manager)
    draft_supplier = _supplier_with_items(exclude={approved_supplier.pk}) or approved_supplier
    draft = statement_create(supplier_id=draft_supplier.pk, note=f"{DEMO_NOTE}: 草稿", by=clerk)
    first_ids = list(
        ReconcilableItem.objects.filter(supplier_id=draft_supplier.pk, status=ItemStatus.OPEN)
        .order_by("item_date", "pk")
        .values_list("pk", flat=True)[:20]
    )
    if first_ids:
        statement_select(statement_id=draft.pk, item_ids=first_ids, by=clerk)
    stdout.write(f"    reconciliation: statements {approved.number} (approved) and {draft.number} (draft)")
