"""Every write of the orders app: intake, payment, review, hold, cancel, allocation, fulfilment marks, reship;
customers (merge, anonymise) and invoices (request, issue, send, void, red-letter flag).

Each service locks the order first (then inventory locks its stock rows in (sku, warehouse) order),
runs the transition through ``oms.audit.run_transition`` and saves in the same transaction; notifications
go through the outbox and tasks are sent on commit.

Refunds and invoices across apps (orders never imports aftersales):
- "paid minus refunds" = payments − cancellation refunds (``RefundRecord``) − what the refund providers
  registered in ``orders.hooks`` report (aftersales: its completed refunds of kind "refund");
- a refund recorded after an invoice was issued: aftersales calls ``invoices_refund_recorded`` in the
  refund's own transaction, which flags the issued / sent invoice for a red-letter invoice.
Customer merge and anonymisation run the handlers that apps above orders register in ``orders.hooks``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import SKU
from oms.audit import collect_state_logs, log_changes, run_transition, snapshot, state_logs_write
from oms.db import retry_on_conflict
from oms.exceptions import DomainError, IllegalTransition, PermissionRefused
from oms.models import ChangeLog, OutboxMessage
from oms.notifications import outbox_enqueue, outbox_enqueue_many, outbox_forget, render_message
from oms.privacy import mask_email, personal_data_forget
from orders.choices import (
    INVOICEABLE_ORDER_STATUSES,
    LIVE_INVOICE_STATUSES,
    CustomerTier,
    InvoiceStatus,
    InvoiceType,
    OrderSource,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
)
from orders.exceptions import (
    ConfirmationRequired,
    CustomerAlreadyAnonymised,
    CustomerMergeRefused,
    InvoiceAlreadyExists,
    InvoiceAmountWrong,
    InvoiceFieldError,
    InvoiceNumberTaken,
    NothingToInvoice,
    OrderNotInvoiceable,
)
from orders.hooks import refunds_from_other_apps, run_anonymise_handlers, run_merge_handlers
from orders.models import (
    Address,
    Channel,
    ChannelToken,
    Customer,
    Invoice,
    Order,
    OrderLine,
    OrderLineAllocation,
    OrderRule,
    Payment,
    RefundRecord,
)
from orders.rules import OrderFacts, evaluate
from orders.validation import EMAIL, CleanOrder, Errors, _money, sku_lookup, validate_order_data

logger = logging.getLogger(__name__)
S = OrderStatus
QUEUE_ORDER = (F("priority").desc(), F("paid_at").asc(nulls_last=True), "id")


class ReasonRequired(DomainError):
    def __init__(self) -> None:
        super().__init__(_("Give a reason."), field_errors={"reason": [_("This field is required.")]})


@dataclass
class IntakeResult:
    order: Order | None
    created: bool
    errors: dict[str, list[str]] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Intake
# --------------------------------------------------------------------------------------------


def next_order_number() -> str:
    """SO + local date (yymmdd) + a PostgreSQL sequence value: unique and readable, e.g. SO2611210001."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('orders_order_number_seq')")
        (value,) = cursor.fetchone()
    return f"SO{timezone.localdate():%y%m%d}{value:04d}"


def address_key(address: dict) -> str:
    text = "|".join(
        str(address.get(k, "")).strip().lower() for k in ("province", "city", "district", "line1")
    )
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


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
    external_id = data.get("external_id") if isinstance(data, dict) else None
    if isinstance(external_id, str) and external_id.strip() and "\x00" not in external_id:
        existing = Order.objects.filter(channel=channel, external_id=external_id.strip()).first()
        if existing is not None:
            return IntakeResult(order=existing, created=False)
    clean, errors = validate_order_data(
        data, skus=skus, external_id_required=source in (OrderSource.API, OrderSource.IMPORT)
    )
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
        instance=order, before={}, by=by, action="create", note=_("Intake: %(source)s") % {"source": source}
    )
    _classify(
        order, customer=customer, customer_is_new=customer_created, payment_method=clean.payment["method"]
    )
    if paid:
        _pay_and_route(order, by=by, now=now)
    order.save()
    return order, True


def _external_id(data) -> str | None:
    """The channel's order id as the idempotency key, when the body has a usable one."""
    external_id = data.get("external_id") if isinstance(data, dict) else None
    if isinstance(external_id, str) and external_id.strip() and "\x00" not in external_id:
        return external_id.strip()
    return None


def orders_intake_batch(
    *, channel: Channel, bodies: list, by=None, source: str = OrderSource.API
) -> list[IntakeResult]:
    """Take a batch of orders (the batch API): one result per body, in order, each as ``order_intake`` gives it.

    Same checks, rules, transitions, audit rows and notifications as ``order_intake``, and each order still
    succeeds or fails on its own; but the lookups (SKUs, existing orders, customers by phone and e-mail, rules,
    risk windows, order numbers) run once per batch, and the batch is written in ONE transaction with bulk
    inserts: addresses, then the orders in one INSERT (in a savepoint: if another request delivered one of
    them meanwhile, the orders are inserted again one savepoint each, so that the duplicate answers 200 with
    the order that won and the others carry on), then lines, payments, tags, logs and outbox messages.
    Approved orders are not allocated one by one: the batch allocation task (priority order) is sent once
    after commit, as for imports; the answer shows them approved.
    """
    external_ids = [_external_id(body) for body in bodies]
    existing = {
        o.external_id: o
        for o in Order.objects.select_related("channel").filter(
            channel=channel, external_id__in=sorted({e for e in external_ids if e})
        )
    }
    skus = sku_lookup(
        line.get("sku")
        for body, external_id in zip(bodies, external_ids, strict=True)
        if external_id not in existing and isinstance(body, dict) and isinstance(body.get("lines"), list)
        for line in body["lines"]
        if isinstance(line, dict)
    )
    checked: list[tuple[CleanOrder | None, dict]] = []
    for body, external_id in zip(bodies, external_ids, strict=True):
        if external_id in existing:
            checked.append((None, {}))
            continue
        checked.append(
            validate_order_data(
                body, skus=skus, external_id_required=source in (OrderSource.API, OrderSource.IMPORT)
            )
        )
    return _intake_batch_write(
        channel=channel, external_ids=external_ids, existing=existing, checked=checked, by=by, source=source
    )


