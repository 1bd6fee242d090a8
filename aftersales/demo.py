"""Demo data of the aftersales app: a dozen cases across types and states, complaints and survey answers,
all through the services and on orders the orders demo created. Idempotent: does nothing once seeded."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from aftersales import services
from aftersales.choices import (
    SHIPPED_TYPES,
    CaseStatus,
    CaseType,
    ComplaintCategory,
    ComplaintKind,
    Condition,
)
from aftersales.models import AftersalesCase, Complaint, Reason
from aftersales.selectors import line_allowances, suggested_refund_amount
from inventory.models import Warehouse
from oms.exceptions import DomainError
from orders.choices import OrderStatus, PaymentStatus
from orders.models import Order

MARK = "[demo] "


def _customer_words(reason) -> str:
    """What the (Chinese-speaking) demo customer wrote: the reason's name in Chinese."""
    with translation.override("zh-hans"):
        return reason.label


_skipped: list[str] = []


# (case type, reason, steps, compensation (supplier, platform) or None, inspection)
PLANS = [
    (CaseType.RETURN_REFUND, "damaged", ["approve"], ("30.00", "20.00"), None),
    (
        CaseType.RETURN_REFUND,
        "damaged",
        ["approve", "receive", "inspect", "refund", "close"],
        ("30.00", "20.00"),
        Condition.DAMAGED,
    ),
    (CaseType.RETURN_REFUND, "quality", [], None, None),
    (CaseType.RETURN_REFUND, "size-fit", ["approve", "receive"], None, None),
    (CaseType.REFUND_ONLY, "missing-item", ["approve", "refund"], None, None),
    (CaseType.EXCHANGE, "size-fit", ["approve"], None, None),
    (
        CaseType.EXCHANGE,
        "wrong-item",
        ["approve", "receive", "inspect", "replace"],
        None,
        Condition.RESELLABLE,
    ),
    (CaseType.REISSUE, "missing-item", ["approve", "replace", "close"], None, None),
    (CaseType.COMPENSATION, "late-delivery", ["approve", "refund"], ("0.00", "15.00"), None),
    (CaseType.COMPENSATION, "quality", ["approve", "refund", "close"], ("20.00", "10.00"), None),
    (CaseType.RETURN_REFUND, "changed-mind", ["reject"], None, None),
]


def _demo_orders() -> tuple[list[Order], list[Order]]:
    """Paid orders that left the warehouse (for most cases) and one not shipped yet (a parcel to stop)."""
    shipped = list(
        Order.objects.filter(
            status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED],
            payments__status=PaymentStatus.PAID,
        )
        .distinct()
        .order_by("pk")[:12]
    )
    unshipped = list(
        Order.objects.filter(status__in=[OrderStatus.ALLOCATED, OrderStatus.APPROVED]).order_by("pk")[:1]
    )
    return shipped, unshipped


def seed(*, stdout) -> None:
    if AftersalesCase.objects.filter(description__startswith=MARK).exists():
        stdout.write("  aftersales: demo cases already there, left as they are")
        return
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["ops", "warehouse", "finance"])
    }
    if len(users) < 3:
        stdout.write("  aftersales: demo users missing; nothing seeded")
        return
    shipped, unshipped = _demo_orders()
    warehouse = Warehouse.objects.filter(is_active=True).order_by("priority", "pk").first()
    reasons = {r.code: r for r in Reason.objects.all()}
    if not shipped or warehouse is None or "damaged" not in reasons:
        stdout.write("  aftersales: no shipped orders or warehouses yet; nothing seeded")
        return
    staff = (users["ops"], users["warehouse"], users["finance"], warehouse)
    made = 0
    for index, (case_type, reason_code, steps, comp, condition) in enumerate(PLANS):
        order = shipped[index % len(shipped)]
        made += _one(order, case_type, reasons[reason_code], steps, comp, condition, *staff, index)
    if unshipped:
        made += _one(
            unshipped[0], CaseType.REFUND_ONLY, reasons["changed-mind"], ["approve"], None, None, *staff, 99
        )
    _complaints(shipped, users["ops"])
    _surveys(shipped)
    stdout.write(f"  aftersales: {made} demo cases")
    for line in _skipped:
        stdout.write(f"    skipped {line}")


def _first_free_line(order, case_type: str) -> list[services.LineRequest]:
    """One unit of the first order line that may still be claimed (none for a compensation)."""
    needs_shipped = case_type in SHIPPED_TYPES
    for allowance in line_allowances(order.pk).values():
        claimed = allowance.claimed if case_type != CaseType.REISSUE else 0
        free = (allowance.shipped if needs_shipped else allowance.ordered) - claimed
        if free > 0 and case_type != CaseType.COMPENSATION:
            return [services.LineRequest(order_line_id=allowance.line_id, quantity=1)]
    return []


