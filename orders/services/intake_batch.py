"""Batch intake (the batch API): a batch's lookups run once and its orders are written with bulk inserts.

Same checks, rules, transitions, audit rows and notifications as ``order_intake``; each order still
succeeds or fails on its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from inventory.services import StockMoved
from oms.audit import collect_state_logs, state_logs_write
from oms.db import bulk_insert, check_constraints_now, retry_on_conflict, server_side_binding
from oms.dispatch import task_send_on_commit
from oms.exceptions import DomainError
from oms.instances import new_instance
from oms.models import ChangeLog
from oms.notes import choice_param
from oms.notes import note as make_note
from oms.notifications import outbox_enqueue_many
from orders.choices import OrderSource, PaymentStatus
from orders.models import Address, Channel, Customer, Order, OrderLine
from orders.services._common import IntakeResult, S, order_number, queue_key
from orders.services.allocation import (
    _allocation_fields,
    _allocation_fields_restore,
    orders_allocate_new,
    orders_decide_new,
)
from orders.services.customers import _customers_for_batch
from orders.services.digest import digest_differences
from orders.services.intake import _external_id, _lines_of, _order_from, _payment_of
from orders.services.notifications import _notification
from orders.services.routing import _apply_rules, _pay_and_route, _RiskCounter, active_rules
from orders.validation import CleanOrder, sku_lookup, validate_order_data

logger = logging.getLogger(__name__)


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
    Approved orders are then allocated in the same transaction, as one batch in priority order
    (``allocate_batch``: the stock rows of the batch locked once); the answer shows them allocated or
    backordered. Inside a caller's transaction (or with ``OMS_ALLOCATE_ON_INTAKE`` off) the batch
    allocation task is sent after commit instead, as for imports, and the answer shows them approved.
    """
    # Every statement bound server-side: psycopg then prepares those run again and again (the same text from
    # batch to batch), and PostgreSQL stops planning them anew.
    with server_side_binding():
        return _orders_intake_batch(channel=channel, bodies=bodies, by=by, source=source)


def _orders_intake_batch(*, channel: Channel, bodies: list, by, source: str) -> list[IntakeResult]:
    allocate_now = settings.OMS_ALLOCATE_ON_INTAKE and not connection.in_atomic_block
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
        if (external_id not in existing or existing[external_id].intake_digest)
        and isinstance(body, dict)
        and isinstance(body.get("lines"), list)
        for line in body["lines"]
        if isinstance(line, dict)
    )
    checked: list[tuple[CleanOrder | None, dict]] = []
    conflicts: dict[int, list[str]] = {}
    for i, (body, external_id) in enumerate(zip(bodies, external_ids, strict=True)):
        if external_id in existing:
            conflicts[i] = _resend_conflict(existing[external_id], body, skus)
            checked.append((None, {}))
            continue
        checked.append(
            validate_order_data(
                body, skus=skus, external_id_required=source in (OrderSource.API, OrderSource.IMPORT)
            )
        )
    customers = _customers_committed(checked) if allocate_now else None
    return _intake_batch_write(
        channel=channel,
        external_ids=external_ids,
        existing=existing,
        checked=checked,
        conflicts=conflicts,
        by=by,
        source=source,
        allocate_now=allocate_now,
        customers=customers,
    )


@retry_on_conflict
def _customers_committed(checked: list[tuple[CleanOrder | None, dict]]) -> list[tuple[Customer, bool]]:
    """The customers of the batch's valid orders (in order), new ones written and committed on their own.

    Only when the batch owns its transaction. Inside the batch's transaction, a new customer's row would make
    every concurrent batch with an order of the same buyer (a second order a minute later) wait on the unique
    phone until this whole batch commits. A customer is a buyer seen, not part of an order: it is kept if the
    batch then fails.
    """
    datas = [clean.customer for clean, errors in checked if clean is not None and not errors]
    return _customers_for_batch(datas) if datas else []


def _resend_conflict(order: Order, body, skus) -> list[str]:
    """The parts of a resent body that differ from the order taken in (as ``order_intake`` decides)."""
    if not order.intake_digest:
        return []
    clean, errors = validate_order_data(body, skus=skus)
    return [] if errors else digest_differences(order.intake_digest, clean)