@retry_on_conflict
def _intake_batch_write(
    *,
    channel: Channel,
    external_ids: list[str | None],
    existing: dict[str, Order],
    checked: list[tuple[CleanOrder | None, dict]],
    by,
    source: str,
) -> list[IntakeResult]:
    results: list[IntakeResult | None] = [None] * len(checked)
    todo: list[tuple[int, CleanOrder]] = []
    for i, ((clean, errors), external_id) in enumerate(zip(checked, external_ids, strict=True)):
        if clean is None and not errors:
            results[i] = IntakeResult(order=existing[external_id], created=False)
        elif errors:
            results[i] = IntakeResult(order=None, created=False, errors=errors)
        else:
            todo.append((i, clean))
    if not todo:
        return results
    now = timezone.now()
    rules = list(OrderRule.objects.filter(is_active=True))
    customers = _customers_for_batch([clean.customer for _i, clean in todo])
    counter = _RiskCounter(rules=rules, cleans=[clean for _i, clean in todo])
    numbers = _order_numbers(len(todo))
    addresses = Address.objects.bulk_create(
        [
            Address(customer=customer, **clean.address)
            for (_i, clean), (customer, _new) in zip(todo, customers, strict=True)
        ]
    )
    built: dict[str, Order] = {}
    candidates: list[_Candidate] = []
    unused_addresses = []
    for (i, clean), (customer, customer_is_new), number, address in zip(
        todo, customers, numbers, addresses, strict=True
    ):
        if clean.external_id and clean.external_id in built:  # the same order twice in one batch
            candidates.append(
                _Candidate(i, clean, built[clean.external_id], address, set(), [], [], twin=True)
            )
            continue
        order = _order_from(clean, channel=channel, number=number, source=source, by=by, customer=customer)
        order.shipping_address = address
        same_address, same_phone = counter.counts(order)
        tag_ids = _apply_rules(
            order,
            rules=rules,
            customer=customer,
            customer_is_new=customer_is_new,
            payment_method=clean.payment["method"],
            same_address=same_address,
            same_phone=same_phone,
        )
        order_events: list[str] = []
        with collect_state_logs() as order_logs:
            if clean.payment["status"] == PaymentStatus.PAID:
                _pay_and_route(
                    order, by=by, now=now, notify=lambda _o, event, sink=order_events: sink.append(event)
                )
        counter.add(order)
        if clean.external_id:
            built[clean.external_id] = order
        candidates.append(_Candidate(i, clean, order, address, tag_ids, order_logs, order_events))
    new = [c for c in candidates if not c.twin]
    try:
        with transaction.atomic():  # one INSERT for the batch's orders ...
            Order.objects.bulk_create([c.order for c in new])
    except IntegrityError as exc:
        if "order_channel_external_id_unique" not in str(exc):
            raise
        # ... unless one was delivered concurrently: then one savepoint per order, so that only the
        # duplicate gives way (and answers the order that won) while the others are written.
        for c in new:
            try:
                with transaction.atomic():
                    c.order.save(force_insert=True)
            except IntegrityError as exc_one:
                if not (c.clean.external_id and "order_channel_external_id_unique" in str(exc_one)):
                    raise
                c.order = Order.objects.select_related("channel").get(
                    channel=channel, external_id=c.clean.external_id
                )
                c.lost = True
    orders: list[tuple[Order, CleanOrder]] = []
    tag_rows, logs, events = [], [], []
    for c in candidates:
        if c.twin or c.lost:
            order = built.get(c.clean.external_id) if c.twin else c.order
            if c.twin and order.pk is None:  # its first copy lost to a concurrent delivery
                order = Order.objects.select_related("channel").get(
                    channel=channel, external_id=order.external_id
                )
            results[c.index] = IntakeResult(order=order, created=False)
            unused_addresses.append(c.address.pk)
            continue
        results[c.index] = IntakeResult(order=c.order, created=True)
        orders.append((c.order, c.clean))
        tag_rows += [Order.tags.through(order_id=c.order.pk, tag_id=t) for t in sorted(c.tag_ids)]
        logs += c.logs
        events += [(c.order, event) for event in c.events]
    if unused_addresses:
        Address.objects.filter(pk__in=unused_addresses).delete()
    if orders:
        OrderLine.objects.bulk_create([line for order, clean in orders for line in _lines_of(order, clean)])
        Payment.objects.bulk_create([_payment_of(order, clean, now=now) for order, clean in orders])
        Order.tags.through.objects.bulk_create(tag_rows)
        note = _("Intake: %(source)s") % {"source": source}
        content_type = ContentType.objects.get_for_model(Order)
        ChangeLog.objects.bulk_create(
            [
                ChangeLog(
                    by=by if getattr(by, "pk", None) else None,
                    content_type=content_type,
                    object_id=order.pk,
                    object_repr=str(order)[:200],
                    action="create",
                    changes={},
                    note=note,
                )
                for order, _clean in orders
            ]
        )
        state_logs_write(logs)  # after the change log: on the timeline, created comes before paid
        outbox_enqueue_many([_notification(order, event) for order, event in events])
        if settings.OMS_ALLOCATE_ON_INTAKE and any(order.status == S.APPROVED for order, _c in orders):
            transaction.on_commit(_allocate_pending_soon)
    return results


@dataclass
class _Candidate:
    """One order of a batch between building and writing."""

    index: int
    clean: CleanOrder
    order: Order
    address: Address
    tag_ids: set[int]
    logs: list
    events: list[str]
    twin: bool = False  # a second copy of an order earlier in the batch
    lost: bool = False  # delivered concurrently by another request, which created it


def _allocate_pending_soon() -> None:
    from orders.tasks import allocate_orders_task

    allocate_orders_task.delay()


def _order_numbers(n: int) -> list[str]:
    """``n`` order numbers (as ``next_order_number``) from one round trip."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('orders_order_number_seq') FROM generate_series(1, %s)", [n])
        values = sorted(value for (value,) in cursor.fetchall())
    today = timezone.localdate()
    return [f"SO{today:%y%m%d}{value:04d}" for value in values]


def _customers_for_batch(datas: list[dict]) -> list[tuple[Customer, bool]]:
    """``_customer_for`` for a batch, in order, with two lookups and one insert: matched by phone, else by
    e-mail (case-insensitive, as ``email__iexact``: uses the upper(email) index), else a new customer, which
    later orders of the batch then match too. ``True`` marks the first order of a customer new in this batch."""
    by_phone = {
        c.phone: c
        for c in Customer.objects.select_related("merged_into").filter(phone__in={d["phone"] for d in datas})
    }
    emails = sorted({d["email"] for d in datas if d["email"] and d["phone"] not in by_phone})
    by_email: dict[str, Customer] = {}
    if emails:
        match = Q()
        for email in emails:
            match |= Q(email__iexact=email)
        for c in Customer.objects.filter(
            match, merged_into__isnull=True, anonymised_at__isnull=True
        ).order_by("pk"):
            by_email.setdefault(c.email.upper(), c)
    planned: dict[str, Customer] = {}
    picked: list[tuple[Customer, bool]] = []
    for d in datas:
        customer = by_phone.get(d["phone"])
        if customer is None and d["email"]:
            customer = by_email.get(d["email"].upper())
        if customer is None:
            customer = Customer(phone=d["phone"], name=d["name"], email=d["email"])
            planned[d["phone"]] = by_phone[d["phone"]] = customer
            if d["email"]:
                by_email.setdefault(d["email"].upper(), customer)
            picked.append((customer, True))
        else:
            picked.append((customer, False))
    if planned:
        # A concurrent intake may create the same phone meanwhile: keep its row (the unique constraint decides).
        Customer.objects.bulk_create(sorted(planned.values(), key=lambda c: c.phone), ignore_conflicts=True)
        saved = {c.phone: c for c in Customer.objects.select_related("merged_into").filter(phone__in=planned)}
        picked = [(saved[c.phone] if c.pk is None else c, new) for c, new in picked]
    return [(c.merged_into if c.merged_into_id else c, new) for c, new in picked]


class _RiskCounter:
    """Orders to the same address / from the same phone within each rule's window, for a batch: the orders
    already stored are read once, the batch's own are added as they are written (as one-by-one intake counts)."""

    def __init__(self, *, rules: list[OrderRule], cleans: list[CleanOrder]) -> None:
        self.windows = _risk_windows(rules)
        self.by_address: dict[str, list] = {}
        self.by_phone: dict[str, list] = {}
        if not self.windows or not cleans:
            return
        since = min(c.placed_at for c in cleans) - timedelta(hours=max(self.windows))
        for key, placed_at in Order.objects.filter(
            address_key__in={address_key(c.address) for c in cleans}, placed_at__gte=since
        ).values_list("address_key", "placed_at"):
            self.by_address.setdefault(key, []).append(placed_at)
        for phone, placed_at in Order.objects.filter(
            contact_phone__in={c.address["phone"] for c in cleans}, placed_at__gte=since
        ).values_list("contact_phone", "placed_at"):
            self.by_phone.setdefault(phone, []).append(placed_at)

    def counts(self, order: Order) -> tuple[dict[int, int], dict[int, int]]:
        """Counts including ``order`` itself, by window hours."""
        same_address, same_phone = {}, {}
        for hours in self.windows:
            since = order.placed_at - timedelta(hours=hours)
            same_address[hours] = 1 + sum(t >= since for t in self.by_address.get(order.address_key, ()))
            same_phone[hours] = 1 + sum(t >= since for t in self.by_phone.get(order.contact_phone, ()))
        return same_address, same_phone

    def add(self, order: Order) -> None:
        self.by_address.setdefault(order.address_key, []).append(order.placed_at)
        self.by_phone.setdefault(order.contact_phone, []).append(order.placed_at)


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
        discount=clean.discount,
        total=clean.total,
        is_urgent=clean.is_urgent,
        promotion=clean.promotion,
        note=clean.note,
        created_by=by if getattr(by, "pk", None) else None,
    )


