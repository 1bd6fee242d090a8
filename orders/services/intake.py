"""Single-order intake (API, import, manual form, reship): validate, match the customer, write, route.

Idempotent on (channel, external_id), also under concurrency: the unique constraint decides, and a
duplicate answers the order that won.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import SKU
from oms.audit import log_changes
from oms.db import retry_on_conflict
from oms.exceptions import DomainError, IllegalTransition
from oms.notes import choice_param
from oms.notes import note as make_note
from orders.choices import OrderSource, PaymentMethod, PaymentStatus
from orders.models import Address, Channel, Customer, Order, OrderLine, Payment
from orders.money import allocate_deductions
from orders.services._common import (
    IntakeResult,
    ReasonRequired,
    S,
    _sku_label,
    address_key,
    next_order_number,
)
from orders.services.allocation import order_allocate
from orders.services.customers import _customer_for
from orders.services.deductions import line_share_fields
from orders.services.digest import digest_differences, intake_digest
from orders.services.routing import _classify, _pay_and_route
from orders.validation import CleanOrder, validate_order_data

logger = logging.getLogger(__name__)


def _external_id(data) -> str | None:
    """The channel's order id as the idempotency key, when the body has a usable one."""
    external_id = data.get("external_id") if isinstance(data, dict) else None
    if isinstance(external_id, str) and external_id.strip() and "\x00" not in external_id:
        return external_id.strip()
    return None


def order_intake(
    *,
    channel: Channel,
    data: dict,
    by=None,
    source: str = OrderSource.API,
    skus: dict[str, SKU] | None = None,
    reship_of: Order | None = None,
    allocate_now: bool | None = None,
) -> IntakeResult:
    """Take one order from any intake path. Idempotent on (channel, external_id), also under concurrency.

    Returns the existing order with ``created=False`` when the channel already delivered it, the field
    errors (nothing written) when the data is refused, or the new order. An approved order is allocated
    right after its intake transaction commits when ``OMS_ALLOCATE_ON_INTAKE`` is on; a conflict there
    leaves it approved for the batch task.
    """
    external_id = _external_id(data)
    existing = Order.objects.filter(channel=channel, external_id=external_id).first() if external_id else None
    if existing is not None and not existing.intake_digest:
        return IntakeResult(order=existing, created=False)
    clean, errors = validate_order_data(
        data, skus=skus, external_id_required=source in (OrderSource.API, OrderSource.IMPORT)
    )
    if existing is not None:
        # A resend: the same order again (200), or other content under the same id (409, never dropped
        # silently). A resend that no longer validates (a SKU retired since) is still the same order.
        conflict = [] if errors else digest_differences(existing.intake_digest, clean)
        return IntakeResult(order=existing, created=False, conflict=conflict)
    if errors:
        return IntakeResult(order=None, created=False, errors=errors)
    order, created = _intake_write(channel=channel, clean=clean, by=by, source=source, reship_of=reship_of)
    if allocate_now is None:
        allocate_now = settings.OMS_ALLOCATE_ON_INTAKE and not connection.in_atomic_block
    if created and allocate_now and order.status == S.APPROVED:
        try:
            order = order_allocate(order_id=order.pk)
        except (DomainError, OperationalError) as exc:  # the batch task allocates it later
            logger.warning("allocation after intake of %s deferred: %s", order.number, exc)
    return IntakeResult(order=order, created=created)


@retry_on_conflict
def _intake_write(
    *, channel: Channel, clean: CleanOrder, by, source: str, reship_of: Order | None
) -> tuple[Order, bool]:
    customer, customer_created = _customer_for(clean.customer)
    now = timezone.now()
    paid = clean.payment["status"] == PaymentStatus.PAID
    order = _order_from(
        clean,
        channel=channel,
        number=next_order_number(),
        source=source,
        by=by,
        customer=customer,
        reship_of=reship_of,
    )
    try:
        # The savepoint covers the address too: a duplicate leaves nothing behind.
        with transaction.atomic():
            order.shipping_address = Address.objects.create(customer=customer, **clean.address)
            order.save()
    except IntegrityError as exc:
        if clean.external_id and "order_channel_external_id_unique" in str(exc):
            return Order.objects.get(channel=channel, external_id=clean.external_id), False
        raise
    OrderLine.objects.bulk_create(_lines_of(order, clean))
    _payment_of(order, clean, now=now).save()
    log_changes(
        instance=order,
        before={},
        by=by,
        action="create",
        note=make_note("orders.intake", source=choice_param("orders.Order.source", source)),
    )
    _classify(
        order, customer=customer, customer_is_new=customer_created, payment_method=clean.payment["method"]
    )
    if paid:
        _pay_and_route(order, by=by, now=now)
    order.save()
    return order, True