@retry_on_conflict
def _intake_batch_write(
    *,
    channel: Channel,
    external_ids: list[str | None],
    existing: dict[str, Order],
    checked: list[tuple[CleanOrder | None, dict]],
    conflicts: dict[int, list[str]],
    by,
    source: str,
    allocate_now: bool = False,
    customers: list[tuple[Customer, bool]] | None = None,
) -> list[IntakeResult]:
    results: list[IntakeResult | None] = [None] * len(checked)
    todo: list[tuple[int, CleanOrder]] = []
    for i, ((clean, errors), external_id) in enumerate(zip(checked, external_ids, strict=True)):
        if clean is None and not errors:
            results[i] = IntakeResult(
                order=existing[external_id], created=False, conflict=conflicts.get(i, [])
            )
        elif errors:
            results[i] = IntakeResult(order=None, created=False, errors=errors)
        else:
            todo.append((i, clean))
    if not todo:
        return results
    if allocate_now:  # the batch owns its transaction, and will hold stock rows locked until it commits
        check_constraints_now()
    now = timezone.now()
    candidates, built = _build_candidates(
        todo, channel=channel, source=source, by=by, now=now, customers=customers
    )
    outcome = _write_decided(candidates, by=by, source=source, now=now) if allocate_now else None
    if outcome == "written":
        _settle_results(candidates, built=built, channel=channel, results=results)
        return results
    _insert_orders([c for c in candidates if not c.twin], channel=channel)
    created = _settle_results(candidates, built=built, channel=channel, results=results)
    if created:
        _write_created(
            created,
            by=by,
            source=source,
            now=now,
            allocate_now=allocate_now,
            locked=outcome == "stock_moved",
        )
    return results


def _write_decided(candidates: list[_Candidate], *, by, source: str, now) -> str:
    """Allocate the batch's approved orders before writing them, then write every order once, in its final
    state, with everything that hangs off it; the stock rows are locked and checked last (``confirm``).

    Returns "written"; else, with nothing written (the orders in memory as built), "stock_moved" when the
    stock moved between the decision and the lock, "not_written" when another request delivered one of the
    orders meanwhile or inventory refused. The caller then writes the batch as approved and allocates it
    after (on locked stock when it moved), which sorts each of those cases out.
    """
    new = [c for c in candidates if not c.twin]
    lines_of = _with_ids_ahead(new)
    approved = sorted((c.order for c in new if c.order.status == S.APPROVED), key=queue_key)
    before = [_allocation_fields(o) for o in approved]
    try:
        with transaction.atomic():
            pending, allocations, logs = (
                orders_decide_new(orders=approved, lines_of=lines_of, by=by) if approved else (None, [], [])
            )
            bulk_insert([c.order for c in new], keep_pks=True)
            _write_rows(new, lines_of, by=by, source=source, now=now, keep_pks=True, logs_after=logs)
            bulk_insert(allocations)
            if pending is not None:
                pending.confirm()
    except Exception as exc:
        _undecided(new, approved, before)
        delivered_meanwhile = isinstance(exc, IntegrityError) and "order_channel_external_id_unique" in str(
            exc
        )
        if not (delivered_meanwhile or isinstance(exc, StockMoved | DomainError)):
            raise
        logger.info("a batch of %s orders is written before its allocation instead: %r", len(new), exc)
        return "stock_moved" if isinstance(exc, StockMoved) else "not_written"
    return "written"


def _undecided(new: list[_Candidate], approved: list[Order], before: list[dict]) -> None:
    """The orders in memory as built, before ``_write_decided`` gave them ids and decisions."""
    _allocation_fields_restore(approved, before)
    for c in new:
        c.order.pk = None
        c.order._state.adding = True


def _with_ids_ahead(new: list[_Candidate]) -> dict[int, list[OrderLine]]:
    """Give the new orders and their lines their ids from the sequences (one round trip); their lines by
    order id."""
    order_ids, line_ids = _ids((Order, len(new)), (OrderLine, sum(len(c.clean.lines) for c in new)))
    lines_of, taken = {}, iter(line_ids)
    for c, pk in zip(new, order_ids, strict=True):
        c.order.pk = pk  # before its lines are built: they take the order's id then
        lines = lines_of[pk] = _lines_of(c.order, c.clean)
        for line in lines:
            line.pk = next(taken)
    return lines_of


def _build_candidates(
    todo: list[tuple[int, CleanOrder]], *, channel: Channel, source: str, by, now, customers=None
) -> tuple[list[_Candidate], dict[str, Order]]:
    """Build the batch's orders in memory (rules, routing, logs and notices collected); addresses are saved.
    ``customers``: those of ``todo``'s orders when the caller matched and wrote them already."""
    rules = active_rules()
    if customers is None:
        customers = _customers_for_batch([clean.customer for _i, clean in todo])
    counter = _RiskCounter(rules=rules, cleans=[clean for _i, clean in todo])
    numbers = _order_numbers(len(todo))
    addresses = bulk_insert(
        [
            new_instance(Address, customer=customer, **clean.address)
            for (_i, clean), (customer, _new) in zip(todo, customers, strict=True)
        ],
        set_pks=True,
    )
    built: dict[str, Order] = {}
    candidates: list[_Candidate] = []
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
    return candidates, built


