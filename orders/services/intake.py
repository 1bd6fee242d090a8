"""Single-order intake (API, import, manual form, reship): validate, match the customer, write, route.

Idempotent on (channel, external_id), also under concurrency: the unique constraint decides, and a
duplicate answers the order that won.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import SKU
from inventory.services import DemandLine, allocation_prepare, reservation_ids_sql
from oms.audit import collect_state_logs, log_changes
from oms.db import bulk_insert, insert_part, retry_on_conflict, server_side_binding, write_at_once
from oms.exceptions import DomainError, IllegalTransition
from oms.instances import new_instance
from oms.models import ChangeLog, OutboxMessage
from oms.notes import choice_param
from oms.notes import note as make_note
from oms.notifications import outbox_request_delivery
from orders.choices import OrderSource, PaymentMethod, PaymentStatus
from orders.models import Address, Channel, Customer, Order, OrderLine, OrderLineAllocation, Payment
from orders.money import allocate_deductions
from orders.services._common import (
    IntakeResult,
    ReasonRequired,
    S,
    _sku_label,
    address_key,
    order_number,
)
from orders.services.allocation import _record_decision
from orders.services.customers import _customer_for
from orders.services.deductions import line_share_fields
from orders.services.digest import digest_differences, intake_digest
from orders.services.notifications import _notification
from orders.services.routing import _apply_rules, _pay_and_route, _risk_windows, active_rules
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

    Returns the existing order with ``created=False`` when the channel already delivered it (with the
    parts that differ when the content is not the same: 409), the field errors (nothing written) when the
    data is refused, or the new order. An approved order is allocated in the same transaction when
    ``allocate_now`` (default: ``OMS_ALLOCATE_ON_INTAKE`` outside a caller's transaction); otherwise, or
    when allocation is refused, it stays approved for the batch task.

    The new order is written optimistically: the unique constraint on (channel, external_id) finds a
    resend, which then rolls back and answers the order that was taken in.

    Its statements are bound server-side: their text is the same from order to order, so PostgreSQL plans
    each once per connection (psycopg prepares a statement run five times) instead of once per order.
    """
    with server_side_binding():
        return _order_intake(
            channel=channel,
            data=data,
            by=by,
            source=source,
            skus=skus,
            reship_of=reship_of,
            allocate_now=allocate_now,
        )


def _order_intake(*, channel, data, by, source, skus, reship_of, allocate_now) -> IntakeResult:
    clean, errors = validate_order_data(
        data, skus=skus, external_id_required=source in (OrderSource.API, OrderSource.IMPORT)
    )
    if errors:
        # A resend that no longer validates (a SKU retired since) is still the same order.
        external_id = _external_id(data)
        existing = (
            Order.objects.filter(channel=channel, external_id=external_id).first() if external_id else None
        )
        if existing is not None:
            return IntakeResult(order=existing, created=False)
        return IntakeResult(order=None, created=False, errors=errors)
    if allocate_now is None:
        allocate_now = settings.OMS_ALLOCATE_ON_INTAKE and not connection.in_atomic_block
    try:
        if connection.in_atomic_block:
            with transaction.atomic():  # a savepoint: a resend leaves the caller's transaction usable
                order = _intake_write(
                    channel=channel,
                    clean=clean,
                    by=by,
                    source=source,
                    reship_of=reship_of,
                    allocate_now=allocate_now,
                )
        else:
            order = _intake_write_own(
                channel=channel,
                clean=clean,
                by=by,
                source=source,
                reship_of=reship_of,
                allocate_now=allocate_now,
            )
    except _Resent:
        existing = Order.objects.get(channel=channel, external_id=clean.external_id)
        conflict = digest_differences(existing.intake_digest, clean) if existing.intake_digest else []
        return IntakeResult(order=existing, created=False, conflict=conflict)
    return IntakeResult(order=order, created=True)


class _Resent(Exception):
    """The channel delivered this external_id before (or concurrently): the order that was taken in answers."""


@dataclass
class _NewIds:
    """What a new order takes from the database before it is built: ids, number and the risk counts."""

    order: int
    address: int
    number: str
    lines: list[int]
    same_address: dict[int, int]  # window hours -> orders to this address in the window, this one included
    same_phone: dict[int, int]
    reservations: list[int]  # one per line, for its allocation (``allocation_prepare(reservation_ids=…)``)


