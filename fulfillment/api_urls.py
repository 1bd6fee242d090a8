"""API URLs of the fulfillment app (mounted under /api/v1/)."""

from django.urls import path

from fulfillment import api

urlpatterns = [
    path("shipments/<int:pk>/tracking/", api.shipment_tracking_push, name="api-shipment-tracking"),
]