def _lines_of(order: Order, clean: CleanOrder) -> list[OrderLine]:
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
        )
        for i, line in enumerate(clean.lines)
    ]


def _payment_of(order: Order, clean: CleanOrder, *, now) -> Payment:
    return Payment(
        order=order,
        method=clean.payment["method"],
        amount=clean.payment["amount"],
        status=clean.payment["status"],
        transaction_id=clean.payment["transaction_id"],
        paid_at=now if clean.payment["status"] == PaymentStatus.PAID else None,
    )


def _sku_label(sku: SKU) -> str:
    return f"{sku.product.name} {sku.name}".strip()[:300]


def _customer_for(data: dict) -> tuple[Customer, bool]:
    """The same customer across channels: matched by phone, else by e-mail; a merged duplicate hands over
    to the customer it was merged into."""
    customer = Customer.objects.select_related("merged_into").filter(phone=data["phone"]).first()
    if customer is None and data.get("email"):
        customer = (
            Customer.objects.filter(
                email__iexact=data["email"], merged_into__isnull=True, anonymised_at__isnull=True
            )
            .order_by("pk")
            .first()
        )
    created = False
    if customer is None:
        customer, created = Customer.objects.get_or_create(
            phone=data["phone"], defaults={"name": data["name"], "email": data["email"]}
        )
    if customer.merged_into_id:
        customer = customer.merged_into
    return customer, created


def _classify(order: Order, *, customer: Customer, customer_is_new: bool | None, payment_method: str) -> None:
    """Score risk and priority, decide whether the order needs review, and tag it (rules in OrderRule)."""
    rules = list(OrderRule.objects.filter(is_active=True))
    same_address, same_phone = {}, {}
    for hours in _risk_windows(rules):
        since = order.placed_at - timedelta(hours=hours)
        same_address[hours] = Order.objects.filter(
            address_key=order.address_key, placed_at__gte=since
        ).count()
        same_phone[hours] = Order.objects.filter(
            contact_phone=order.contact_phone, placed_at__gte=since
        ).count()
    if customer_is_new is None:
        customer_is_new = not Order.objects.filter(customer=customer).exclude(pk=order.pk).exists()
    tag_ids = _apply_rules(
        order,
        rules=rules,
        customer=customer,
        customer_is_new=customer_is_new,
        payment_method=payment_method,
        same_address=same_address,
        same_phone=same_phone,
    )
    if tag_ids:
        order.tags.add(*sorted(tag_ids))


def _risk_windows(rules: list[OrderRule]) -> set[int]:
    return {
        r.window_hours for r in rules if r.condition in ("same_address_orders_gte", "same_phone_orders_gte")
    }


def _apply_rules(
    order: Order,
    *,
    rules: list[OrderRule],
    customer: Customer,
    customer_is_new: bool,
    payment_method: str,
    same_address: dict[int, int],
    same_phone: dict[int, int],
) -> set[int]:
    """Score risk and priority and decide on review (set on ``order``); returns the ids of the tags to add."""
    facts = OrderFacts(
        total=order.total,
        is_urgent=order.is_urgent,
        promotion=order.promotion,
        customer_tier=customer.tier,
        customer_is_new=customer_is_new,
        customer_blacklisted=customer.is_blacklisted,
        payment_method=payment_method,
        note=order.note,
        address_line1=order.shipping_address.line1,
        paid_at=order.paid_at,
        sla_hours=order.channel.sla_hours,
        orders_same_address=same_address,
        orders_same_phone=same_phone,
    )
    result = evaluate(rules, facts)
    order.priority = result.priority
    order.priority_reasons = result.priority_reasons
    order.risk_score = result.risk_score
    order.risk_reasons = result.risk_reasons
    order.review_reasons = result.review_reasons
    order.needs_finance_review = result.needs_finance_review
    return result.tag_ids


def _pay_and_route(order: Order, *, by, now, notify=None) -> None:
    order.paid_at = now
    run_transition(order, "pay", by=by, check_perm=False)
    (notify or _notify)(order, "paid")
    if order.review_reasons:
        run_transition(order, "send_to_review", by=by, check_perm=False, note="; ".join(order.review_reasons))
    else:
        order.approved_at = now
        run_transition(order, "auto_approve", by=by, check_perm=False)


@retry_on_conflict
def order_mark_paid(*, order_id: int, transaction_id: str = "", by=None) -> Order:
    """The channel confirms payment of a pending order: pay, then auto-approve or send to review."""
    order = _locked(order_id)
    payment = order.payments.order_by("pk").first()
    now = timezone.now()
    run_transition(order, "pay", by=by, check_perm=False)
    order.paid_at = now
    if payment is not None:
        payment.status = PaymentStatus.PAID
        payment.paid_at = now
        payment.transaction_id = transaction_id or payment.transaction_id
        payment.save(update_fields=["status", "paid_at", "transaction_id"])
    _notify(order, "paid")
    _classify(
        order, customer=order.customer, customer_is_new=None, payment_method=payment.method if payment else ""
    )
    if order.review_reasons:
        run_transition(order, "send_to_review", by=by, check_perm=False, note="; ".join(order.review_reasons))
    else:
        order.approved_at = now
        run_transition(order, "auto_approve", by=by, check_perm=False)
    order.save()
    return order