def _new_ids(*, clean: CleanOrder, key: str, windows: set[int]) -> _NewIds:
    """One round trip: the order's, address's and lines' ids from their sequences, the order number, and the
    risk rules' counts (orders to the same address / from the same phone within each window)."""
    hours = sorted(windows)
    since = [clean.placed_at - timedelta(hours=h) for h in hours]
    counts = ", ".join(
        f"(SELECT count(*) FROM {Order._meta.db_table} WHERE {column} = %s AND placed_at >= %s)"  # noqa: S608 - names from model meta
        for _h in hours
        for column in ("address_key", "contact_phone")
    )
    params = [n for h_since in since for n in (key, h_since, clean.address["phone"], h_since)]
    sql = (
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')), nextval(pg_get_serial_sequence(%s, 'id')), "  # noqa: S608
        "nextval('orders_order_number_seq'), "
        "ARRAY(SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)), "
        + reservation_ids_sql()
        + (f", {counts}" if counts else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,  # noqa: S608 - table and column names from model meta / literals
            [
                Order._meta.db_table,
                Address._meta.db_table,
                OrderLine._meta.db_table,
                len(clean.lines),
                len(clean.lines),
                *params,
            ],
        )
        order_id, address_id, number, line_ids, reservation_ids, *found = cursor.fetchone()
    return _NewIds(
        order=order_id,
        address=address_id,
        number=order_number(number),
        lines=list(line_ids),
        same_address={h: 1 + found[2 * i] for i, h in enumerate(hours)},
        same_phone={h: 1 + found[2 * i + 1] for i, h in enumerate(hours)},
        reservations=list(reservation_ids),
    )


@retry_on_conflict
def _intake_write_own(**kwargs) -> Order:
    return _intake_write(**kwargs)


def _intake_write(
    *, channel: Channel, clean: CleanOrder, by, source: str, reship_of: Order | None, allocate_now: bool
) -> Order:
    """Write a new order in the current transaction with few round trips: the customer (matched or
    created), one read of ids and risk counts, the stock locked and the allocation decided (when it goes
    ahead), then ONE statement for the address, order, lines, payment, tags, change log, state log,
    notices, reservations, stock counters and line allocations (the reservations' ids are read with the
    order's; only a line split between warehouses needs a second statement). Raises ``_Resent`` when the
    channel's external_id is taken (the caller's transaction or savepoint rolls back)."""
    order, lines, tag_ids, reservation_ids = _new_order(
        channel=channel, clean=clean, by=by, source=source, reship_of=reship_of
    )
    now = timezone.now()
    created = ChangeLog(
        by=by if getattr(by, "pk", None) else None,
        content_type=ContentType.objects.get_for_model(Order),
        object_id=order.pk,
        object_repr=str(order)[:200],
        action="create",
        changes={},
        note=make_note("orders.intake", source=choice_param("orders.Order.source", source)),
    )
    events: list[str] = []
    prepared, allocations = None, []
    with collect_state_logs() as logs:
        if clean.payment["status"] == PaymentStatus.PAID:
            _pay_and_route(order, by=by, now=now, notify=lambda _o, event: events.append(event))
        if allocate_now and order.status == S.APPROVED:
            prepared, allocations = _allocate_new(
                order, lines, by=by, now=now, reservation_ids=reservation_ids
            )
    parts = [
        insert_part([order.shipping_address]),
        insert_part([order]),
        insert_part(lines),
        insert_part([_payment_of(order, clean, now=now)]),
        insert_part([created]),  # stamped before the state logs: the timeline shows it first
    ]
    if tag_ids:
        parts.append(insert_part([Order.tags.through(order_id=order.pk, tag_id=t) for t in sorted(tag_ids)]))
    if logs:
        parts.append(insert_part([_stamped(log, order) for log, _instance in logs]))
    messages = [m for m in (_notification(order, event) for event in events) if m]
    if messages:
        parts.append(insert_part([OutboxMessage(**m) for m in messages]))
    if prepared is not None:
        parts += _allocation_parts(prepared, allocations)
    try:
        rows = write_at_once(parts)
    except IntegrityError as exc:
        if clean.external_id and "order_channel_external_id_unique" in str(exc):
            raise _Resent from exc
        raise
    if prepared is not None and prepared.reservations:
        _allocations_write(prepared, allocations, rows)
    if messages:
        outbox_request_delivery()
    for saved in (order, order.shipping_address, *lines):
        saved._state.adding = False
    return order


def _new_order(
    *, channel: Channel, clean: CleanOrder, by, source: str, reship_of: Order | None
) -> tuple[Order, list[OrderLine], set[int], list[int]]:
    """The new order and its lines in memory, with their ids, scored by the rules (tag ids returned), and
    ids for its reservations."""
    customer, customer_created = _customer_for(clean.customer)
    rules = active_rules()
    ids = _new_ids(clean=clean, key=address_key(clean.address), windows=_risk_windows(rules))
    order = _order_from(
        clean,
        channel=channel,
        number=ids.number,
        source=source,
        by=by,
        customer=customer,
        reship_of=reship_of,
    )
    order.pk = ids.order
    order.shipping_address = Address(pk=ids.address, customer=customer, **clean.address)
    lines = _lines_of(order, clean)
    for line, pk in zip(lines, ids.lines, strict=True):
        line.pk = pk
    tag_ids = _apply_rules(
        order,
        rules=rules,
        customer=customer,
        customer_is_new=customer_created,
        payment_method=clean.payment["method"],
        same_address=ids.same_address,
        same_phone=ids.same_phone,
    )
    return order, lines, tag_ids, ids.reservations


def _allocation_parts(prepared, allocations: list[OrderLineAllocation]) -> list:
    """Inventory's reservations and counters, and the line allocations when the reservations have their ids
    already (``numbered``: the usual case) so that the allocations can go in the same statement."""
    parts = prepared.parts()
    if prepared.numbered and allocations:
        parts.append(insert_part(allocations))
    return parts


def _allocations_write(prepared, allocations: list[OrderLineAllocation], rows: list[tuple]) -> None:
    """After the order's statement: the line allocations were written with it (``numbered``), or the
    reservations have their ids now (``rows``: more reservations than lines, a line split between
    warehouses) and the line allocations pointing at them are written."""
    prepared.written(rows)
    if prepared.numbered:
        return
    held = {(r.demand_ref, r.warehouse_id): r.pk for r in prepared.reservations}
    for allocation in allocations:
        allocation.reservation_id = held[(allocation.demand_ref, allocation.warehouse_id)]
    bulk_insert(allocations)


def _allocate_new(order: Order, lines: list[OrderLine], *, by, now, reservation_ids: list[int]):
    """Decide the new order's allocation on locked stock (written with the order); a refusal from inventory
    leaves it approved for the batch task."""
    try:
        prepared = allocation_prepare(
            lines=[
                DemandLine(ref=line.demand_ref, sku_id=line.sku_id, quantity=line.quantity) for line in lines
            ],
            province=order.province,
            suppliers=_drop_ship_of(lines),
            reservation_ids=reservation_ids,
        )
    except DomainError as exc:
        logger.warning("allocation at intake of %s deferred: %s", order.number, exc)
        return None, []
    return prepared, _record_decision(order, lines, prepared.result, recorded=set(), by=by, now=now)


def _drop_ship_of(lines: list[OrderLine]) -> dict[int, int] | None:
    """sku_id → the supplier shipping it itself, as the intake's SKU lookup read it; None when the SKUs came
    from elsewhere (inventory then reads it)."""
    suppliers = {}
    for line in lines:
        if not hasattr(line.sku, "drop_ship_supplier"):
            return None
        if line.sku.drop_ship_supplier:
            suppliers[line.sku_id] = line.sku.drop_ship_supplier
    return suppliers


def _stamped(log, order: Order):
    """A collected state log row pointing at the new order, stamped now (after the change log)."""
    log.object_id = order.pk
    log.timestamp = timezone.now()
    return log


def _order_from(
    clean: CleanOrder, *, channel: Channel, number: str, source: str, by, customer: Customer, reship_of=None
) -> Order:
    return new_instance(
        Order,
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
        new_instance(
            OrderLine,
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
    return new_instance(
        Payment,
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