def _demo_supplier(order, comp):
    """A supplier of the order's goods, and the compensation split (no supplier: the platform pays all)."""
    if not comp:
        return None, comp
    from inventory.models import SupplierSKU

    sku_ids = list(order.lines.values_list("sku_id", flat=True))
    supplier_id = SupplierSKU.objects.filter(sku_id__in=sku_ids).values_list("supplier_id", flat=True).first()
    if supplier_id is None and comp[0] != "0.00":
        comp = ("0.00", comp[1])
    return supplier_id, comp


def _one(order, case_type, reason, steps, comp, condition, ops, wh, fin, warehouse, index) -> int:
    lines = _first_free_line(order, case_type)
    if case_type != CaseType.COMPENSATION and not lines:
        return 0
    supplier_id, comp = _demo_supplier(order, comp)
    needs_shipped = case_type in SHIPPED_TYPES
    try:
        with transaction.atomic():
            case = services.case_register(
                order_id=order.pk,
                case_type=case_type,
                lines=lines,
                reason_id=reason.pk,
                by=ops,
                description=MARK + _customer_words(reason),
                supplier_id=supplier_id,
                compensation_applies=bool(comp),
                supplier_share=comp[0] if comp else "0",
                platform_share=comp[1] if comp else "0",
                return_tracking_number=f"SF9{index:09d}"
                if needs_shipped and case_type != CaseType.REISSUE
                else "",
            )
            for step in steps:
                _step(case, step, condition, ops=ops, wh=wh, fin=fin, warehouse=warehouse)
    except DomainError as exc:
        _skipped.append(f"{case_type} on {order.number}: {exc.message}")
        return 0
    return 1


def _step(case, step: str, condition, *, ops, wh, fin, warehouse) -> None:
    if step == "approve":
        services.case_approve(case_id=case.pk, by=ops)
    elif step == "reject":
        services.case_reject(case_id=case.pk, reason="超过七天无理由退货期限", by=ops)
    elif step == "receive":
        services.case_receive_return(case_id=case.pk, warehouse_id=warehouse.pk, by=wh)
    elif step == "inspect":
        services.case_inspect(
            case_id=case.pk, conditions={line.pk: condition for line in case.lines.all()}, by=wh
        )
    elif step == "refund":
        case.refresh_from_db()
        amount = suggested_refund_amount(case)
        if amount > 0:
            services.refund_record(case_id=case.pk, amount=amount, by=fin, transaction_ref=f"RF{case.pk}")
    elif step == "replace":
        services.case_send_replacement(case_id=case.pk, by=ops)
    elif step == "close":
        services.case_close(case_id=case.pk, by=ops)


def _complaints(orders, ops) -> None:
    if Complaint.objects.filter(description__startswith=MARK).exists():
        return
    samples = [
        (ComplaintKind.COMPLAINT, ComplaintCategory.DELIVERY, "快递三天没有更新", "已联系快递公司催件", True),
        (ComplaintKind.INQUIRY, ComplaintCategory.BILLING, "发票什么时候开", "", False),
        (ComplaintKind.COMPLAINT, ComplaintCategory.SERVICE, "客服回复太慢", "已致歉并赠送优惠券", True),
    ]
    for order, (kind, category, subject, resolution, resolved) in zip(orders, samples, strict=False):
        complaint = services.complaint_register(
            kind=kind,
            category=category,
            customer_id=order.customer_id,
            order_id=order.pk,
            subject=subject,
            description=MARK + subject,
            contact_phone=order.contact_phone,
            by=ops,
        )
        if resolved:
            services.complaint_resolve(complaint_id=complaint.pk, resolution=resolution, by=ops)


def _surveys(orders) -> None:
    scores = [5, 4, 2, 5, 3]
    closed = AftersalesCase.objects.filter(status=CaseStatus.CLOSED, description__startswith=MARK).order_by(
        "pk"
    )
    for case, score in zip(closed, scores, strict=False):
        token = services.survey_token(order_id=case.order_id, case_id=case.pk)
        if not services.survey_answered(token):
            services.survey_submit(token=token, score=score, comment="")
    for order, score in zip(orders[-3:], scores[1:], strict=False):
        token = services.survey_token(order_id=order.pk)
        if not services.survey_answered(token):
            services.survey_submit(token=token, score=score, comment="")
