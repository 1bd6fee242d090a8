"""Customers: the same buyer matched across channels at intake, preferences, merging duplicates, anonymising.

Customer merge and anonymisation run the handlers that apps above orders register in ``orders.hooks``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.audit import log_changes, run_transition, snapshot
from oms.db import ModelColumns, bulk_insert, fetch_rows, insert_part, retry_on_conflict, write_at_once
from oms.exceptions import DomainError, IllegalTransition
from oms.notes import note as make_note
from oms.notifications import outbox_forget
from oms.privacy import personal_data_forget
from orders.choices import ContactChannel, CustomerTier, InvoiceStatus, OrderStatus
from orders.exceptions import ConfirmationRequired, CustomerAlreadyAnonymised, CustomerMergeRefused
from orders.hooks import run_anonymise_handlers, run_merge_handlers
from orders.models import Address, Customer, Invoice, Order
from orders.services._common import S, _check_perm, _require_reason

# --------------------------------------------------------------------------------------------
# Matching at intake
# --------------------------------------------------------------------------------------------


def _customer_for(data: dict) -> tuple[Customer, bool]:
    """The same customer across channels: matched by phone, else by e-mail; a merged duplicate hands over
    to the customer it was merged into. One read (phone or e-mail), and one INSERT for a new customer."""
    customer = _customer_match(data["phone"], data.get("email") or "")
    created = False
    if customer is None:
        customer = Customer(phone=data["phone"], name=data["name"], email=data["email"])
        rows = write_at_once(
            [insert_part([customer], conflict="ON CONFLICT (phone) DO NOTHING", returning="id")]
        )
        if rows:
            customer.pk, created = rows[0][0], True
        else:  # created by a concurrent intake meanwhile: the unique constraint decided
            customer = _customer_match(data["phone"], "")
    if customer.merged_into_id:
        customer = customer.merged_into
    return customer, created


_CUSTOMER = ModelColumns(Customer)


def _customer_match(phone: str, email: str) -> Customer | None:
    """The customer with this phone, else the first live one with this e-mail (case-insensitive, on the
    UPPER(email) index), with the customer it was merged into. Hand-written: every order taken in asks."""
    table = connection.ops.quote_name(Customer._meta.db_table)
    where, params = "c.phone = %s", [phone]
    if email:
        where += " OR (UPPER(c.email) = UPPER(%s) AND c.merged_into_id IS NULL AND c.anonymised_at IS NULL)"
        params.append(email)
    rows = fetch_rows(
        f"SELECT {_CUSTOMER.sql('c')}, {_CUSTOMER.sql('m')} FROM {table} c "  # noqa: S608 - names from model meta
        f"LEFT JOIN {table} m ON m.id = c.merged_into_id WHERE {where} "
        "ORDER BY (c.phone = %s) DESC, c.id LIMIT 1",
        [*params, phone],
    )
    if not rows:
        return None
    customer = _CUSTOMER.take(rows[0])
    if customer.merged_into_id:
        _CUSTOMER.relate(customer, "merged_into", _CUSTOMER.take(rows[0], _CUSTOMER.width))
    return customer


def _customers_for_batch(datas: list[dict]) -> list[tuple[Customer, bool]]:
    """``_customer_for`` for a batch, in order, with two lookups and one insert: matched by phone, else by
    e-mail (case-insensitive, as ``email__iexact``: uses the upper(email) index), else a new customer, which
    later orders of the batch then match too. ``True`` marks the first order of a customer new in this batch."""
    by_phone = {
        c.phone: c
        for c in Customer.objects.select_related("merged_into").filter(phone__in={d["phone"] for d in datas})
    }
    by_email = _customers_by_email(
        sorted({d["email"] for d in datas if d["email"] and d["phone"] not in by_phone})
    )
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
        # A concurrent intake may create the same phone meanwhile: keep its row (the unique constraint decides),
        # read only for the phones that lost.
        bulk_insert(sorted(planned.values(), key=lambda c: c.phone), skip_conflicts_by="phone")
        lost = [phone for phone, c in planned.items() if c.pk is None]
        saved = {c.phone: c for c in Customer.objects.select_related("merged_into").filter(phone__in=lost)}
        picked = [(saved[c.phone] if c.pk is None else c, new) for c, new in picked]
    return [(c.merged_into if c.merged_into_id else c, new) for c, new in picked]


def _customers_by_email(emails: list[str]) -> dict[str, Customer]:
    """Live customers by upper-cased e-mail, the first (lowest id) of each, in one query (on the UPPER(email)
    index: ``UPPER(email) = ANY(…)``, where a chain of ``email__iexact`` ORs cost a compile per batch)."""
    by_email: dict[str, Customer] = {}
    if emails:
        rows = fetch_rows(
            f"SELECT {_CUSTOMER.sql('c')} FROM {connection.ops.quote_name(Customer._meta.db_table)} c "  # noqa: S608 - names from model meta
            "WHERE UPPER(c.email) IN (SELECT UPPER(e) FROM unnest(%s::text[]) e) "
            "AND c.merged_into_id IS NULL AND c.anonymised_at IS NULL ORDER BY c.id",
            [sorted(set(emails))],
        )
        for row in rows:
            c = _CUSTOMER.take(row)
            by_email.setdefault(c.email.upper(), c)
    return by_email


# --------------------------------------------------------------------------------------------
# Preferences
# --------------------------------------------------------------------------------------------

CUSTOMER_EDITABLE = [
    "language",
    "preferred_contact",
    "webhook_url",
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
    values["webhook_url"] = (values.get("webhook_url", customer.webhook_url) or "").strip()
    if (
        values.get("preferred_contact", customer.preferred_contact) == ContactChannel.WEBHOOK
        and not (values["webhook_url"])
    ):
        raise DomainError(
            _("Give the webhook URL the messages are posted to."),
            field_errors={"webhook_url": [_("Required when the preferred channel is the webhook.")]},
        )
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


# --------------------------------------------------------------------------------------------
# Merge duplicates
# --------------------------------------------------------------------------------------------


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
    keep, duplicate = _merge_lock(keep_id=keep_id, duplicate_id=duplicate_id)
    kept_fields = ["tier", "is_blacklisted", "blacklist_reason", "do_not_contact"]
    before = snapshot(keep, kept_fields)
    _merge_fields(keep, duplicate)
    keep.save()
    moved = Order.objects.filter(customer_id=duplicate.pk).update(customer_id=keep.pk)
    Address.objects.filter(customer_id=duplicate.pk).update(customer_id=keep.pk)
    Customer.objects.filter(merged_into_id=duplicate.pk).update(merged_into_id=keep.pk)
    duplicate.merged_into = keep
    duplicate.merged_at = timezone.now()
    duplicate.save(update_fields=["merged_into", "merged_at"])
    run_merge_handlers(keep_id=keep.pk, duplicate_id=duplicate.pk, by=by)
    note = make_note("orders.customers_merged", dup=str(duplicate.pk), keep=str(keep.pk), n=moved)
    # Only non-personal fields go into the change log: it must not become a copy of the personal data.
    log_changes(instance=keep, before=before, by=by, action="merge", note=note)
    log_changes(instance=duplicate, before={}, by=by, action="merge", note=note)
    return MergeResult(customer=keep, orders_moved=moved)


def _merge_lock(*, keep_id: int, duplicate_id: int) -> tuple[Customer, Customer]:
    """Lock both customers (id order) and refuse a merge that cannot be done."""
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
    return keep, duplicate


def _merge_fields(keep: Customer, duplicate: Customer) -> None:
    """The customer kept takes the duplicate's e-mail if it has none, and the stricter of their flags."""
    if not keep.email and duplicate.email:
        keep.email = duplicate.email
    if duplicate.tier == CustomerTier.VIP:
        keep.tier = CustomerTier.VIP
    if duplicate.is_blacklisted and not keep.is_blacklisted:
        keep.is_blacklisted = True
        keep.blacklist_reason = duplicate.blacklist_reason
    keep.do_not_contact = keep.do_not_contact or duplicate.do_not_contact