def _insert_orders(new: list[_Candidate], *, channel: Channel) -> None:
    """One INSERT for the batch's orders, unless one was delivered concurrently (see below)."""
    try:
        with transaction.atomic():
            bulk_insert([c.order for c in new], set_pks=True)
    except IntegrityError as exc:
        if "order_channel_external_id_unique" not in str(exc):
            raise
        # One was delivered concurrently: then one savepoint per order, so that only the duplicate
        # gives way (and answers the order that won) while the others are written.
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


def _settle_results(
    candidates: list[_Candidate], *, built: dict[str, Order], channel: Channel, results: list
) -> list[_Candidate]:
    """Fill in each candidate's result; drop the addresses of those not created; return the created ones."""
    created, unused_addresses = [], []
    for c in candidates:
        if not (c.twin or c.lost):
            results[c.index] = IntakeResult(order=c.order, created=True)
            created.append(c)
            continue
        order = built.get(c.clean.external_id) if c.twin else c.order
        if c.twin and order.pk is None:  # its first copy lost to a concurrent delivery
            order = Order.objects.select_related("channel").get(
                channel=channel, external_id=order.external_id
            )
        results[c.index] = IntakeResult(order=order, created=False)
        unused_addresses.append(c.address.pk)
    if unused_addresses:
        Address.objects.filter(pk__in=unused_addresses).delete()
    return created


def _write_created(
    created: list[_Candidate], *, by, source: str, now, allocate_now: bool = False, locked: bool = False
) -> None:
    """Write what hangs off the created orders: lines, payments, tags, change log, state log, notices; then
    allocate the approved ones (``allocate_now``; ``locked``: on locked stock) or ask the batch task to."""
    lines_of = {c.order.pk: _lines_of(c.order, c.clean) for c in created}
    _write_rows(created, lines_of, by=by, source=source, now=now, set_pks=allocate_now)
    approved = [c.order for c in created if c.order.status == S.APPROVED]
    if approved and allocate_now:
        try:
            orders_allocate_new(
                orders=sorted(approved, key=queue_key), lines_of=lines_of, by=by, locked=locked
            )
            return
        except DomainError as exc:  # the task tries again after commit
            logger.warning("allocation of a batch at intake deferred: %s", exc)
    if approved and settings.OMS_ALLOCATE_ON_INTAKE:
        task_send_on_commit("orders.tasks.allocate_orders_task")


def _write_rows(
    created: list[_Candidate],
    lines_of: dict[int, list[OrderLine]],
    *,
    by,
    source: str,
    now,
    set_pks: bool = False,
    keep_pks: bool = False,
    logs_after: list = (),
) -> None:
    """The rows of the written orders: lines (``set_pks``: their ids read back; ``keep_pks``: they have
    them), payments, tags, change log, state logs (then ``logs_after``), notices."""
    orders = [(c.order, c.clean) for c in created]
    bulk_insert([line for lines in lines_of.values() for line in lines], set_pks=set_pks, keep_pks=keep_pks)
    bulk_insert([_payment_of(order, clean, now=now) for order, clean in orders])
    bulk_insert(
        [
            new_instance(Order.tags.through, order_id=c.order.pk, tag_id=t)
            for c in created
            for t in sorted(c.tag_ids)
        ]
    )
    note = make_note("orders.intake", source=choice_param("orders.Order.source", source))
    content_type = ContentType.objects.get_for_model(Order)
    bulk_insert(
        [
            new_instance(
                ChangeLog,
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
    # After the change log: created, then paid (and allocated) on the timeline.
    state_logs_write([log for c in created for log in c.logs] + list(logs_after))
    outbox_enqueue_many([_notification(c.order, event) for c in created for event in c.events])


def _ids(*wanted: tuple[type, int]) -> list[list[int]]:
    """For each (model, n): ``n`` new ids of the model from its sequence, in one round trip."""
    arrays = ", ".join(
        "ARRAY(SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s))" for _w in wanted
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {arrays}", [v for model, n in wanted for v in (model._meta.db_table, n)])  # noqa: S608 - placeholders only
        return [sorted(ids) for ids in cursor.fetchone()]


def _order_numbers(n: int) -> list[str]:
    """``n`` order numbers (as ``next_order_number``) from one round trip."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('orders_order_number_seq') FROM generate_series(1, %s)", [n])
        values = sorted(value for (value,) in cursor.fetchall())
    return [order_number(value) for value in values]
