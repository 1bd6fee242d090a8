"""Batch allocation of new demand, decided before the stock rows are locked and confirmed under the lock last.

``allocate_batch`` locks the stock rows of a whole batch first and keeps them locked until the caller
commits. For the batch intake that meant every other batch touching a best-seller waited while this one
decided, wrote its reservations, moved its orders to allocated, logged, and committed (about 100 ms for 100
orders): the batches ran one after another.

``allocation_batch_new`` decides the same way (``_allocate_in_batch``, in the order given) from the stock
rows as they are now, unlocked, and writes the reservations (rows of their own, which no one else sees
yet). The caller then records its decisions and calls ``confirm()`` last: it locks only the stock rows the
batch takes from, in (sku_id, warehouse_id) order as every allocation does, checks that each still has
what the batch takes (on hand minus reserved), and adds the batch's reservations to the counters. So the
rows stay locked only from ``confirm()`` to the commit, and nothing is ever reserved beyond what is there:
the check and the counter update happen under the lock, as the invariant asks. If another transaction took
the stock meanwhile, ``confirm()`` raises ``StockMoved`` and writes nothing: the caller rolls back to its
savepoint and allocates with ``allocate_batch`` on locked rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection

from inventory.models import StockLevel
from inventory.planning import DemandLine
from inventory.services.allocation import AllocationResult
from inventory.services.allocation_batch import _batch_stock, _BatchStock, _decide_batch, _review_below_safety
from inventory.services.ledger import _add_reserved
from oms.db import bulk_insert, fetch_rows


class StockMoved(Exception):
    """Stock the batch decided on was taken by another transaction before the batch locked it."""


@dataclass
class PendingBatch:
    """A batch's decisions (``results``, in the order given) with reservations written, counters not yet."""

    results: list[AllocationResult]
    stock: _BatchStock

    def confirm(self) -> None:
        """Lock the stock rows the batch takes from, check each still has it, and add it to ``reserved``.

        Call last in the transaction (the rows stay locked until it ends). Raises ``StockMoved``, having
        changed nothing, when a row no longer has what the batch takes: roll back to the savepoint taken
        before ``allocation_batch_new`` and allocate on locked rows instead.
        """
        stock = self.stock
        deltas = {stock.pk_of[key]: qty for key, qty in stock.per_level.items()}
        if not deltas:
            return
        quote = connection.ops.quote_name
        rows = fetch_rows(
            "SELECT id, on_hand - reserved, safety_stock "  # noqa: S608 - table from model meta
            f"FROM {quote(StockLevel._meta.db_table)} WHERE id = ANY(%s) "
            "ORDER BY sku_id, warehouse_id FOR UPDATE",
            [sorted(deltas)],
        )
        if len(rows) != len(deltas) or any(available < deltas[pk] for pk, available, _s in rows):
            raise StockMoved
        _add_reserved(deltas)
        _review_below_safety(
            [pk for pk, available, safety in rows if safety and available - deltas[pk] < safety]
        )


def allocation_batch_new(*, demands: list[tuple[list[DemandLine], str]]) -> PendingBatch:
    """Decide many demand sets of new demand (lines the caller's transaction has just taken in, so nothing
    is held for them yet) as ``allocate_batch`` does, in the order given, without locking; write their
    reservations. Call inside a transaction (a savepoint of it), then ``confirm()`` the result last."""
    stock, codes, suppliers = _batch_stock(demands, lock=False)
    results = _decide_batch(demands, stock=stock, held=defaultdict(list), codes=codes, suppliers=suppliers)
    if stock.pending:
        bulk_insert(stock.pending, set_pks=True)  # the primary keys go on the objects in the results
    return PendingBatch(results=results, stock=stock)
