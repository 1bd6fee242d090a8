"""URLs of the fulfillment screens (mounted under /fulfillment/)."""

from django.urls import path

from fulfillment import list_views, views, views_cod

app_name = "fulfillment"

urlpatterns = [
    path("cod/", views_cod.CodReconciliationView.as_view(), name="cod"),
    path("waves/", list_views.WaveExportListView.as_view(), name="waves"),
    path("waves/<int:pk>/", views.WaveDetailView.as_view(), name="wave"),
    path("waves/<int:pk>/print/<str:kind>/", views.WavePrintView.as_view(), name="wave-print"),
    path("pack/", views.PackStationView.as_view(), name="pack"),
    path("pack/<int:pk>/", views.PackShipmentView.as_view(), name="pack-shipment"),
    path("pack/<int:pk>/done/", views.PackDoneView.as_view(), name="pack-done"),
    path("to-ship/", views.ToShipView.as_view(), name="to-ship"),
    path("shipped-today/", views.ShippedTodayView.as_view(), name="shipped-today"),
    path("shipments/", list_views.ShipmentBulkListView.as_view(), name="shipments"),
    path("shipments/<int:pk>/", views.ShipmentDetailView.as_view(), name="shipment"),
    path("shipments/<int:pk>/ship/", views.ShipView.as_view(), name="ship"),
    path("shipments/<int:pk>/slip.pdf", views.SlipView.as_view(), name="slip"),
    path("shipments/<int:pk>/<str:action>/", views.ShipmentActionView.as_view(), name="shipment-action"),
]
