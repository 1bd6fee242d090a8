"""Reads of the aftersales app that views, services, other apps and reports share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Avg, Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from aftersales.choices import (
    BADGE_COLOURS,
    CLAIMING_TYPES,
    OPEN_STATUSES,
    CaseStatus,
    CaseType,
    ReconciliationStatus,
    RefundKind,
    RefundStatus,
    SurveyContext,
)
from aftersales.models import (
    AftersalesCase,
    CaseLine,
    Complaint,
    Refund,
    SupplierCharge,
    SurveyResponse,
)
from fulfillment.selectors import shipped_units_by_order_line
from orders.choices import OrderStatus

ZERO = Decimal("0.00")
# Without fulfillment's shipment lines, an order in one of these states counts as fully shipped.
SHIPPED_ORDER_STATUSES = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)


# --- quantities --------------------------------------------------------------------------------


def shipped_quantity_by_line(order_id: int) -> dict[int, int]:
    """Units shipped per order line of ``order_id`` (order line id → units), from fulfillment's shipment lines.

    An order without any shipment in fulfillment (shipped outside it) counts as fully shipped when it is
    shipped, delivered or completed, and as not shipped otherwise.
    """
    from orders.models import Order, OrderLine

    shipped = shipped_units_by_order_line(order_id)
    if shipped is not None:
        line_ids = OrderLine.objects.filter(order_id=order_id).values_list("pk", flat=True)
        return {pk: shipped.get(pk, 0) for pk in line_ids}
    # No parcels in fulfillment (marked shipped elsewhere, e.g. imported history): the order's state decides.
    status = Order.objects.filter(pk=order_id).values_list("status", flat=True).first()
    rows = OrderLine.objects.filter(order_id=order_id).values_list("pk", "quantity")
    return {pk: (quantity if status in SHIPPED_ORDER_STATUSES else 0) for pk, quantity in rows}


def claimed_quantity_by_line(order_id: int, *, exclude_case_id: int | None = None) -> dict[int, int]:
    """Units of each order line already claimed by live refund / return / exchange cases."""
    qs = CaseLine.objects.filter(order_line__order_id=order_id, case__case_type__in=CLAIMING_TYPES).exclude(
        case__status=CaseStatus.REJECTED
    )
    if exclude_case_id:
        qs = qs.exclude(case_id=exclude_case_id)
    return {
        row["order_line_id"]: row["units"]
        for row in qs.values("order_line_id").annotate(units=Sum("quantity"))
    }


@dataclass(frozen=True)
class LineAllowance:
    line_id: int
    sku_code: str
    ordered: int
    shipped: int
    claimed: int

    def allowed(self, *, needs_shipped: bool) -> int:
        base = self.shipped if needs_shipped else self.ordered
        return max(base - self.claimed, 0)


def line_allowances(order_id: int) -> dict[int, LineAllowance]:
    from orders.models import OrderLine

    shipped = shipped_quantity_by_line(order_id)
    claimed = claimed_quantity_by_line(order_id)
    return {
        line.pk: LineAllowance(
            line_id=line.pk,
            sku_code=line.sku_code,
            ordered=line.quantity,
            shipped=shipped.get(line.pk, 0),
            claimed=claimed.get(line.pk, 0),
        )
        for line in OrderLine.objects.filter(order_id=order_id).order_by("line_no")
    }


# --- money -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refundable:
    paid: Decimal
    refunded: Decimal

    @property
    def remaining(self) -> Decimal:
        return max(self.paid - self.refunded, ZERO)


def refundable_for_order(order_id: int) -> Refundable:
    """What was paid for the order and what every refund so far took back (after-sales and cancellations)."""
    from orders.choices import RECEIVED_PAYMENT_STATUSES
    from orders.models import Payment, RefundRecord

    paid = (
        Payment.objects.filter(order_id=order_id, status__in=RECEIVED_PAYMENT_STATUSES).aggregate(
            s=Sum("amount")
        )["s"]
        or ZERO
    )
    ours = (
        Refund.objects.filter(order_id=order_id)
        .exclude(status=RefundStatus.REJECTED)
        .aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    cancellations = RefundRecord.objects.filter(order_id=order_id).aggregate(s=Sum("amount"))["s"] or ZERO
    return Refundable(paid=paid, refunded=ours + cancellations)


def suggested_refund_amount(case: AftersalesCase) -> Decimal:
    """The value of the case's lines plus any compensation, at most what is still refundable."""
    if case.case_type == CaseType.COMPENSATION:
        wanted = case.compensation_total
    else:
        wanted = sum((line.value for line in case.lines.all()), ZERO) + case.compensation_total
    return min(wanted, refundable_for_order(case.order_id).remaining)


