"""URLs of the reports app."""

from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_index, name="index"),
    path("finance-export/", views.finance_export, name="finance-export"),
    path("<slug:key>/", views.report_detail, name="detail"),
]