def order_reship(*, order_id: int, by=None, reason: str = "") -> Order:
    """A free replacement of a shipped order: a copy of its lines at no charge, linked to the original."""
    if not reason.strip():
        raise ReasonRequired()
    original = Order.objects.select_related("customer", "shipping_address", "channel").get(pk=order_id)
    if original.status not in (S.SHIPPED, S.DELIVERED, S.COMPLETED, S.PARTIALLY_SHIPPED):
        raise IllegalTransition(
            _("Only shipped orders can be reshipped; %(number)s is %(status)s.")
            % {"number": original.number, "status": original.get_status_display()}
        )
    address = original.shipping_address
    data = {
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
        "lines": [
            {"sku": line.sku_code, "quantity": line.quantity, "unit_price": "0.00"}
            for line in original.lines.order_by("line_no")
        ],
        "payment": {"method": PaymentMethod.NONE, "status": PaymentStatus.PAID, "amount": "0.00"},
    }
    result = order_intake(
        channel=original.channel, data=data, by=by, source=OrderSource.RESHIP, reship_of=original
    )
    if result.errors:
        raise DomainError(
            _("The order cannot be copied: %(errors)s")
            % {"errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in result.errors.items())},
            field_errors=result.errors,
        )
    log_changes(instance=result.order, before={}, by=by, action="reship", note=reason.strip())
    return result.order


# --------------------------------------------------------------------------------------------
# Review, hold, cancel
# --------------------------------------------------------------------------------------------


def _locked(order_id: int) -> Order:
    return (
        Order.objects.select_for_update(of=("self",)).select_related("customer", "channel").get(pk=order_id)
    )


@retry_on_conflict
def order_approve(*, order_id: int, by=None, note: str = "") -> Order:
    """Approve an order on review; a large one goes on to the finance review, the finance review approves it."""
    order = _locked(order_id)
    if order.status == S.FINANCE_REVIEW:
        run_transition(order, "finance_approve", by=by, note=note)
    elif order.status == S.ON_REVIEW and order.needs_finance_review:
        run_transition(order, "send_to_finance", by=by, note=note)
    else:
        run_transition(order, "approve", by=by, note=note)
    if order.status == S.APPROVED:
        order.approved_at = timezone.now()
        order_id_ = order.pk
        if settings.OMS_ALLOCATE_ON_INTAKE:
            transaction.on_commit(lambda: _allocate_after_commit(order_id_))
    order.review_note = note[:300]
    order.save()
    return order


def _allocate_after_commit(order_id: int) -> None:
    from orders.tasks import allocate_order_task

    allocate_order_task.delay(order_id=order_id)


@retry_on_conflict
def order_reject(*, order_id: int, by=None, reason: str) -> Order:
    """Reject an order on (finance) review: it is cancelled with the reason; a paid one opens a refund."""
    if not (reason or "").strip():
        raise ReasonRequired()
    order = _locked(order_id)
    name = "finance_reject" if order.status == S.FINANCE_REVIEW else "reject"
    run_transition(order, name, by=by, note=reason)
    _after_cancel(order, reason=reason, by=by)
    order.review_note = reason[:300]
    order.save()
    return order


def orders_bulk_approve(
    *, order_ids: list[int], by=None, note: str = ""
) -> tuple[list[Order], dict[int, str]]:
    """Approve each order on its own (one transaction each, in id order); report the refused ones."""
    approved, refused = [], {}
    for order_id in sorted(set(order_ids)):
        try:
            approved.append(order_approve(order_id=order_id, by=by, note=note))
        except DomainError as exc:
            refused[order_id] = exc.message
        except Order.DoesNotExist:
            refused[order_id] = _("No such order.")
    return approved, refused


@retry_on_conflict
def order_hold(*, order_id: int, by=None, reason: str) -> Order:
    if not (reason or "").strip():
        raise ReasonRequired()
    order = _locked(order_id)
    run_transition(order, "hold", by=by, note=reason)
    order.hold_reason = reason.strip()[:300]
    order.save()
    return order


@retry_on_conflict
def order_resume(*, order_id: int, by=None, note: str = "") -> Order:
    order = _locked(order_id)
    run_transition(order, "resume", by=by, note=note)
    order.hold_reason = ""
    order.save()
    return order


@retry_on_conflict
def order_cancel(*, order_id: int, by=None, reason: str, check_perm: bool = True) -> Order:
    """Cancel before shipment: reservations released through inventory, a refund record opened if paid."""
    if not (reason or "").strip():
        raise ReasonRequired()
    order = _locked(order_id)
    run_transition(order, "cancel", by=by, note=reason, check_perm=check_perm)
    _after_cancel(order, reason=reason, by=by)
    order.save()
    return order


def _after_cancel(order: Order, *, reason: str, by) -> None:
    from inventory.services import reservation_release

    refs = [f"order-line:{pk}" for pk in order.lines.order_by("pk").values_list("pk", flat=True)]
    if refs:
        reservation_release(
            demand_refs=refs, reason=_("Order %(number)s cancelled") % {"number": order.number}, by=by
        )
        OrderLineAllocation.objects.filter(line__order=order, released_at__isnull=True).update(
            released_at=timezone.now()
        )
    order.cancel_reason = reason.strip()[:300]
    order.cancelled_at = timezone.now()
    paid = order.payments.filter(status=PaymentStatus.PAID).aggregate(s=Sum("amount"))["s"] or Decimal("0")
    if paid > 0:
        RefundRecord.objects.get_or_create(
            order=order, defaults={"amount": paid, "reason": reason.strip()[:300]}
        )
    _notify(order, "cancelled")


# --------------------------------------------------------------------------------------------
# Allocation
# --------------------------------------------------------------------------------------------


@retry_on_conflict
def order_allocate(*, order_id: int, by=None) -> Order:
    """Ask inventory to reserve the whole order; record where (and why), or mark it backordered."""
    from inventory.services import DemandLine, allocate

    order = _locked(order_id)
    if order.status not in (S.APPROVED, S.BACKORDERED):
        run_transition(order, "allocate", by=by, check_perm=False)  # raises the clear refusal
    lines = list(order.lines.order_by("line_no"))
    result = allocate(
        lines=[DemandLine(ref=line.demand_ref, sku_id=line.sku_id, quantity=line.quantity) for line in lines],
        province=order.province,
        by=by,
    )
    _record_allocation(order=order, lines=lines, result=result, by=by)
    return order


def _record_allocation(*, order: Order, lines: list[OrderLine], result, by=None) -> None:
    """Record inventory's decision on a locked order: where each line is reserved and why, or the backorder."""
    _record_allocations(decisions=[(order, lines, result)], by=by)


def _record_allocations(*, decisions: list[tuple[Order, list[OrderLine], object]], by=None) -> None:
    """Record inventory's decisions on locked orders, as ``_record_allocation`` does for each, in bulk.

    A batch writes one read of what is already recorded, one INSERT of the line allocations, one
    UPDATE of the orders and one INSERT of their StateLog rows, whatever its size.
    """
    from oms.audit import collect_state_logs, state_logs_write

    now = timezone.now()
    recorded = set()
    if any(result.allocated for _order, _lines, result in decisions):
        recorded = set(
            OrderLineAllocation.objects.filter(
                line__order__in=[order.pk for order, _lines, _result in decisions], released_at__isnull=True
            ).values_list("reservation_id", flat=True)
        )
    allocations = []
    with collect_state_logs() as logs:
        for order, lines, result in decisions:
            order.allocation_explanation = result.explanation
            if result.allocated:
                by_ref = {line.demand_ref: line for line in lines}
                allocations.extend(
                    OrderLineAllocation(
                        line=by_ref[r.demand_ref],
                        warehouse_id=r.warehouse_id,
                        quantity=r.quantity,
                        reservation_id=r.pk,
                        demand_ref=r.demand_ref,
                    )
                    for r in result.reservations
                    if r.pk not in recorded and r.demand_ref in by_ref
                )
                order.backorder_info = {}
                order.allocated_at = now
                run_transition(order, "allocate", by=by, check_perm=False)
            else:
                order.backorder_info = backorder_details(result.short)
                if order.status == S.APPROVED:
                    run_transition(
                        order, "backorder", by=by, check_perm=False, note=_short_note(order.backorder_info)
                    )
            order.updated_at = now
    OrderLineAllocation.objects.bulk_create(allocations)
    _orders_write_allocation([order for order, _lines, _result in decisions])
    state_logs_write(logs)


def _orders_write_allocation(orders: list[Order]) -> None:
    """Write the allocation fields of locked orders in one UPDATE … FROM unnest(…).

    ``bulk_update`` does the same with a CASE per field and row, whose building cost more than the
    rest of a batch's recording together.
    """
    fields = ["status", "allocation_explanation", "backorder_info", "allocated_at", "updated_at"]
    meta = Order._meta
    columns = [meta.get_field(name).column for name in fields]
    explanation, backorder = meta.get_field("allocation_explanation"), meta.get_field("backorder_info")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {meta.db_table} AS o SET {columns[0]} = v.status, "  # noqa: S608 - names from model meta
            f"{columns[1]} = v.explanation::jsonb, {columns[2]} = v.backorder::jsonb, "
            f"{columns[3]} = v.allocated_at, {columns[4]} = v.updated_at "
            "FROM unnest(%s::bigint[], %s::varchar[], %s::text[], %s::text[], %s::timestamptz[], "
            "%s::timestamptz[]) AS v(id, status, explanation, backorder, allocated_at, updated_at) "
            "WHERE o.id = v.id",
            [
                [o.pk for o in orders],
                [o.status for o in orders],
                [json.dumps(o.allocation_explanation, cls=explanation.encoder) for o in orders],
                [json.dumps(o.backorder_info, cls=backorder.encoder) for o in orders],
                [o.allocated_at for o in orders],
                [o.updated_at for o in orders],
            ],
        )