def default_supplier_id(sku_ids: list[int]) -> int | None:
    """The preferred supplier of the first of ``sku_ids`` that has one (then any supplier of it)."""
    from inventory.models import SupplierSKU

    rows = SupplierSKU.objects.filter(sku_id__in=sku_ids).order_by("-is_preferred", "pk")
    by_sku: dict[int, int] = {}
    for sku_id, supplier_id in rows.values_list("sku_id", "supplier_id"):
        by_sku.setdefault(sku_id, supplier_id)
    for sku_id in sku_ids:
        if sku_id in by_sku:
            return by_sku[sku_id]
    return None


# --- screens -----------------------------------------------------------------------------------


def cases_queryset() -> QuerySet[AftersalesCase]:
    """Cases with what a list row shows, in a constant number of queries."""
    return AftersalesCase.objects.select_related(
        "order", "customer", "channel", "reason", "handler", "supplier"
    ).prefetch_related(Prefetch("lines", queryset=CaseLine.objects.select_related("sku")))


def case_status_counts(qs: QuerySet[AftersalesCase] | None = None) -> dict[str, int]:
    qs = AftersalesCase.objects.all() if qs is None else qs
    return dict(qs.order_by().values_list("status").annotate(n=Count("pk")))


def case_detail(pk: int) -> AftersalesCase:
    return (
        AftersalesCase.objects.select_related(
            "order", "customer", "channel", "reason", "handler", "supplier", "created_by", "return_warehouse"
        )
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=CaseLine.objects.select_related("sku__product", "replacement_sku", "order_line"),
            ),
            "photos",
            Prefetch("refunds", queryset=Refund.objects.select_related("requested_by", "approved_by")),
        )
        .get(pk=pk)
    )


def case_supplier_charge(case: AftersalesCase) -> SupplierCharge | None:
    """The supplier charge of a case (its supplier's share), None when the supplier bears nothing."""
    return SupplierCharge.objects.filter(case=case).first()


def cases_awaiting_return(code: str) -> QuerySet[AftersalesCase]:
    """Cases a scanned code (return tracking number or order number) may belong to, still to receive or inspect."""
    code = code.strip()
    return (
        cases_queryset()
        .filter(status__in=(CaseStatus.AWAITING_RETURN, CaseStatus.RECEIVED))
        .filter(Q(return_tracking_number__iexact=code) | Q(order__number__iexact=code))
        .order_by("created_at", "pk")
    )


def refunds_queryset() -> QuerySet[Refund]:
    return Refund.objects.select_related("case", "order", "requested_by", "approved_by", "case__customer")


def refunds_awaiting_approval() -> QuerySet[Refund]:
    return refunds_queryset().filter(status=RefundStatus.AWAITING_APPROVAL).order_by("created_at", "pk")


def complaints_queryset() -> QuerySet[Complaint]:
    return Complaint.objects.select_related("customer", "order", "handler")


