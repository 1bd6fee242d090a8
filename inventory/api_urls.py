"""API routes of the inventory app, mounted under /api/v1/."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from inventory import api

urlpatterns = [
    # Channel tokens authenticate in DRF, not through the login-required middleware.
    path("stock/", login_not_required(api.StockView.as_view()), name="api-stock"),
]