@retry_on_conflict
def orders_allocate_batch(*, order_ids: list[int], by=None) -> dict[str, int]:
    """Allocate approved or backordered orders, given in priority order, in ONE transaction.

    Inventory's ``allocate_batch`` locks the stock rows of the whole batch once and decides each order
    exactly as one-by-one allocation would, in the order given; each order is all-or-nothing. Orders are
    locked in id order (no deadlock with single allocations); those no longer allocatable are skipped.
    Keep batches small (~100 orders): the rows stay locked until the batch commits.
    """
    from inventory.services import DemandLine, allocate_batch

    locked = {
        o.pk: o
        for o in Order.objects.select_for_update(of=("self",))
        .filter(pk__in=order_ids, status__in=[S.APPROVED, S.BACKORDERED])
        .order_by("pk")
    }
    orders = [locked[pk] for pk in order_ids if pk in locked]
    lines_of: dict[int, list[OrderLine]] = {o.pk: [] for o in orders}
    for line in OrderLine.objects.filter(order_id__in=lines_of).order_by("order_id", "line_no"):
        lines_of[line.order_id].append(line)
    results = allocate_batch(
        demands=[
            (
                [
                    DemandLine(ref=ln.demand_ref, sku_id=ln.sku_id, quantity=ln.quantity)
                    for ln in lines_of[o.pk]
                ],
                o.province,
            )
            for o in orders
        ],
        by=by,
    )
    _record_allocations(
        decisions=[
            (order, lines_of[order.pk], result) for order, result in zip(orders, results, strict=True)
        ],
        by=by,
    )
    counts = {"allocated": 0, "backordered": 0, "skipped": len(order_ids) - len(orders)}
    for result in results:
        counts["allocated" if result.allocated else "backordered"] += 1
    return counts


def _short_note(info: dict) -> str:
    return ", ".join(f"{s['code']} −{s['missing']}" for s in info.get("short", []))


def backorder_details(short: dict[int, int]) -> dict:
    """For each short SKU: how many are missing, when stock is expected, and sellable alternatives."""
    from inventory.services import sellable_quantity

    if not short:
        return {}
    skus = {s.pk: s for s in SKU.objects.select_related("product").filter(pk__in=short)}
    product_ids = {s.product_id for s in skus.values()}
    categories = {s.product.category for s in skus.values() if s.product.category}
    candidates = list(
        SKU.objects.select_related("product")
        .filter(is_sellable=True)
        .filter(models_q_same(product_ids, categories))
        .exclude(pk__in=short)
        .order_by("code")[:200]
    )
    available = sellable_quantity(sku_ids=[c.pk for c in candidates]) if candidates else {}
    out = []
    for sku_id in sorted(short):
        sku = skus.get(sku_id)
        if sku is None:
            continue
        ranked = sorted(
            (
                c
                for c in candidates
                if available.get(c.pk, 0) > 0
                and (
                    c.product_id == sku.product_id
                    or (sku.product.category and c.product.category == sku.product.category)
                )
            ),
            key=lambda c: (c.product_id != sku.product_id, c.code),
        )
        out.append(
            {
                "sku_id": sku_id,
                "code": sku.code,
                "missing": short[sku_id],
                "expected_restock_date": sku.expected_restock_date.isoformat()
                if sku.expected_restock_date
                else None,
                "suggestions": [
                    {
                        "code": c.code,
                        "name": _sku_label(c),
                        "available": available.get(c.pk, 0),
                        "same_product": c.product_id == sku.product_id,
                    }
                    for c in ranked[:3]
                ],
            }
        )
    return {"short": out}


def models_q_same(product_ids, categories):
    from django.db.models import Q

    q = Q(product_id__in=product_ids)
    if categories:
        q |= Q(product__category__in=categories)
    return q


@retry_on_conflict
def order_reallocate(*, order_id: int, by=None) -> Order:
    """Operations: release what the order holds and allocate it again (e.g. after stock moved)."""
    from inventory.services import reservation_release

    order = _locked(order_id)
    run_transition(order, "deallocate", by=by)
    refs = [f"order-line:{pk}" for pk in order.lines.order_by("pk").values_list("pk", flat=True)]
    reservation_release(
        demand_refs=refs, reason=_("Re-allocation of %(number)s") % {"number": order.number}, by=by
    )
    OrderLineAllocation.objects.filter(line__order=order, released_at__isnull=True).update(
        released_at=timezone.now()
    )
    order.save()
    return order_allocate(order_id=order.pk, by=by)


def orders_allocate_pending(*, limit: int = 500, batch_size: int = 100) -> dict[str, int]:
    """Allocate approved orders in priority order, ``batch_size`` per transaction; returns counts by outcome."""
    counts = {"allocated": 0, "backordered": 0, "skipped": 0}
    ids = list(
        Order.objects.filter(status=S.APPROVED).order_by(*QUEUE_ORDER).values_list("pk", flat=True)[:limit]
    )
    for start in range(0, len(ids), batch_size):
        for outcome, n in orders_allocate_batch(order_ids=ids[start : start + batch_size]).items():
            counts[outcome] += n
    return counts


def orders_allocate_backorders(*, sku_ids: list[int], limit: int = 1000) -> dict[str, int]:
    """Stock arrived for ``sku_ids``: try the backordered orders that need them, highest priority first."""
    counts = {"allocated": 0, "backordered": 0, "skipped": 0}
    ids = list(
        Order.objects.filter(
            status=S.BACKORDERED, pk__in=OrderLine.objects.filter(sku_id__in=sku_ids).values("order_id")
        )
        .order_by(*QUEUE_ORDER)
        .values_list("pk", flat=True)[:limit]
    )
    for order_id in ids:
        counts[_allocate_one(order_id)] += 1
    return counts


