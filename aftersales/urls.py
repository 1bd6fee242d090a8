"""URLs of the aftersales app (mounted at /aftersales/)."""

from django.urls import path

from aftersales import views

app_name = "aftersales"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case-list"),
    path("new/", views.CaseCreateView.as_view(), name="case-create"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("number/<str:number>/", views.CaseByNumberView.as_view(), name="case-by-number"),
    path("<int:pk>/refund/", views.RefundCreateView.as_view(), name="refund-create"),
    path("<int:pk>/<slug:action>/", views.CaseActionView.as_view(), name="case-action"),
    path("receiving/", views.ReceivingView.as_view(), name="receiving"),
    path("refunds/", views.RefundListView.as_view(), name="refund-list"),
    path("refunds/approvals/", views.RefundListView.as_view(), name="refund-approvals"),
    path("refunds/<int:pk>/<slug:decision>/", views.RefundDecisionView.as_view(), name="refund-decision"),
    path("complaints/", views.ComplaintListView.as_view(), name="complaint-list"),
    path("complaints/new/", views.ComplaintCreateView.as_view(), name="complaint-create"),
    path("complaints/<int:pk>/", views.ComplaintDetailView.as_view(), name="complaint-detail"),
    path("survey/<str:token>/", views.SurveyView.as_view(), name="survey"),
    path("surveys/", views.SurveyReportView.as_view(), name="survey-report"),
]
