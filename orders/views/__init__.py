"""Screens of the orders app: one module per area, and here every name ``orders.urls`` and others use.

``orders`` lists, queues, the order page and its actions; ``manual`` the phone order form; ``imports`` the
file import; ``customers`` and ``invoices`` their screens; ``_common`` the countless page and shared limits.
"""

from orders.views._common import EXPORT_LIMIT, PAGE_SIZE, badge, page_of
from orders.views.customers import (
    CustomerAnonymiseView,
    CustomerDetailView,
    CustomerEditView,
    CustomerListView,
    CustomerMergeView,
)
from orders.views.editing import (
    EditLineRowView,
    EditSkuLookupView,
    OrderEditView,
    OrderMergeView,
    OrderSplitView,
    change_context,
)
from orders.views.imports import ImportPreviewView, ImportView, bad_rows_csv
from orders.views.invoices import (
    INVOICE_ACTIONS,
    INVOICE_SORTS,
    InvoiceActionView,
    InvoiceDetailView,
    InvoiceListView,
    InvoiceRequestView,
    export_invoices,
)
from orders.views.links import OrderLineView
from orders.views.manual import ManualOrderView
from orders.views.money import PayAgainView, PaymentMarkPaidView, RefundMarkPaidView, RefundOwedListView
from orders.views.orders import (
    ACTION_ORDER,
    ACTIONS,
    TRANSITION_ACTIONS,
    BulkApproveView,
    ExceptionQueueView,
    OrderActionView,
    OrderDetailView,
    OrderListView,
    ReviewQueueView,
    actions_for,
    export_orders,
)

__all__ = [
    "EditLineRowView",
    "EditSkuLookupView",
    "OrderEditView",
    "OrderMergeView",
    "OrderSplitView",
    "change_context",
    "OrderLineView",
    "PayAgainView",
    "PaymentMarkPaidView",
    "RefundMarkPaidView",
    "RefundOwedListView",
    "ACTIONS",
    "ACTION_ORDER",
    "EXPORT_LIMIT",
    "INVOICE_ACTIONS",
    "INVOICE_SORTS",
    "PAGE_SIZE",
    "TRANSITION_ACTIONS",
    "BulkApproveView",
    "CustomerAnonymiseView",
    "CustomerDetailView",
    "CustomerEditView",
    "CustomerListView",
    "CustomerMergeView",
    "ExceptionQueueView",
    "ImportPreviewView",
    "ImportView",
    "InvoiceActionView",
    "InvoiceDetailView",
    "InvoiceListView",
    "InvoiceRequestView",
    "ManualOrderView",
    "OrderActionView",
    "OrderDetailView",
    "OrderListView",
    "ReviewQueueView",
    "actions_for",
    "badge",
    "bad_rows_csv",
    "export_invoices",
    "export_orders",
    "page_of",
]