def _allocate_one(order_id: int) -> str:
    try:
        order = order_allocate(order_id=order_id)
    except (DomainError, OperationalError) as exc:
        logger.info("allocation of order %s skipped: %s", order_id, exc)
        return "skipped"
    return "allocated" if order.status == S.ALLOCATED else "backordered"


def orders_cancel_unpaid(*, now=None) -> int:
    """Cancel orders still unpaid ``OMS_UNPAID_CANCEL_MINUTES`` after they were placed; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.OMS_UNPAID_CANCEL_MINUTES)
    ids = list(
        Order.objects.filter(status=S.PENDING_PAYMENT, placed_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done = 0
    reason = _("Not paid within %(minutes)s minutes") % {"minutes": settings.OMS_UNPAID_CANCEL_MINUTES}
    for order_id in ids:
        try:
            order_cancel(order_id=order_id, reason=reason, check_perm=False)
            done += 1
        except DomainError:  # paid or cancelled meanwhile
            continue
    return done


# --------------------------------------------------------------------------------------------
# Fulfilment marks (driven by the fulfillment app)
# --------------------------------------------------------------------------------------------


@retry_on_conflict
def order_mark_released(*, order_id: int, by=None) -> Order:
    order = _locked(order_id)
    run_transition(order, "release_to_floor", by=by, check_perm=False)
    order.save()
    return order


@retry_on_conflict
def order_mark_shipped(*, order_id: int, partial: bool = False, by=None) -> Order:
    order = _locked(order_id)
    run_transition(order, "ship_partially" if partial else "ship", by=by, check_perm=False)
    if not partial:
        _notify(order, "shipped")
    order.save()
    return order


@retry_on_conflict
def order_mark_delivered(*, order_id: int, by=None) -> Order:
    order = _locked(order_id)
    run_transition(order, "deliver", by=by, check_perm=False)
    _notify(order, "delivered")
    order.save()
    return order


# --------------------------------------------------------------------------------------------
# Notifications and tokens
# --------------------------------------------------------------------------------------------


def _notify(order: Order, event: str) -> None:
    outbox_enqueue(**_notification(order, event))


def _notification(order: Order, event: str) -> dict:
    """The outbox message for ``event`` of a saved order, as ``outbox_enqueue``'s arguments."""
    customer = order.customer
    language = customer.language or "zh-hans"
    subject, body = render_message(
        f"orders/notifications/{event}.txt", {"order": order, "customer": customer}, language=language
    )
    if customer.email:
        channel, recipient = OutboxMessage.Channel.EMAIL, customer.email
    else:
        channel, recipient = OutboxMessage.Channel.SMS, customer.phone
    return {
        "channel": channel,
        "recipient": recipient,
        "subject": subject,
        "body": body,
        "language": language,
        "event": f"order.{event}",
        "dedupe_key": f"order:{order.pk}:{event}",
    }


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def channel_token_create(*, channel: Channel, name: str = "") -> tuple[ChannelToken, str]:
    """A new API token for ``channel``; the raw token is returned once and only its hash is stored."""
    raw = "oms_" + secrets.token_urlsafe(32)
    token = ChannelToken.objects.create(
        channel=channel, name=name[:100], prefix=raw[:12], key_hash=hash_token(raw)
    )
    return token, raw


# --------------------------------------------------------------------------------------------
# Customers: merge duplicates, anonymise on request
# --------------------------------------------------------------------------------------------


def _check_perm(by, perm: str, what: str) -> None:
    if by is not None and not by.has_perm(perm):
        raise PermissionRefused(_("You do not have permission to %(what)s.") % {"what": what})


CUSTOMER_EDITABLE = [
    "language",
    "preferred_contact",
    "do_not_contact",
    "tier",
    "is_blacklisted",
    "blacklist_reason",
]


@retry_on_conflict
def customer_update(*, customer_id: int, data: dict, by=None) -> Customer:
    """Operations keep a customer's preferences, tier and blacklist state; every change is logged."""
    _check_perm(by, "orders.change_customer", _("change customers"))
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if customer.merged_into_id or customer.anonymised_at:
        raise IllegalTransition(_("This customer was merged or anonymised: it cannot be changed any more."))
    values = {f: data[f] for f in CUSTOMER_EDITABLE if f in data}
    values["blacklist_reason"] = (values.get("blacklist_reason", customer.blacklist_reason) or "").strip()[
        :300
    ]
    if values.get("is_blacklisted", customer.is_blacklisted) and not values["blacklist_reason"]:
        raise DomainError(
            _("Say why the customer is blacklisted: the reviewers of their orders read it."),
            field_errors={"blacklist_reason": [_("Required when the customer is blacklisted.")]},
        )
    if not values.get("is_blacklisted", customer.is_blacklisted):
        values["blacklist_reason"] = ""
    before = snapshot(customer, list(values))
    for name, value in values.items():
        setattr(customer, name, value)
    customer.save(update_fields=list(values))
    log_changes(instance=customer, before=before, by=by)
    return customer


@dataclass
class MergeResult:
    customer: Customer
    orders_moved: int


@retry_on_conflict
def customer_merge(*, keep_id: int, duplicate_id: int, by=None) -> MergeResult:
    """Merge a duplicate into the customer kept: every order, address, case and complaint moves over.

    The duplicate stays as a pointer (``merged_into``) so a later order with its phone lands on the
    customer kept; it leaves the customer list. Apps above orders move their rows in registered hooks.
    """
    _check_perm(by, "orders.merge_customer", _("merge customers"))
    if keep_id == duplicate_id:
        raise CustomerMergeRefused(_("Choose another customer: a customer cannot be merged into itself."))
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update().filter(pk__in=[keep_id, duplicate_id]).order_by("pk")
    }
    if keep_id not in locked or duplicate_id not in locked:
        raise CustomerMergeRefused(_("No such customer: reload the page and choose again."))
    keep, duplicate = locked[keep_id], locked[duplicate_id]
    for customer in (keep, duplicate):
        if customer.merged_into_id:
            raise CustomerMergeRefused(
                _("Customer #%(pk)s was already merged into customer #%(into)s: merge into that one instead.")
                % {"pk": customer.pk, "into": customer.merged_into_id}
            )
        if customer.anonymised_at:
            raise CustomerMergeRefused(
                _("Customer #%(pk)s was anonymised: there is nothing left to match it by.")
                % {"pk": customer.pk}
            )
    kept_fields = ["tier", "is_blacklisted", "blacklist_reason", "do_not_contact"]
    before = snapshot(keep, kept_fields)
    if not keep.email and duplicate.email:
        keep.email = duplicate.email
    if duplicate.tier == CustomerTier.VIP:
        keep.tier = CustomerTier.VIP
    if duplicate.is_blacklisted and not keep.is_blacklisted:
        keep.is_blacklisted = True
        keep.blacklist_reason = duplicate.blacklist_reason
    keep.do_not_contact = keep.do_not_contact or duplicate.do_not_contact
    keep.save()
    moved = Order.objects.filter(customer_id=duplicate.pk).update(customer_id=keep.pk)
    Address.objects.filter(customer_id=duplicate.pk).update(customer_id=keep.pk)
    Customer.objects.filter(merged_into_id=duplicate.pk).update(merged_into_id=keep.pk)
    duplicate.merged_into = keep
    duplicate.merged_at = timezone.now()
    duplicate.save(update_fields=["merged_into", "merged_at"])
    run_merge_handlers(keep_id=keep.pk, duplicate_id=duplicate.pk, by=by)
    note = _("Merged customer #%(dup)s into #%(keep)s: %(n)s orders moved.") % {
        "dup": duplicate.pk,
        "keep": keep.pk,
        "n": moved,
    }
    # Only non-personal fields go into the change log: it must not become a copy of the personal data.
    log_changes(instance=keep, before=before, by=by, action="merge", note=note)
    log_changes(instance=duplicate, before={}, by=by, action="merge", note=note)
    return MergeResult(customer=keep, orders_moved=moved)