def _order_from(
    clean: CleanOrder, *, channel: Channel, number: str, source: str, by, customer: Customer, reship_of=None
) -> Order:
    return Order(
        number=number,
        channel=channel,
        external_id=clean.external_id,
        source=source,
        reship_of=reship_of,
        customer=customer,
        contact_phone=clean.address["phone"],
        address_key=address_key(clean.address),
        province=clean.address["province"],
        placed_at=clean.placed_at,
        currency=channel.currency,
        subtotal=clean.subtotal,
        shipping_fee=clean.shipping_fee,
        discount=clean.deductions,
        coupon_amount=clean.coupon_amount,
        platform_coupon_amount=clean.platform_coupon_amount,
        points_amount=clean.points_amount,
        total=clean.total,
        is_urgent=clean.is_urgent,
        promotion=clean.promotion,
        note=clean.note,
        created_by=by if getattr(by, "pk", None) else None,
        intake_digest=intake_digest(clean),
    )


def _lines_of(order: Order, clean: CleanOrder) -> list[OrderLine]:
    """The order's lines, each with its share of the order's discount, coupons and points (exact to the cent)."""
    shares = allocate_deductions(
        line_totals=[line.line_total for line in clean.lines], deductions=order.deductions()
    )
    return [
        OrderLine(
            order=order,
            line_no=i + 1,
            sku=line.sku,
            sku_code=line.sku.code,
            name=_sku_label(line.sku),
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=line.line_total,
            **line_share_fields(share),
        )
        for i, (line, share) in enumerate(zip(clean.lines, shares, strict=True))
    ]


def _payment_of(order: Order, clean: CleanOrder, *, now) -> Payment:
    """The order's payment. Cash on delivery confirmed by the channel ("paid") ships, but its money is still
    to be collected: the payment stays pending until the carrier delivers (``payment_cod_collect``)."""
    status = clean.payment["status"]
    if clean.payment["method"] == PaymentMethod.COD:
        status = PaymentStatus.PENDING
    return Payment(
        order=order,
        method=clean.payment["method"],
        amount=clean.payment["amount"],
        status=status,
        transaction_id=clean.payment["transaction_id"],
        paid_at=now if status == PaymentStatus.PAID else None,
    )


# Orders that have left the warehouse (at least in part): only these can be reshipped.
RESHIPPABLE = (S.SHIPPED, S.DELIVERED, S.COMPLETED, S.PARTIALLY_SHIPPED)


def order_reship(*, order_id: int, by=None, reason: str = "") -> Order:
    """A free replacement of a shipped order: a copy of its lines at no charge, linked to the original."""
    if not reason.strip():
        raise ReasonRequired()
    original = Order.objects.select_related("customer", "shipping_address", "channel").get(pk=order_id)
    if original.status not in RESHIPPABLE:
        raise IllegalTransition(
            _("Only shipped orders can be reshipped; %(number)s is %(status)s.")
            % {"number": original.number, "status": original.get_status_display()}
        )
    result = order_intake(
        channel=original.channel,
        data=reship_body(original),
        by=by,
        source=OrderSource.RESHIP,
        reship_of=original,
    )
    if result.errors:
        raise DomainError(
            _("The order cannot be copied: %(errors)s")
            % {"errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in result.errors.items())},
            field_errors=result.errors,
        )
    log_changes(instance=result.order, before={}, by=by, action="reship", note=reason.strip())
    return result.order


def reship_body(original: Order, *, lines: list[tuple[str, int]] | None = None, note: str = "") -> dict:
    """The intake body of a free order to ``original``'s customer and address, nothing to pay: a copy of its
    lines (reship), or the given ``(sku_code, quantity)`` lines (an after-sales replacement)."""
    address = original.shipping_address
    if lines is None:
        lines = [(line.sku_code, line.quantity) for line in original.lines.order_by("line_no")]
    body = {
        "external_id": "",
        "customer": {
            "name": original.customer.name,
            "phone": original.customer.phone,
            "email": original.customer.email,
        },
        "shipping_address": {
            f: getattr(address, f)
            for f in ("name", "phone", "province", "city", "district", "line1", "postcode", "country")
        },
        "lines": [{"sku": code, "quantity": quantity, "unit_price": "0.00"} for code, quantity in lines],
        "payment": {"method": PaymentMethod.NONE, "status": PaymentStatus.PAID, "amount": "0.00"},
    }
    if note:
        body["note"] = note
    return body
