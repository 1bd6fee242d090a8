"""Hooks that apps above orders register at start-up, so orders can use their data without importing them.

- Refund providers: ``fn(order_ids) -> {order_id: amount}``, the money an app above paid back for each
  order (aftersales registers its refunds). Orders adds its own cancellation refunds (``RefundRecord``)
  and uses the sum for an invoice's amount (paid minus refunds) and a customer's lifetime value.
- Customer merge handlers: ``fn(*, keep_id, duplicate_id, by)``, run inside ``customer_merge``'s
  transaction to move the app's own rows (cases, complaints) from the duplicate to the customer kept.
- Customer anonymise handlers: ``fn(*, customer_id, by)``, run inside ``customer_anonymise``'s
  transaction to erase the personal fields the app keeps about that customer.
- Completion blockers: ``fn(order_ids) -> {order_id: reason}``, the delivered orders that must not complete
  yet and why (aftersales: an open case). ``orders_complete_due`` asks them before and again, under the
  order's lock, right before it completes an order.
- Parcel handlers (fulfillment): ``blocker(order_id) -> str | None``, why the order's lines and address can no
  longer change (a parcel packed, shipped, or a drop-ship the supplier was asked to send), and
  ``withdraw(*, order_id, removed_line_ids, by, note) -> list[str]``, run inside an edit's, split's or merge's
  transaction to take the order out of its parcels that have not been packed (intercepted: cancelled, or its
  lines taken out of a merged parcel); returns the parcel numbers.

- Import translators: ``fn(*, headers, rows, channel) -> ImportTranslation | None``: a file in a format
  other than the import's own columns (a platform's order export, a channel's saved column mapping) is
  turned into the import's columns, row for row, before the rows are checked (connectors registers them).

The other direction (a refund recorded after an invoice was issued) needs no hook: aftersales imports
orders and calls ``orders.services.invoices_refund_recorded`` in the refund's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

_refund_providers: list[Callable] = []
_merge_handlers: list[Callable] = []
_anonymise_handlers: list[Callable] = []
_completion_blockers: list[Callable] = []
_parcel_blockers: list[Callable] = []
_parcel_withdrawers: list[Callable] = []
_import_translators: list[Callable] = []


@dataclass
class ImportTranslation:
    """A file turned into the import's columns: one row for each row of the file (so row numbers hold)."""

    label: str  # what the file was recognised as, for the screen ("Shopify orders export")
    headers: list[str]
    rows: list[list[str]]
    row_errors: dict[int, str] = field(default_factory=dict)  # spreadsheet row number -> why it is left out


def _add(registry: list[Callable], fn: Callable) -> None:
    # Registering the same function twice (ready() running again in tests) is a no-op.
    if fn not in registry:
        registry.append(fn)


def register_refund_provider(fn: Callable) -> None:
    _add(_refund_providers, fn)


def register_customer_merge_handler(fn: Callable) -> None:
    _add(_merge_handlers, fn)


def register_customer_anonymise_handler(fn: Callable) -> None:
    _add(_anonymise_handlers, fn)


def register_completion_blocker(fn: Callable) -> None:
    _add(_completion_blockers, fn)


def register_import_translator(fn: Callable) -> None:
    _add(_import_translators, fn)


def translate_import(*, headers: list[str], rows: list[list[str]], channel) -> ImportTranslation | None:
    """The first translation a registered translator offers for this file, or None (the import's own format)."""
    for translator in _import_translators:
        translation = translator(headers=headers, rows=rows, channel=channel)
        if translation is not None:
            return translation
    return None


def refunds_from_other_apps(order_ids: Iterable[int]) -> dict[int, Decimal]:
    ids = list(order_ids)
    totals: dict[int, Decimal] = dict.fromkeys(ids, Decimal("0.00"))
    if not ids:
        return totals
    for provider in _refund_providers:
        for order_id, amount in provider(ids).items():
            totals[order_id] = totals.get(order_id, Decimal("0.00")) + (amount or Decimal("0.00"))
    return totals


def run_merge_handlers(*, keep_id: int, duplicate_id: int, by) -> None:
    for handler in _merge_handlers:
        handler(keep_id=keep_id, duplicate_id=duplicate_id, by=by)


def run_anonymise_handlers(*, customer_id: int, by) -> None:
    for handler in _anonymise_handlers:
        handler(customer_id=customer_id, by=by)


def completion_blocked(order_ids: Iterable[int]) -> dict[int, str]:
    """The orders among ``order_ids`` that an app above holds back from completing, with its reason."""
    ids = list(order_ids)
    blocked: dict[int, str] = {}
    if not ids:
        return blocked
    for provider in _completion_blockers:
        for order_id, reason in provider(ids).items():
            blocked.setdefault(order_id, reason)
    return blocked


def register_parcel_handlers(*, blocker: Callable, withdraw: Callable) -> None:
    _add(_parcel_blockers, blocker)
    _add(_parcel_withdrawers, withdraw)


def parcels_blocking_change(order_id: int) -> str | None:
    """Why the order's parcels no longer allow a change (packed, shipped...), or None."""
    for blocker in _parcel_blockers:
        reason = blocker(order_id)
        if reason:
            return reason
    return None


def parcels_withdraw(
    *, order_id: int, removed_line_ids: Iterable[int] = (), by=None, note: str = ""
) -> list[str]:
    """Take the order out of the parcels not yet packed (inside the caller's transaction); their numbers."""
    numbers: list[str] = []
    for withdraw in _parcel_withdrawers:
        numbers += withdraw(order_id=order_id, removed_line_ids=list(removed_line_ids), by=by, note=note)
    return numbers