# Orders in these states may still need the address (delivery, return): anonymising waits for them.
ANONYMISE_BLOCKING = [s for s in OrderStatus.values if s not in (S.DELIVERED, S.COMPLETED, S.CANCELLED)]


@retry_on_conflict
def customer_anonymise(*, customer_id: int, reason: str, confirm: bool, by=None) -> Customer:
    """Erase a customer's personal data on request; orders, payments, refunds and invoices' money stay.

    Erased: name, phone, e-mail of the customer and its merged duplicates; recipient, phone, street and
    postcode of their addresses; the orders' contact phone and buyer remark; invoice e-mails (invoice titles
    and taxpayer ids of issued invoices are tax records and stay; open requests are voided); outbox messages
    to them; their names in the audit logs. Apps above orders erase their own fields in registered hooks.
    """
    _check_perm(by, "orders.anonymise_customer", _("anonymise customers"))
    if not (reason or "").strip():
        raise ReasonRequired()
    if not confirm:
        raise ConfirmationRequired()
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if customer.anonymised_at:
        raise CustomerAlreadyAnonymised()
    if customer.merged_into_id:
        raise CustomerMergeRefused(
            _("This record was merged into customer #%(into)s: anonymise that customer.")
            % {"into": customer.merged_into_id},
            field="confirm",
        )
    customers = [customer, *Customer.objects.select_for_update().filter(merged_into=customer).order_by("pk")]
    ids = [c.pk for c in customers]
    orders = list(Order.objects.select_for_update(of=("self",)).filter(customer_id__in=ids).order_by("pk"))
    open_numbers = [o.number for o in orders if o.status in ANONYMISE_BLOCKING]
    if open_numbers:
        raise IllegalTransition(
            _(
                "%(n)s orders of this customer are still under way (%(numbers)s): anonymise once they are "
                "delivered or cancelled, because the warehouse and the carrier need the address until then."
            )
            % {"n": len(open_numbers), "numbers": ", ".join(open_numbers[:5])}
        )
    phones = {c.phone for c in customers} | {o.contact_phone for o in orders}
    emails = {c.email for c in customers if c.email}
    address_ids = set(Address.objects.filter(customer_id__in=ids).values_list("pk", flat=True))
    address_ids |= {o.shipping_address_id for o in orders}
    phones |= set(Address.objects.filter(pk__in=address_ids).values_list("phone", flat=True))
    invoices = list(Invoice.objects.select_for_update().filter(order__customer_id__in=ids).order_by("pk"))
    emails |= {i.email for i in invoices if i.email}
    now = timezone.now()
    note = reason.strip()[:300]
    for invoice in invoices:
        if invoice.status == InvoiceStatus.REQUESTED:
            run_transition(invoice, "void", by=by, check_perm=False, note=_("Customer anonymised"))
            invoice.void_reason = _("Customer anonymised")[:300]
            invoice.voided_at = now
        invoice.email = ""
        invoice.save()
    Address.objects.filter(pk__in=address_ids).update(name="", phone="", district="", line1="", postcode="")
    for order in orders:
        order.contact_phone = ""
        order.address_key = hashlib.sha1(f"anonymised:{order.pk}".encode(), usedforsecurity=False).hexdigest()
        order.note = ""
    Order.objects.bulk_update(orders, ["contact_phone", "address_key", "note"])
    for c in customers:
        c.name = ""
        c.phone = f"anonymised-{c.pk}"
        c.email = ""
        c.anonymised_at = now
        c.do_not_contact = True
        c.save(update_fields=["name", "phone", "email", "anonymised_at", "do_not_contact"])
    outbox_forget(recipients=(phones | emails) - {""})
    personal_data_forget(model=Customer, object_ids=ids, label=str(customer))
    personal_data_forget(model=Address, object_ids=sorted(address_ids), label=str(customer))
    run_anonymise_handlers(customer_id=customer.pk, by=by)
    for c in customers[1:]:
        run_anonymise_handlers(customer_id=c.pk, by=by)
    log_changes(instance=customer, before={}, by=by, action="anonymise", note=note)
    return customer


# --------------------------------------------------------------------------------------------
# Invoices (开票): request, issue, send, void; a refund after issuance flags a red-letter invoice
# --------------------------------------------------------------------------------------------

TAXPAYER_ID = re.compile(r"^[0-9A-Z]{15,20}$")
INVOICE_NUMBER = re.compile(r"^[0-9A-Za-z-]{1,32}$")


@dataclass(frozen=True)
class Invoiceable:
    paid: Decimal
    refunded: Decimal

    @property
    def amount(self) -> Decimal:
        return max(self.paid - self.refunded, Decimal("0.00"))


def order_invoiceable(*, order_id: int) -> Invoiceable:
    """What an invoice of the order is for: paid, minus cancellation refunds and after-sales refunds."""
    paid = Payment.objects.filter(
        order_id=order_id, status__in=(PaymentStatus.PAID, PaymentStatus.REFUNDED)
    ).aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
    cancelled = RefundRecord.objects.filter(order_id=order_id).aggregate(s=Sum("amount"))["s"] or Decimal(
        "0.00"
    )
    others = refunds_from_other_apps([order_id])[order_id]
    return Invoiceable(paid=paid, refunded=cancelled + others)


def _clean_invoice_request(*, invoice_type: str, title: str, taxpayer_id: str, email: str) -> dict:
    errors = Errors()
    title = (title or "").strip()
    taxpayer_id = (taxpayer_id or "").strip().upper().replace(" ", "")
    email = (email or "").strip()
    if invoice_type not in InvoiceType.values:
        errors.add("invoice_type", _("Choose ordinary or special VAT invoice."))
    if not title:
        errors.add("title", _("This field is required."))
    elif len(title) > 200:
        errors.add("title", _("At most 200 characters."))
    if taxpayer_id and not TAXPAYER_ID.match(taxpayer_id):
        errors.add(
            "taxpayer_id",
            _("A taxpayer id has 15 to 20 digits and capital letters, e.g. 91310000MA1FL8XQ30."),
        )
    elif not taxpayer_id and invoice_type == InvoiceType.SPECIAL:
        errors.add("taxpayer_id", _("A special VAT invoice needs the buyer's taxpayer id."))
    if not email:
        errors.add("email", _("This field is required: the invoice is sent to this e-mail."))
    elif not EMAIL.match(email) or len(email) > 254:
        errors.add("email", _("Enter a valid e-mail address."))
    if errors:
        first = next(iter(errors.by_field.values()))[0]
        raise DomainError(
            _("The invoice request was not saved: %(problem)s") % {"problem": first},
            field_errors=errors.by_field,
        )
    return {"invoice_type": invoice_type, "title": title, "taxpayer_id": taxpayer_id, "email": email}


def _live_invoice(order_id: int) -> Invoice | None:
    return Invoice.objects.filter(order_id=order_id, status__in=LIVE_INVOICE_STATUSES).first()


