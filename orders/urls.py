"""Screens of the orders app, mounted under /orders/."""

from django.urls import path

from orders import views
from orders.views import manual_lookups

app_name = "orders"

urlpatterns = [
    path("", views.OrderListView.as_view(), name="list"),
    path("review/", views.ReviewQueueView.as_view(), name="review"),
    path("review/approve/", views.BulkApproveView.as_view(), name="bulk-approve"),
    path("exceptions/", views.ExceptionQueueView.as_view(), name="exceptions"),
    path("new/", views.ManualOrderView.as_view(), name="create"),
    path("new/skus/", manual_lookups.sku_search, name="sku-search"),
    path("new/customer/", manual_lookups.customer_lookup, name="customer-lookup"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/<str:token>/", views.ImportPreviewView.as_view(), name="import-preview"),
    path("customers/", views.CustomerListView.as_view(), name="customer-list"),
    path("customers/<int:pk>/", views.CustomerDetailView.as_view(), name="customer-detail"),
    path("customers/<int:pk>/edit/", views.CustomerEditView.as_view(), name="customer-edit"),
    path("customers/<int:pk>/merge/", views.CustomerMergeView.as_view(), name="customer-merge"),
    path("customers/<int:pk>/anonymise/", views.CustomerAnonymiseView.as_view(), name="customer-anonymise"),
    path("invoices/", views.InvoiceListView.as_view(), name="invoice-list"),
    path("invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="invoice-detail"),
    path("invoices/<int:pk>/<slug:action>/", views.InvoiceActionView.as_view(), name="invoice-action"),
    path("<int:pk>/invoice/", views.InvoiceRequestView.as_view(), name="invoice-request"),
    path("lines/<int:pk>/", views.OrderLineView.as_view(), name="line"),
    path("refunds-owed/", views.RefundOwedListView.as_view(), name="refunds-owed"),
    path("refunds-owed/<int:pk>/paid/", views.RefundMarkPaidView.as_view(), name="refund-mark-paid"),
    path("pay/<str:token>/", views.PayAgainView.as_view(), name="pay-again"),
    path("<int:pk>/mark-paid/", views.PaymentMarkPaidView.as_view(), name="payment-mark-paid"),
    path("<int:pk>/", views.OrderDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.OrderEditView.as_view(), name="edit"),
    path("<int:pk>/edit/line/", views.EditLineRowView.as_view(), name="edit-line"),
    path("<int:pk>/edit/sku/", views.EditSkuLookupView.as_view(), name="edit-sku"),
    path("<int:pk>/split/", views.OrderSplitView.as_view(), name="split"),
    path("<int:pk>/merge/", views.OrderMergeView.as_view(), name="merge"),
    path("<int:pk>/<slug:action>/", views.OrderActionView.as_view(), name="action"),
]
