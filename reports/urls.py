"""URLs of the reports app."""

from django.urls import path

from reports import finance_dashboard, views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("finance-export/", views.finance_export, name="finance-export"),
    path("finance/", finance_dashboard.finance_dashboard, name="finance-dashboard"),
    path("<slug:key>/", views.report_detail, name="detail"),
]
