"""API routes of the orders app, mounted under /api/v1/."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from orders import api

urlpatterns = [
    path("orders/", login_not_required(api.OrderIntakeView.as_view()), name="api-order-intake"),
    path("orders/batch/", login_not_required(api.OrderBatchView.as_view()), name="api-order-batch"),
    path(
        "orders/<str:number>/cancel/",
        login_not_required(api.OrderCancelAPIView.as_view()),
        name="api-order-cancel",
    ),
    path(
        "orders/<str:number>/address/",
        login_not_required(api.OrderAddressAPIView.as_view()),
        name="api-order-address",
    ),
    path(
        "orders/<str:number>/paid/", login_not_required(api.OrderPaidAPIView.as_view()), name="api-order-paid"
    ),
    path(
        "orders/<str:number>/payment-failed/",
        login_not_required(api.OrderPaymentFailedAPIView.as_view()),
        name="api-order-payment-failed",
    ),
    path(
        "orders/<str:number>/", login_not_required(api.OrderDetailAPIView.as_view()), name="api-order-detail"
    ),
]