@retry_on_conflict
def invoice_request(
    *,
    order_id: int,
    invoice_type: str,
    title: str,
    email: str,
    taxpayer_id: str = "",
    note: str = "",
    by=None,
) -> Invoice:
    """A customer (through operations) asks for an invoice of a delivered order; finance issues it later."""
    _check_perm(by, "orders.request_invoice", _("request invoices"))
    data = _clean_invoice_request(
        invoice_type=invoice_type, title=title, taxpayer_id=taxpayer_id, email=email
    )
    order = _locked(order_id)
    if order.status not in INVOICEABLE_ORDER_STATUSES:
        raise OrderNotInvoiceable(number=order.number, status_label=order.get_status_display())
    live = _live_invoice(order.pk)
    if live is not None:
        raise InvoiceAlreadyExists(
            number=order.number, invoice=str(live), status_label=live.get_status_display()
        )
    if order_invoiceable(order_id=order.pk).amount <= 0:
        raise NothingToInvoice(number=order.number)
    invoice = Invoice.objects.create(
        order=order,
        currency=order.currency,
        note=(note or "").strip()[:300],
        requested_by=by if getattr(by, "pk", None) else None,
        **data,
    )
    log_changes(
        instance=invoice,
        before={},
        by=by,
        action="create",
        note=_("Requested for order %(number)s") % {"number": order.number},
    )
    return invoice


def _lock_invoice(invoice_id: int) -> Invoice:
    """Lock the invoice's order, then the invoice (the fixed order of every invoice service)."""
    order_id = Invoice.objects.values_list("order_id", flat=True).get(pk=invoice_id)
    order = _locked(order_id)
    invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice_id)
    invoice.order = order
    return invoice


@retry_on_conflict
def invoice_issue(*, invoice_id: int, number: str, amount, issued_on=None, by=None) -> Invoice:
    """Finance issues a requested invoice: its number, date and amount (paid minus refunds, exactly)."""
    invoice = _lock_invoice(invoice_id)
    if invoice.status != InvoiceStatus.REQUESTED:
        raise IllegalTransition(
            _(
                "Invoice %(invoice)s is %(state)s: an invoice is issued once only. Void it first to issue a new one."
            )
            % {"invoice": str(invoice), "state": invoice.get_status_display().lower()}
        )
    errors = Errors()
    number = (number or "").strip()
    if not number:
        errors.add("number", _("This field is required."))
    elif not INVOICE_NUMBER.match(number):
        errors.add("number", _("Use digits, letters and dashes only, at most 32."))
    asked = _money(amount, "amount", errors, required=True)
    today = timezone.localdate()
    issued_on = issued_on or today
    if issued_on > today:
        errors.add("issued_on", _("The invoice date cannot be in the future."))
    if errors:
        first = next(iter(errors.by_field.values()))[0]
        raise DomainError(
            _("The invoice was not issued: %(problem)s") % {"problem": first}, field_errors=errors.by_field
        )
    order = invoice.order
    if order.status not in INVOICEABLE_ORDER_STATUSES:
        raise OrderNotInvoiceable(number=order.number, status_label=order.get_status_display())
    due = order_invoiceable(order_id=order.pk)
    if asked != due.amount:
        raise InvoiceAmountWrong(
            asked=asked,
            invoiceable=due.amount,
            paid=due.paid,
            refunded=due.refunded,
            currency=invoice.currency,
        )
    if due.amount <= 0:
        raise NothingToInvoice(number=order.number)
    if Invoice.objects.filter(number=number).exists():
        raise InvoiceNumberTaken(number)
    run_transition(invoice, "issue", by=by, note=f"{number} · {asked} {invoice.currency}")
    invoice.number = number
    invoice.amount = asked
    invoice.issued_on = issued_on
    invoice.issued_at = timezone.now()
    invoice.issued_by = by if getattr(by, "pk", None) else None
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError as exc:  # a concurrent issue took the number between the check and the save
        raise InvoiceNumberTaken(number) from exc
    return invoice


@retry_on_conflict
def invoice_send(*, invoice_id: int, by=None) -> Invoice:
    """Send an issued invoice to its e-mail, through the outbox (delivered after commit, once)."""
    invoice = _lock_invoice(invoice_id)
    if invoice.status == InvoiceStatus.ISSUED and not invoice.email:
        raise InvoiceFieldError(
            "email", _("This invoice has no e-mail to send it to (the customer was anonymised).")
        )
    run_transition(invoice, "send", by=by, note=invoice.email and mask_email(invoice.email))
    invoice.sent_at = timezone.now()
    invoice.save()
    customer = invoice.order.customer
    language = customer.language or "zh-hans"
    subject, body = render_message(
        "orders/notifications/invoice_sent.txt",
        {"invoice": invoice, "order": invoice.order, "customer": customer},
        language=language,
    )
    outbox_enqueue(
        channel=OutboxMessage.Channel.EMAIL,
        recipient=invoice.email,
        subject=subject,
        body=body,
        language=language,
        event="invoice.sent",
        dedupe_key=f"invoice:{invoice.pk}:sent",
    )
    return invoice


@retry_on_conflict
def invoice_void(*, invoice_id: int, reason: str, red_letter_number: str = "", by=None) -> Invoice:
    """Void an invoice (or refuse a request) with a reason; a flagged one needs its red-letter number."""
    if not (reason or "").strip():
        raise ReasonRequired()
    invoice = _lock_invoice(invoice_id)
    red_letter_number = (red_letter_number or "").strip()
    if invoice.status == InvoiceStatus.RED_LETTER_NEEDED and not red_letter_number:
        raise InvoiceFieldError(
            "red_letter_number",
            _("Enter the number of the red-letter invoice issued in the tax system, then void this one."),
        )
    if red_letter_number and not INVOICE_NUMBER.match(red_letter_number):
        raise InvoiceFieldError("red_letter_number", _("Use digits, letters and dashes only, at most 32."))
    run_transition(invoice, "void", by=by, note=reason.strip())
    invoice.void_reason = reason.strip()[:300]
    invoice.red_letter_number = red_letter_number
    invoice.voided_at = timezone.now()
    invoice.save()
    return invoice


@retry_on_conflict
def invoice_flag_red_letter(*, invoice_id: int, reason: str, by=None) -> Invoice:
    """The invoiced amount is no longer right (a refund): finance must issue a red-letter invoice."""
    invoice = _lock_invoice(invoice_id)
    run_transition(invoice, "flag_red_letter", by=by, check_perm=False, note=reason)
    invoice.red_letter_reason = reason[:300]
    invoice.save()
    return invoice


def invoices_refund_recorded(*, order_id: int, amount, reference: str = "", by=None) -> list[Invoice]:
    """Called in the transaction that records a refund of ``order_id`` (aftersales calls it).

    An issued or sent invoice no longer matches what was paid: it is flagged for a red-letter invoice.
    A request not issued yet needs nothing: its amount is worked out when it is issued.
    """
    flagged = []
    ids = Invoice.objects.filter(
        order_id=order_id, status__in=[InvoiceStatus.ISSUED, InvoiceStatus.SENT]
    ).values_list("pk", flat=True)
    reason = _("Refund of %(amount)s after issuance (%(reference)s)") % {
        "amount": amount,
        "reference": reference,
    }
    for invoice_id in sorted(ids):
        flagged.append(invoice_flag_red_letter(invoice_id=invoice_id, reason=reason, by=by))
    return flagged
