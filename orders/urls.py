"""Screens of the orders app, mounted under /orders/."""

from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("", views.OrderListView.as_view(), name="list"),
    path("review/", views.ReviewQueueView.as_view(), name="review"),
    path("review/approve/", views.BulkApproveView.as_view(), name="bulk-approve"),
    path("exceptions/", views.ExceptionQueueView.as_view(), name="exceptions"),
    path("new/", views.ManualOrderView.as_view(), name="create"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/<str:token>/", views.ImportPreviewView.as_view(), name="import-preview"),
    path("<int:pk>/", views.OrderDetailView.as_view(), name="detail"),
    path("<int:pk>/<slug:action>/", views.OrderActionView.as_view(), name="action"),
]
