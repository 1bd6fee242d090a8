"""URLs of the inventory screens (mounted under /inventory/)."""

from django.urls import path

from inventory import views, views_counts, views_purchasing, views_transfers

app_name = "inventory"

urlpatterns = [
    path("stock/", views.StockListView.as_view(), name="stock-list"),
    path("skus/lookup/", views.sku_lookup_redirect, name="sku-lookup"),
    path("skus/<int:pk>/", views.SKUDetailView.as_view(), name="sku-detail"),
    path("movements/", views.MovementListView.as_view(), name="movement-list"),
    path("receive/", views.ReceiveView.as_view(), name="receive"),
    path("adjust/", views.AdjustView.as_view(), name="adjust"),
    path("count/", views.CountView.as_view(), name="count"),
    path("transfer/", views.TransferView.as_view(), name="transfer"),
    path("alerts/", views.AlertListView.as_view(), name="alert-list"),
    path("replenishment/", views.ReplenishmentView.as_view(), name="replenishment"),
    path("purchase-orders/", views_purchasing.PurchaseOrderListView.as_view(), name="po-list"),
    path("purchase-orders/new/", views_purchasing.PurchaseOrderCreateView.as_view(), name="po-create"),
    path(
        "purchase-orders/from-suggestions/",
        views_purchasing.PurchaseOrdersFromSuggestionsView.as_view(),
        name="po-from-suggestions",
    ),
    path("purchase-orders/<int:pk>/", views_purchasing.PurchaseOrderDetailView.as_view(), name="po-detail"),
    path("purchase-orders/<int:pk>/pdf/", views_purchasing.PurchaseOrderPdfView.as_view(), name="po-pdf"),
    path(
        "purchase-orders/<int:pk>/receive/",
        views_purchasing.PurchaseOrderReceiveView.as_view(),
        name="po-receive",
    ),
    path(
        "purchase-orders/<int:pk>/<slug:step>/",
        views_purchasing.PurchaseOrderStepView.as_view(),
        name="po-step",
    ),
    path("counts/", views_counts.StockCountListView.as_view(), name="count-list"),
    path("counts/<int:pk>/", views_counts.StockCountDetailView.as_view(), name="count-detail"),
    path("counts/<int:pk>/scan/", views_counts.StockCountScanView.as_view(), name="count-scan"),
    path("counts/<int:pk>/<slug:step>/", views_counts.StockCountStepView.as_view(), name="count-step"),
    path("transfers/", views_transfers.TransferListView.as_view(), name="transfer-list"),
    path("transfers/new/", views_transfers.TransferCreateView.as_view(), name="transfer-create"),
    path("transfers/<int:pk>/", views_transfers.TransferDetailView.as_view(), name="transfer-detail"),
    path("transfers/<int:pk>/<slug:step>/", views_transfers.TransferStepView.as_view(), name="transfer-step"),
]
