"""Reads of the reconciliation app shared by views, services, exports and the PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from inventory.models import Supplier
from reconciliation.choices import DIFFERENCES, ItemKind, ItemStatus, MatchKind, Resolution, StatementStatus
from reconciliation.models import (
    BillColumnMapping,
    BillMatch,
    ReconcilableItem,
    Settlement,
    StatementLine,
    SupplierBill,
    SupplierStatement,
)

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ItemFilter:
    """What the statement builder filters on; the same filter selects 'all matching' in the services."""

    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""

    def apply(self, qs: QuerySet[ReconcilableItem]) -> QuerySet[ReconcilableItem]:
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.date_from:
            qs = qs.filter(item_date__gte=self.date_from)
        if self.date_to:
            qs = qs.filter(item_date__lte=self.date_to)
        q = (self.q or "").strip()
        if q:
            # Exact or prefix on the indexed references; shipment, receipt, case or order number, or SKU.
            qs = qs.filter(
                Q(reference__startswith=q) | Q(order_number__startswith=q) | Q(sku_code__startswith=q)
            )
        return qs


def open_items(*, supplier_id: int, filters: ItemFilter | None = None) -> QuerySet[ReconcilableItem]:
    """The supplier's items on no statement yet, oldest first."""
    qs = ReconcilableItem.objects.filter(supplier_id=supplier_id, status=ItemStatus.OPEN)
    return (filters or ItemFilter()).apply(qs).order_by("item_date", "pk")


def statement_items(*, statement_id: int, filters: ItemFilter | None = None) -> QuerySet[ReconcilableItem]:
    """The items on a statement (its lines), oldest first."""
    qs = ReconcilableItem.objects.filter(statement_id=statement_id)
    return (filters or ItemFilter()).apply(qs).order_by("item_date", "pk")


def items_summary(qs: QuerySet[ReconcilableItem]) -> dict:
    """Count and sum of a filtered item list, in one query."""
    return qs.order_by().aggregate(count=Count("pk"), amount=Coalesce(Sum("amount"), ZERO))


def statement_breakdown(*, statement_id: int) -> list[dict]:
    """Lines and amount per kind (a joint statement covers several), from the lines."""
    labels = dict(ItemKind.choices)
    rows = (
        StatementLine.objects.filter(statement_id=statement_id)
        .values("kind")
        .annotate(count=Count("pk"), amount=Sum("amount"))
        .order_by("kind")
    )
    return [{"kind": r["kind"], "label": labels.get(r["kind"], r["kind"]), **r} for r in rows]


def statements(
    *, status: str = "", supplier_id: int | None = None, q: str = ""
) -> QuerySet[SupplierStatement]:
    qs = SupplierStatement.objects.select_related("supplier", "created_by", "approved_by")
    if status:
        qs = qs.filter(status=status)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(supplier__name__icontains=q) | Q(supplier__code__iexact=q))
    return qs.order_by("-created_at", "-pk")


