"""Every write of the orders app, one module per sub-domain; this package re-exports the names callers use.

- ``intake`` / ``intake_batch``: single-order and batch intake, reship;
- ``routing``: rules (risk, priority, review), pay and route, ``order_mark_paid``;
- ``lifecycle``: approve / reject / hold / resume / cancel, unpaid cancellation, fulfilment marks;
- ``sla``: orders waiting past their SLA move up the queue and operations are told;
- ``completion``: delivered orders complete when their channel's after-sales window closes;
- ``allocation``: the orders' side of allocation (single, batch, pending, backorders, re-allocation);
- ``editing``: edit an order until it is packed; ``split_merge``: manual split, merge of one buyer's orders;
- ``customers``: customer matching, preferences, merge, anonymise;
- ``invoices``: request, issue, send, void, red-letter flag;
- ``notifications``: order notices to customers; ``channels``: API tokens;
- ``payments``: mark paid by hand, failed payments (pay-again link), COD collection, refunds owed paid out;
- ``deductions``: each line's share of the order's discount, coupons and points;
- ``_common``: shared private helpers (the order lock, ``IntakeResult``, after-commit tasks).

Each service locks the order first (then inventory locks its stock rows in (sku, warehouse) order),
runs the transition through ``oms.audit.run_transition`` and saves in the same transaction; notifications
go through the outbox and tasks are sent on commit by name (``oms.dispatch.task_send_on_commit``):
``orders.tasks`` imports this package, never the reverse.
"""

from orders.services._common import (
    QUEUE_ORDER,
    IntakeResult,
    ReasonRequired,
    _check_perm,
    _locked,
    _sku_label,
    address_key,
    next_order_number,
)
from orders.services.allocation import (
    _allocate_one,
    _orders_write_allocation,
    _record_allocation,
    _record_allocations,
    _short_note,
    backorder_details,
    models_q_same,
    order_allocate,
    order_reallocate,
    orders_allocate_backorders,
    orders_allocate_batch,
    orders_allocate_pending,
)
from orders.services.channels import channel_token_create, hash_token
from orders.services.completion import orders_complete_due
from orders.services.customers import (
    ANONYMISE_BLOCKING,
    CUSTOMER_EDITABLE,
    MergeResult,
    _customer_for,
    _customers_for_batch,
    customer_anonymise,
    customer_merge,
    customer_update,
)
from orders.services.deductions import line_share_fields, order_lines_allocate_deductions
from orders.services.editing import EditResult, order_change_refusal, order_edit
from orders.services.intake import (
    _external_id,
    _intake_write,
    _lines_of,
    _order_from,
    _payment_of,
    order_intake,
    order_reship,
    reship_body,
)
from orders.services.intake_batch import _Candidate, _intake_batch_write, _order_numbers, orders_intake_batch
from orders.services.invoices import (
    INVOICE_NUMBER,
    TAXPAYER_ID,
    Invoiceable,
    invoice_flag_red_letter,
    invoice_issue,
    invoice_request,
    invoice_send,
    invoice_void,
    invoices_refund_recorded,
    order_invoiceable,
)
from orders.services.lifecycle import (
    _after_cancel,
    order_approve,
    order_cancel,
    order_hold,
    order_mark_delivered,
    order_mark_released,
    order_mark_shipped,
    order_reject,
    order_resume,
    orders_bulk_approve,
    orders_cancel_unpaid,
)
from orders.services.notifications import _notification, _notify
from orders.services.payments import (
    PayLinkInvalid,
    ReferenceRequired,
    pay_link_order_id,
    pay_url,
    payment_cod_collect,
    payment_mark_failed,
    payment_mark_paid,
    payments_refund_recorded,
    refund_record_mark_paid,
)
from orders.services.routing import (
    _apply_rules,
    _classify,
    _pay_and_route,
    _risk_windows,
    _RiskCounter,
    order_mark_paid,
)
from orders.services.sla import orders_sla_review
from orders.services.split_merge import merge_refusal, mergeable_orders, order_split, orders_merge
from orders.services.tags import order_tag_add

__all__ = [
    "EditResult",
    "order_change_refusal",
    "order_edit",
    "mergeable_orders",
    "merge_refusal",
    "order_split",
    "orders_merge",
    "orders_sla_review",
    "PayLinkInvalid",
    "ReferenceRequired",
    "line_share_fields",
    "order_lines_allocate_deductions",
    "pay_link_order_id",
    "pay_url",
    "payment_cod_collect",
    "payment_mark_failed",
    "payment_mark_paid",
    "payments_refund_recorded",
    "refund_record_mark_paid",
    "order_tag_add",
    "ANONYMISE_BLOCKING",
    "CUSTOMER_EDITABLE",
    "INVOICE_NUMBER",
    "QUEUE_ORDER",
    "TAXPAYER_ID",
    "IntakeResult",
    "Invoiceable",
    "MergeResult",
    "ReasonRequired",
    "_Candidate",
    "_RiskCounter",
    "_after_cancel",
    "_allocate_one",
    "_apply_rules",
    "_check_perm",
    "_classify",
    "_customer_for",
    "_customers_for_batch",
    "_external_id",
    "_intake_batch_write",
    "_intake_write",
    "_lines_of",
    "_locked",
    "_notification",
    "_notify",
    "_order_from",
    "_order_numbers",
    "_orders_write_allocation",
    "_pay_and_route",
    "_payment_of",
    "_record_allocation",
    "_record_allocations",
    "_risk_windows",
    "_short_note",
    "_sku_label",
    "address_key",
    "backorder_details",
    "channel_token_create",
    "customer_anonymise",
    "customer_merge",
    "customer_update",
    "hash_token",
    "invoice_flag_red_letter",
    "invoice_issue",
    "invoice_request",
    "invoice_send",
    "invoice_void",
    "invoices_refund_recorded",
    "models_q_same",
    "next_order_number",
    "order_allocate",
    "order_approve",
    "order_cancel",
    "order_hold",
    "order_intake",
    "order_invoiceable",
    "order_mark_delivered",
    "order_mark_paid",
    "order_mark_released",
    "order_mark_shipped",
    "order_reallocate",
    "order_reject",
    "order_reship",
    "reship_body",
    "order_resume",
    "orders_allocate_backorders",
    "orders_allocate_batch",
    "orders_allocate_pending",
    "orders_bulk_approve",
    "orders_cancel_unpaid",
    "orders_complete_due",
    "orders_intake_batch",
]