# --------------------------------------------------------------------------------------------
# Anonymise on request
# --------------------------------------------------------------------------------------------

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
    customer = _anonymise_lock(customer_id=customer_id, reason=reason, confirm=confirm, by=by)
    customers = [customer, *Customer.objects.select_for_update().filter(merged_into=customer).order_by("pk")]
    ids = [c.pk for c in customers]
    orders = list(Order.objects.select_for_update(of=("self",)).filter(customer_id__in=ids).order_by("pk"))
    _anonymise_refuse_open(orders)
    phones = {c.phone for c in customers} | {o.contact_phone for o in orders}
    emails = {c.email for c in customers if c.email}
    address_ids = set(Address.objects.filter(customer_id__in=ids).values_list("pk", flat=True))
    address_ids |= {o.shipping_address_id for o in orders}
    phones |= set(Address.objects.filter(pk__in=address_ids).values_list("phone", flat=True))
    invoices = list(Invoice.objects.select_for_update().filter(order__customer_id__in=ids).order_by("pk"))
    emails |= {i.email for i in invoices if i.email}
    now = timezone.now()
    _anonymise_invoices(invoices, by=by, now=now)
    _anonymise_rows(customers=customers, orders=orders, address_ids=address_ids, now=now)
    outbox_forget(recipients=(phones | emails) - {""})
    personal_data_forget(model=Customer, object_ids=ids, label=str(customer))
    personal_data_forget(model=Address, object_ids=sorted(address_ids), label=str(customer))
    run_anonymise_handlers(customer_id=customer.pk, by=by)
    for c in customers[1:]:
        run_anonymise_handlers(customer_id=c.pk, by=by)
    log_changes(instance=customer, before={}, by=by, action="anonymise", note=reason.strip()[:300])
    return customer