def approval_queue() -> QuerySet[SupplierStatement]:
    """Submitted statements, oldest first, with how many differences with the bill were resolved."""
    differences = (
        BillMatch.objects.filter(statement=OuterRef("pk"), kind__in=DIFFERENCES)
        .order_by()
        .values("statement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        SupplierStatement.objects.filter(status=StatementStatus.SUBMITTED)
        .select_related("supplier", "created_by")
        .annotate(
            differences=Coalesce(Subquery(differences), 0),
            has_bill=Exists(SupplierBill.objects.filter(statement=OuterRef("pk"))),
        )
        .order_by("submitted_at", "pk")
    )


def unresolved_differences(*, statement_id: int) -> int:
    return BillMatch.objects.filter(
        statement_id=statement_id, kind__in=DIFFERENCES, resolution=Resolution.UNRESOLVED
    ).count()


def current_bill(*, statement_id: int) -> SupplierBill | None:
    return SupplierBill.objects.filter(statement_id=statement_id).order_by("-created_at", "-pk").first()


def bill_matches(*, bill_id: int, kind: str = "", unresolved_only: bool = False) -> QuerySet[BillMatch]:
    qs = BillMatch.objects.filter(bill_id=bill_id).select_related("bill_line", "resolved_by")
    qs = qs.filter(kind=kind) if kind else qs.exclude(kind=MatchKind.MATCHED)
    if unresolved_only:
        qs = qs.filter(resolution=Resolution.UNRESOLVED)
    return qs.order_by("kind", "reference", "sku_code", "pk")


def bill_counts(*, bill_id: int) -> dict[str, dict[str, int]]:
    """Per result kind: how many, and how many still unresolved."""
    rows = (
        BillMatch.objects.filter(bill_id=bill_id)
        .values("kind")
        .annotate(n=Count("pk"), open=Count("pk", filter=Q(resolution=Resolution.UNRESOLVED)))
    )
    return {
        r["kind"]: {"count": r["n"], "unresolved": r["open"] if r["kind"] != MatchKind.MATCHED else 0}
        for r in rows
    }


@dataclass(frozen=True)
class Balance:
    supplier: Supplier
    total: Decimal
    reconciled: Decimal
    remaining: Decimal
    open_items: int
    paid: Decimal


def balances_by_supplier() -> dict[int, dict]:
    """Per supplier: total, reconciled, remaining (reconciled + remaining = total, always), open items."""
    rows = (
        ReconcilableItem.objects.order_by()
        .values("supplier_id")
        .annotate(
            total=Coalesce(Sum("amount"), ZERO),
            reconciled=Coalesce(Sum("amount", filter=Q(status=ItemStatus.RECONCILED)), ZERO),
            remaining=Coalesce(Sum("amount", filter=~Q(status=ItemStatus.RECONCILED)), ZERO),
            open_items=Count("pk", filter=Q(status=ItemStatus.OPEN)),
        )
    )
    return {r["supplier_id"]: r for r in rows}


def paid_by_supplier() -> dict[int, Decimal]:
    rows = Settlement.objects.order_by().values("statement__supplier_id").annotate(paid=Sum("amount"))
    return {r["statement__supplier_id"]: r["paid"] for r in rows}


def supplier_balances(suppliers: list[Supplier]) -> list[Balance]:
    sums = balances_by_supplier()
    paid = paid_by_supplier()
    result = []
    for supplier in suppliers:
        row = sums.get(supplier.pk, {})
        result.append(
            Balance(
                supplier=supplier,
                total=row.get("total", ZERO),
                reconciled=row.get("reconciled", ZERO),
                remaining=row.get("remaining", ZERO),
                open_items=row.get("open_items", 0),
                paid=paid.get(supplier.pk) or ZERO,
            )
        )
    return result


def statement_lines_for_export(*, statement_id: int):
    """Every line of a statement with its item, in a stable order (PDF, XLSX)."""
    return (
        ReconcilableItem.objects.filter(statement_id=statement_id)
        .order_by("kind", "item_date", "pk")
        .values_list(
            "kind",
            "item_date",
            "reference",
            "order_number",
            "sku_code",
            "description",
            "quantity",
            "unit_cost",
            "amount",
        )
    )


def bill_mapping(*, supplier_id: int) -> BillColumnMapping | None:
    """Which column of this supplier's bills holds what, if it was saved."""
    return BillColumnMapping.objects.filter(supplier_id=supplier_id).first()


def bill_mapping_fits(bill: SupplierBill) -> bool:
    """The supplier's saved mapping names only columns this bill has (matching can start at once)."""
    mapping = bill_mapping(supplier_id=bill.statement.supplier_id)
    if mapping is None:
        return False
    headers = set(bill.counts.get("headers", []))
    return all(col in headers for col in mapping.columns().values() if col)


def statement_settlements(statement: SupplierStatement) -> list[Settlement]:
    """Payments recorded against an approved or settled statement (none shown before approval)."""
    if statement.status not in (StatementStatus.APPROVED, StatementStatus.SETTLED):
        return []
    return list(statement.settlements.select_related("by"))
