"""URLs of the inventory screens (mounted under /inventory/)."""

from django.urls import path

from inventory import views

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
]