def survey_report(*, date_from: date | None = None, date_to: date | None = None) -> dict:
    """Average satisfaction score overall, by case type and by reason (case surveys), and after delivery."""
    qs = SurveyResponse.objects.all()
    if date_from:
        qs = qs.filter(submitted_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(submitted_at__date__lte=date_to)
    overall = qs.aggregate(avg=Avg("score"), n=Count("pk"))
    by_context = list(qs.values("context").annotate(avg=Avg("score"), n=Count("pk")).order_by("context"))
    cases = qs.filter(context=SurveyContext.CASE)
    by_type = list(
        cases.values("case__case_type").annotate(avg=Avg("score"), n=Count("pk")).order_by("case__case_type")
    )
    by_reason = list(
        cases.values("case__reason__name")
        .annotate(avg=Avg("score"), n=Count("pk"))
        .order_by("case__reason__name")
    )
    return {"overall": overall, "by_context": by_context, "by_type": by_type, "by_reason": by_reason}


# --- for other apps ----------------------------------------------------------------------------


def open_supplier_charges(
    supplier_id: int, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[SupplierCharge]:
    """The supplier's after-sales charges not yet on a statement (negative amounts: the supplier owes us)."""
    qs = SupplierCharge.objects.filter(
        supplier_id=supplier_id, reconciliation_status=ReconciliationStatus.OPEN
    ).select_related("case", "case__order")
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("date", "pk")


@dataclass(frozen=True)
class OrderAftersalesState:
    open_cases: int
    total_cases: int
    latest_status: str
    latest_label: str
    badge: str

    @property
    def has_cases(self) -> bool:
        return self.total_cases > 0


def aftersales_states_for_orders(order_ids: list[int]) -> dict[int, OrderAftersalesState]:
    """The after-sales flag of each order (one query): open cases, and the state of the latest case."""
    labels = dict(CaseStatus.choices)
    result: dict[int, OrderAftersalesState] = {}
    rows = (
        AftersalesCase.objects.filter(order_id__in=order_ids)
        .order_by("order_id", "-created_at", "-pk")
        .values_list("order_id", "status")
    )
    seen: dict[int, list[str]] = {}
    for order_id, status in rows:
        seen.setdefault(order_id, []).append(status)
    for order_id, statuses in seen.items():
        # An open case is what the order's flag is about; a closed one shows only when none is open.
        latest = next((s for s in statuses if s in OPEN_STATUSES), statuses[0])
        result[order_id] = OrderAftersalesState(
            open_cases=sum(1 for s in statuses if s in OPEN_STATUSES),
            total_cases=len(statuses),
            latest_status=latest,
            latest_label=str(labels.get(latest, latest)),
            badge=BADGE_COLOURS.get(latest, "secondary"),
        )
    return result


def aftersales_state_for_order(order_id: int) -> OrderAftersalesState | None:
    """What the order detail page shows about after-sales; None when the order has no case."""
    return aftersales_states_for_orders([order_id]).get(order_id)


def cases_for_order(order_id: int) -> QuerySet[AftersalesCase]:
    return (
        AftersalesCase.objects.filter(order_id=order_id)
        .select_related("reason")
        .order_by("-created_at", "-pk")
    )


# --- what orders asks through its hooks (registered in AftersalesConfig.ready) ----------------


def completed_refunds_by_order(order_ids: list[int]) -> dict[int, Decimal]:
    """Money given back as refunds (not compensation) per order: orders' "paid minus refunds" for invoices."""
    rows = (
        Refund.objects.filter(order_id__in=order_ids, kind=RefundKind.REFUND, status=RefundStatus.COMPLETED)
        .order_by()
        .values_list("order_id")
        .annotate(s=Sum("amount"))
    )
    return dict(rows)


def open_cases_blocking_completion(order_ids: list[int]) -> dict[int, str]:
    """Orders with an open after-sales case, which must stay delivered until it closes (orders' completion)."""
    rows = (
        AftersalesCase.objects.filter(order_id__in=order_ids, status__in=OPEN_STATUSES)
        .order_by("order_id", "pk")
        .values_list("order_id", "number")
    )
    blocked: dict[int, str] = {}
    for order_id, number in rows:
        blocked.setdefault(
            order_id, _("After-sales case %(number)s is open.") % {"number": number or _("(no number)")}
        )
    return blocked


def customer_aftersales_panel(customer, request) -> dict:
    """The customer page's after-sales history: cases (returns, refunds…), complaints, survey answers."""
    cases = list(
        AftersalesCase.objects.filter(customer=customer)
        .select_related("order", "reason")
        .order_by("-created_at", "-pk")[:50]
    )
    complaints = list(
        Complaint.objects.filter(customer=customer)
        .select_related("order")
        .order_by("-created_at", "-pk")[:50]
    )
    surveys = list(
        SurveyResponse.objects.filter(order__customer=customer)
        .select_related("order", "case")
        .order_by("-submitted_at", "-pk")[:50]
    )
    scores = [s.score for s in surveys]
    return {
        "cases": cases,
        "complaints": complaints,
        "surveys": surveys,
        "average_score": round(sum(scores) / len(scores), 1) if scores else None,
        "badges": BADGE_COLOURS,
    }