def _anonymise_lock(*, customer_id: int, reason: str, confirm: bool, by) -> Customer:
    """Check the request (permission, reason, confirmation), then lock the customer and refuse if it cannot be."""
    _check_perm(by, "orders.anonymise_customer", _("anonymise customers"))
    _require_reason(reason)
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
    return customer


def _anonymise_refuse_open(orders: list[Order]) -> None:
    open_numbers = [o.number for o in orders if o.status in ANONYMISE_BLOCKING]
    if open_numbers:
        raise IllegalTransition(
            _(
                "%(n)s orders of this customer are still under way (%(numbers)s): anonymise once they are "
                "delivered or cancelled, because the warehouse and the carrier need the address until then."
            )
            % {"n": len(open_numbers), "numbers": ", ".join(open_numbers[:5])}
        )


def _anonymise_invoices(invoices: list[Invoice], *, by, now) -> None:
    """Open requests are voided; every invoice loses its e-mail (titles and taxpayer ids are tax records)."""
    for invoice in invoices:
        if invoice.status == InvoiceStatus.REQUESTED:
            run_transition(
                invoice, "void", by=by, check_perm=False, note=make_note("orders.customer_anonymised")
            )
            invoice.void_reason = make_note("orders.customer_anonymised")
            invoice.voided_at = now
        invoice.email = ""
        invoice.save()


def _anonymise_rows(*, customers: list[Customer], orders: list[Order], address_ids: set[int], now) -> None:
    """Erase the personal fields of the addresses, orders and customers (the customers stay as ids)."""
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
        c.webhook_url = ""
        c.anonymised_at = now
        c.do_not_contact = True
        c.save(update_fields=["name", "phone", "email", "webhook_url", "anonymised_at", "do_not_contact"])
