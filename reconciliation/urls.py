"""URLs of the reconciliation screens."""

from django.urls import path

from reconciliation import views

app_name = "reconciliation"

urlpatterns = [
    path("", views.SupplierBalanceListView.as_view(), name="suppliers"),
    path("statements/", views.StatementListView.as_view(), name="statements"),
    path("statements/new/", views.StatementCreateView.as_view(), name="statement-create"),
    path("approvals/", views.ApprovalQueueView.as_view(), name="approvals"),
    path("statements/<int:pk>/", views.StatementDetailView.as_view(), name="statement-detail"),
    path("statements/<int:pk>/select/", views.StatementSelectView.as_view(), name="statement-select"),
    path(
        "statements/<int:pk>/action/<str:action>/",
        views.StatementActionView.as_view(),
        name="statement-action",
    ),
    path("statements/<int:pk>/settle/", views.SettlementCreateView.as_view(), name="statement-settle"),
    path("statements/<int:pk>/pdf/", views.StatementPdfView.as_view(), name="statement-pdf"),
    path("statements/<int:pk>/xlsx/", views.StatementXlsxView.as_view(), name="statement-xlsx"),
    path("statements/<int:pk>/bill/", views.BillUploadView.as_view(), name="bill-upload"),
    path("bills/<int:pk>/", views.BillDetailView.as_view(), name="bill-detail"),
    path("bills/<int:pk>/mapping/", views.BillMappingView.as_view(), name="bill-mapping"),
    path("bills/<int:pk>/match/", views.BillMatchView.as_view(), name="bill-match"),
    path("matches/<int:pk>/resolve/", views.MatchResolveView.as_view(), name="match-resolve"),
]
