"""Every write to stock: receive, adjust, count, transfer, reserve, release, consume, restock, allocate.

Rules every function here keeps (DESIGN.md, invariants 1 and 2):
- it runs in one transaction (retried on deadlock / serialization failure when it is the outermost one);
- StockLevel rows are locked with ``select_for_update`` ordered by (sku_id, warehouse_id) before
  they are read for a decision, and changed with ``F()`` updates; the one exception, the batch intake's
  ``allocation_batch_new``, decides on unlocked rows and then locks the rows it takes from (same order)
  and checks each still has it before the counters change, deciding again on locked rows if not;
- every change of ``on_hand`` or ``damaged`` writes its StockMovement row in the same transaction;
  ``reserved`` always equals the sum of the ACTIVE Reservation rows;
- side effects (backorder allocation in the orders app, notifications) happen after commit.

Sub-modules: ``ledger`` (stock in / out / corrections, the ``F()`` updates), ``reservations``,
``allocation`` (one set; the decision is ``inventory.planning``), ``allocation_batch`` (a batch on rows locked
once), ``allocation_batch_new``
(new demand of a batch intake, confirmed under the lock last), ``alerts`` (low stock),
``backorders`` (tell the orders app that stock arrived), ``catalogue``, ``purchasing`` (purchase orders
and receiving against them), ``counts`` (stock counts and their approval), ``transfers`` (in transit
between warehouses); shared helpers in ``_common`` and ``_numbers``.
"""

from inventory.planning import DemandLine
from inventory.selectors import sellable_quantity
from inventory.services._common import service
from inventory.services.alerts import stock_alerts_review
from inventory.services.allocation import (
    AllocationResult,
    PreparedAllocation,
    allocate,
    allocation_plan,
    allocation_prepare,
    reservation_ids_sql,
)
from inventory.services.allocation_batch import allocate_batch
from inventory.services.allocation_batch_new import PendingBatch, StockMoved, allocation_batch_new
from inventory.services.backorders import BACKORDER_TASK, send_backorder_task
from inventory.services.catalogue import sku_upsert, supplier_upsert
from inventory.services.counts import (
    stock_count_approve,
    stock_count_cancel,
    stock_count_reopen,
    stock_count_scan,
    stock_count_set_line,
    stock_count_start,
    stock_count_submit,
)
from inventory.services.ledger import (
    stock_adjust,
    stock_count,
    stock_level_set_policy,
    stock_receive,
    stock_restock_return,
    stock_transfer,
)
from inventory.services.purchasing import (
    LineRequest,
    ReceiptOutcome,
    purchase_order_cancel,
    purchase_order_close,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
    purchase_orders_from_suggestions,
)
from inventory.services.reservations import reservation_consume, reservation_release, stock_reserve
from inventory.services.transfers import transfer_cancel, transfer_create, transfer_receive, transfer_ship

__all__ = [
    "PendingBatch",
    "StockMoved",
    "allocation_batch_new",
    "AllocationResult",
    "BACKORDER_TASK",
    "DemandLine",
    "LineRequest",
    "ReceiptOutcome",
    "allocate",
    "allocate_batch",
    "allocation_prepare",
    "reservation_ids_sql",
    "PreparedAllocation",
    "allocation_plan",
    "purchase_order_cancel",
    "purchase_order_close",
    "purchase_order_create",
    "purchase_order_receive",
    "purchase_order_send",
    "purchase_orders_from_suggestions",
    "reservation_consume",
    "reservation_release",
    "sellable_quantity",
    "send_backorder_task",
    "service",
    "sku_upsert",
    "stock_adjust",
    "stock_alerts_review",
    "stock_count",
    "stock_count_approve",
    "stock_count_cancel",
    "stock_count_reopen",
    "stock_count_scan",
    "stock_count_set_line",
    "stock_count_start",
    "stock_count_submit",
    "stock_level_set_policy",
    "stock_receive",
    "stock_reserve",
    "stock_restock_return",
    "stock_transfer",
    "supplier_upsert",
    "transfer_cancel",
    "transfer_create",
    "transfer_receive",
    "transfer_ship",
]
